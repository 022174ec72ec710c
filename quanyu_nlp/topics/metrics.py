"""Scores of topic-word matrices: FREX, lift, exclusivity, coherence, stability.

FREX and lift follow Roberts, Stewart & Airoldi (2016) and R's ``stm``
(``labelTopics``): FREX is the weighted harmonic mean of a term's rank by
frequency within the topic and by exclusivity to the topic; lift divides a term's
topic probability by its corpus frequency.  Coherence comes from gensim's
``CoherenceModel``; stability matches topics across runs with the Hungarian
algorithm (:func:`scipy.optimize.linear_sum_assignment`).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

__all__ = ["frex_scores", "lift_scores", "exclusivity", "coherence", "match_topics",
           "topic_similarity"]


def _exclusivity_matrix(phi: np.ndarray) -> np.ndarray:
    col = phi.sum(axis=0, keepdims=True)
    col[col == 0] = 1.0
    return phi / col


def frex_scores(phi: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX score of every term in every topic.

    Parameters
    ----------
    phi : ndarray of shape (n_topics, n_terms)
        Topic-term probabilities (rows sum to 1).
    weight : float, default 0.5
        Weight of exclusivity against frequency (``stm``'s ``frexweight``).

    Returns
    -------
    ndarray of shape (n_topics, n_terms)
        Values in (0, 1]; higher is more frequent *and* exclusive.
    """
    excl = _exclusivity_matrix(phi)
    n_terms = phi.shape[1]
    # Empirical CDF within each topic = rank / n_terms (stm uses ecdf the same way).
    f_ecdf = rankdata(phi, axis=1, method="max") / n_terms
    e_ecdf = rankdata(excl, axis=1, method="max") / n_terms
    return 1.0 / (weight / e_ecdf + (1.0 - weight) / f_ecdf)


def lift_scores(phi: np.ndarray, term_freq: np.ndarray) -> np.ndarray:
    """Lift: topic probability over corpus frequency, ``phi[k, w] / p(w)``."""
    p = np.asarray(term_freq, dtype=float)
    p = p / p.sum() if p.sum() else np.full_like(p, 1.0 / len(p))
    p[p == 0] = np.min(p[p > 0]) if np.any(p > 0) else 1.0
    return phi / p[None, :]


def exclusivity(phi: np.ndarray, top_n: int = 10) -> np.ndarray:
    """Mean exclusivity of each topic's top terms (``phi[k,w] / sum_j phi[j,w]``).

    1 means the top terms belong to that topic only; ``1 / n_topics`` means they are
    shared equally by all topics.
    """
    excl = _exclusivity_matrix(phi)
    top = np.argsort(-phi, axis=1, kind="stable")[:, :top_n]
    return np.take_along_axis(excl, top, axis=1).mean(axis=1)


def coherence(topics: Sequence[Sequence[str]], token_lists: Sequence[Sequence[str]],
              measure: str = "c_npmi", top_n: int = 10, dictionary=None,
              engine: str = "gensim") -> np.ndarray:
    """Per-topic coherence with gensim's :class:`~gensim.models.CoherenceModel`.

    Parameters
    ----------
    topics : sequence of sequence of str
        Each topic's top terms, best first.
    token_lists : sequence of sequence of str
        The reference texts (the same token lists the model was fit on).
    measure : {"c_npmi", "c_v", "u_mass", "c_uci"}
    top_n : int
        Number of top terms per topic scored.
    dictionary : gensim.corpora.Dictionary, optional
        Reused across calls to save building it again.
    engine : {"gensim", "tomotopy"}
        ``"gensim"`` (the reference used by :func:`select_k` and the benchmark) or
        ``"tomotopy"`` (``tomotopy.coherence``, C++, 10-100 times faster on large
        corpora). Both estimate NPMI from sliding windows of 10 tokens, but they cut
        windows differently, so their values are not interchangeable: compare models
        with one engine only.

    Returns
    -------
    ndarray of shape (n_topics,)
    """
    if engine == "tomotopy":
        return _coherence_tomotopy(topics, token_lists, measure, top_n)
    if engine != "gensim":
        raise ValueError(f"unknown coherence engine {engine!r}; use 'gensim' or 'tomotopy'")
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    if dictionary is None:
        dictionary = Dictionary(token_lists)
    topics = [[t for t in topic if t in dictionary.token2id][:top_n] for topic in topics]
    keep = [i for i, t in enumerate(topics) if len(t) >= 2]
    out = np.full(len(topics), np.nan)
    if not keep:
        return out
    kwargs = {"texts": token_lists} if measure != "u_mass" else {
        "corpus": [dictionary.doc2bow(d) for d in token_lists]}
    # processes=1: gensim's default multiprocessing would make timings noisy and is
    # not faster on the small reference corpora of one study.
    cm = CoherenceModel(topics=[topics[i] for i in keep], dictionary=dictionary,
                        coherence=measure, topn=top_n, processes=1, **kwargs)
    out[keep] = cm.get_coherence_per_topic()
    return out


def _coherence_tomotopy(topics, token_lists, measure: str, top_n: int) -> np.ndarray:
    import tomotopy as tp

    topics = [list(t)[:top_n] for t in topics]
    targets = sorted({w for t in topics for w in t})
    out = np.full(len(topics), np.nan)
    if not targets:
        return out
    corpus = tp.utils.Corpus()
    for doc in token_lists:
        if doc:
            corpus.add_doc(words=list(doc))
    cm = tp.coherence.Coherence(corpus, coherence=measure, targets=targets, top_n=top_n)
    for i, t in enumerate(topics):
        if len(t) >= 2:
            out[i] = cm.get_score(words=t)
    return out


def topic_similarity(a_terms: Sequence[Sequence[str]], b_terms: Sequence[Sequence[str]],
                     ) -> np.ndarray:
    """Jaccard similarity of top-term sets between every pair of topics."""
    a_sets = [set(t) for t in a_terms]
    b_sets = [set(t) for t in b_terms]
    sim = np.zeros((len(a_sets), len(b_sets)))
    for i, a in enumerate(a_sets):
        for j, b in enumerate(b_sets):
            union = len(a | b)
            sim[i, j] = len(a & b) / union if union else 0.0
    return sim


def match_topics(sim: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Match topics of two runs one-to-one, maximising total similarity.

    Returns
    -------
    rows, cols, scores : ndarray
        Matched topic indices of run A and run B and their similarity.
    """
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return rows, cols, sim[rows, cols]
