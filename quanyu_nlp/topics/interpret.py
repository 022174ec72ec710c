"""Reading a fitted topic model: representative documents and topic correlations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["representative_documents", "representative_sentences", "topic_correlations"]


def _texts_of(corpus, n: int, unit_ids: list[str]) -> tuple[list[str], list[str]]:
    """Texts and doc ids of ``corpus`` in the model's row order."""
    if corpus is None:
        raise ParameterError("pass the corpus (or the list of texts) the model was fit on, "
                             "to quote its documents")
    if isinstance(corpus, (list, tuple)) and all(isinstance(t, str) for t in corpus):
        texts, ids, docs = list(corpus), None, None
    else:
        texts = getattr(corpus, "texts", None)
        if texts is None:
            raise ParameterError(f"a {type(corpus).__name__} has no .texts to quote; pass a "
                                 "Corpus, Tokens or a list of texts")
        texts = list(texts)
        ids = getattr(corpus, "unit_ids", None)
        ids = [str(u) for u in ids] if ids is not None else None
        docs = getattr(corpus, "doc_ids", None)
        docs = [str(d) for d in docs] if docs is not None else None
    if ids is not None and ids != unit_ids and set(unit_ids) <= set(ids):
        pos = {u: i for i, u in enumerate(ids)}
        order = [pos[u] for u in unit_ids]
        texts = [texts[i] for i in order]
        docs = [docs[i] for i in order] if docs is not None else None
    if len(texts) != n:
        raise ParameterError(f"the corpus has {len(texts)} texts but the model has {n} "
                             "documents; pass the corpus the model was fit on")
    return texts, docs


def representative_documents(model, corpus=None, n: int = 3) -> pd.DataFrame:
    """The ``n`` documents with the highest share of each topic, quoted verbatim.

    Parameters
    ----------
    model : fitted topic model
    corpus : Corpus, Tokens or list of str
        The units the model was fit on (aligned by unit id when they carry ids).
    n : int, default 3

    Returns
    -------
    pandas.DataFrame
        ``topic, label, rank, unit_id, doc_id, share, text``.
    """
    if not hasattr(model, "doc_topics_"):
        raise ParameterError("representative_documents needs a fitted topic model")
    theta = model.doc_topics_
    units = list(model.unit_ids_)
    texts, docs = _texts_of(corpus, theta.shape[0], units)
    docs = docs if docs is not None else list(model.doc_ids_)
    rows = []
    for k in range(theta.shape[1]):
        # stable sort: equal shares keep corpus order
        order = np.argsort(-theta[:, k], kind="stable")[:n]
        for r, i in enumerate(order, start=1):
            rows.append((k, model.labels_[k], r, units[i], docs[i], float(theta[i, k]),
                         texts[i]))
    return pd.DataFrame(rows, columns=["topic", "label", "rank", "unit_id", "doc_id",
                                       "share", "text"])


def representative_sentences(model, corpus, n: int = 3, *, min_terms: int = 4,
                             tokens=None) -> pd.DataFrame:
    """The ``n`` sentences most typical of each topic, quoted verbatim with offsets.

    The corpus is cut into sentences (:func:`quanyu_nlp.corpus.corpus_reshape`), each
    sentence gets topic shares from ``model.transform``, and the sentences with the
    highest share of a topic (among those with at least ``min_terms`` terms of the
    model's vocabulary) are returned with the document id and the character offsets
    into the document, so each quote can be cited and checked.

    Parameters
    ----------
    model : fitted topic model
    corpus : Corpus
        Documents (or paragraphs) to draw sentences from.
    n : int, default 3
    min_terms : int, default 4
        Shorter sentences say too little to be typical of anything.
    tokens : Tokens, optional
        The sentences already segmented (same order as
        ``corpus_reshape(corpus, to="sentences")``); segmented with the default
        segmenter otherwise -- pass them when the model was fit on tokens from another
        segmenter configuration.

    Returns
    -------
    pandas.DataFrame
        ``topic, label, rank, doc_id, unit_id, start, end, share, text``; ``text`` equals
        ``corpus.documents.doc_text(doc_id)[start:end]``.
    """
    if not hasattr(model, "doc_topics_"):
        raise ParameterError("representative_sentences needs a fitted topic model")
    if not hasattr(corpus, "units") or not hasattr(corpus, "level"):
        raise ParameterError("representative_sentences needs a Corpus (read_corpus or "
                             "corpus_from_texts), to cite each sentence")
    from ..corpus import corpus_reshape

    sents = corpus if corpus.level == "sentences" else corpus_reshape(corpus, to="sentences")
    if tokens is None:
        from ..segment import segment
        tokens = segment(sents)
    if len(tokens) != len(sents):
        raise ParameterError(f"{len(tokens)} token lists for {len(sents)} sentences; pass "
                             "tokens of corpus_reshape(corpus, to='sentences')")
    data = model._prepare_new(tokens)
    n_terms = np.asarray(data.counts.sum(axis=1)).ravel()
    theta = model._transform_engine(data)
    units = sents.units
    ok = n_terms >= min_terms
    rows = []
    for k in range(theta.shape[1]):
        score = np.where(ok, theta[:, k], -1.0)
        order = np.argsort(-score, kind="stable")[:n]
        for r, i in enumerate(order, start=1):
            if score[i] < 0:
                break
            u = units.iloc[i]
            rows.append((k, model.labels_[k], r, u["doc_id"], u["unit_id"], int(u["start"]),
                         int(u["end"]), float(theta[i, k]), u["text"]))
    return pd.DataFrame(rows, columns=["topic", "label", "rank", "doc_id", "unit_id", "start",
                                       "end", "share", "text"])


def topic_correlations(model, method: str = "pearson") -> pd.DataFrame:
    """Correlations between topics' document shares (topics x topics).

    Positive values: topics that appear in the same documents. Shares sum to one in
    each document, so correlations lean negative; compare them with each other
    rather than with zero.
    """
    if not hasattr(model, "doc_topics_"):
        raise ParameterError("topic_correlations needs a fitted topic model")
    names = [f"{k}: {lab}" for k, lab in enumerate(model.labels_)]
    frame = pd.DataFrame(model.doc_topics_, columns=names)
    out = frame.corr(method=method)
    out.index.name = "topic"
    return out
