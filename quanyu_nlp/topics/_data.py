"""Turn what users pass to the topic models into one prepared bag of words.

Every estimator, :func:`select_k` and the CLI go through :func:`prepare`, so the
same input always gives the same vocabulary, the same filtered token lists and the
same record of what was removed (nothing is dropped silently: the record ends up in
``model.preprocessing_`` and in the CLI's ``model_info.json``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ParameterError

__all__ = ["TopicData", "as_dfm", "prepare", "resolve_stopwords"]


@dataclass
class TopicData:
    """Prepared input of a topic model.

    Attributes
    ----------
    token_lists : list of list of str
        Each unit's tokens after filtering, in their original order.
    unit_ids : list of str
        Identifier of each unit (row).
    doc_ids : list of str
        Root document id of each unit (equal to ``unit_ids`` when unknown).
    docvars : pandas.DataFrame
        Document variables, one row per unit (may have no columns).
    vocabulary : list of str
        Kept terms, in the column order of ``counts``.
    counts : scipy.sparse.csr_matrix
        Unit x term counts over ``vocabulary``.
    report : dict
        What was removed and why.
    """

    token_lists: list
    unit_ids: list
    doc_ids: list
    docvars: pd.DataFrame
    vocabulary: list
    counts: sp.csr_matrix
    report: dict = field(default_factory=dict)

    @property
    def nonempty(self) -> np.ndarray:
        """Boolean mask of units that kept at least one token."""
        return np.asarray(self.counts.sum(axis=1)).ravel() > 0


def as_dfm(obj: Any, min_len: int = 1):
    """A count :class:`~quanyu_nlp.dfm.Dfm` from Tokens, a Dfm, a Corpus or token lists."""
    from ..dfm import Dfm, dfm

    if isinstance(obj, TopicData):
        obj = obj.token_lists
    if isinstance(obj, Dfm):
        if obj.weighting != "count":
            raise ParameterError(f"topic models need counts, got a Dfm weighted by "
                                 f"{obj.weighting!r}; pass the Dfm before dfm_weight()")
        if min_len > 1:
            # re-count from the token stream so that min_len is applied and recorded
            return dfm(_with_ids(obj.to_token_lists(), obj), min_len=min_len)
        return obj
    return dfm(obj, min_len=min_len)


class _Lists(list):
    """Token lists carrying unit ids, doc ids and docvars for :func:`~quanyu_nlp.dfm.dfm`."""

    def to_lists(self):
        return list(self)


def _with_ids(lists, src):
    out = _Lists(lists)
    out.unit_ids = src.unit_ids
    out.doc_ids = src.doc_ids
    out.docvars = src.docvars
    out.meta = src.meta
    return out


def resolve_stopwords(stopwords: Any) -> tuple[frozenset, str]:
    """Return the stopword set and a short description for the record.

    ``None`` or ``False`` means no stopwords; anything else goes to
    :func:`quanyu_nlp.segment.load_stopwords`: ``"zh"`` (function words and
    punctuation), ``"party"`` (party-discourse boilerplate), ``"zh+party"``, a file
    path or an iterable of words.
    """
    if stopwords is None or stopwords is False:
        return frozenset(), "none"
    try:
        from ..segment import load_stopwords  # type: ignore[attr-defined]
    except ImportError:
        from ..segment.dictionary import load_stopwords
    words = frozenset(load_stopwords(stopwords))
    name = stopwords if isinstance(stopwords, str) else "user list"
    return words, f"{name} ({len(words)} words)"


# Numbers (years, counts, percentages) co-occur with everything in reports and news
# and make poor topic terms; 2020年 or 十九大 are kept (they are not pure numbers).
NUMBER_PATTERN = r"^[0-9０-９]+([.．,，:：/][0-9０-９]+)*[%％]?$"


def auto_min_docs(n_docs: int) -> int:
    """Default rare-term cut-off: 2 documents, and 1 more per 500 documents."""
    return max(2, int(n_docs) // 500)


def auto_max_docfreq(k: int | None) -> float:
    """Default ubiquity cut-off for K topics: ``min(0.5, max(0.2, 3 / K))``.

    With K topics of similar size a term that marks one topic occurs in about 1/K of
    the documents; a term in more than three topics' worth of documents cannot mark
    one (but never cut below 20 % or above 50 % of the documents).
    """
    if not k:
        return 0.5
    return round(min(0.5, max(0.2, 3.0 / int(k))), 4)


def prepare(obj: Any, *, min_len: int = 2, stopwords: Any = None,
            remove_numbers: bool = False, min_docs: int | float | None = 1,
            max_docfreq: float | None = 1.0, k: int | None = None,
            vocabulary: Sequence[str] | None = None) -> TopicData:
    """Filter tokens and build the unit x term count matrix.

    The work is done by :func:`quanyu_nlp.dfm.dfm`, :func:`~quanyu_nlp.dfm.dfm_remove`
    and :func:`~quanyu_nlp.dfm.dfm_trim`; this function fixes the order of the steps
    and collects their reports.

    Parameters
    ----------
    obj : Tokens, Dfm, Corpus, TopicData or list of list of str
        The segmented units (a Corpus is segmented with the default segmenter).
    min_len : int, default 2
        Shortest token (in characters) kept as a topic term. One-character Chinese
        words are mostly function words; the number removed is recorded.
    stopwords : None, str or iterable of str
        Stopwords to remove (see :func:`resolve_stopwords`).
    remove_numbers : bool, default False
        Remove tokens that are numbers written in digits (2022, 3.5, 80%).
    min_docs : int, float or None, default 1
        Drop terms in fewer documents than this (a share when a float < 1);
        ``None``: :func:`auto_min_docs`.
    max_docfreq : float or None, default 1.0
        Drop terms in more than this share of documents (ubiquitous words say
        nothing about topics); ``None``: :func:`auto_max_docfreq` of ``k``.
    k : int, optional
        Number of topics, for ``max_docfreq=None``.
    vocabulary : sequence of str, optional
        A fixed vocabulary (used by ``transform``): only these terms are kept.
    """
    from ..dfm import dfm_match, dfm_remove, dfm_trim

    if vocabulary is not None:
        d = dfm_match(as_dfm(obj, 1), list(vocabulary))
        m, _ = d.to_sklearn()
        return TopicData(d.to_token_lists(), d.unit_ids, d.doc_ids, d.docvars,
                         list(vocabulary), m.tocsr(), {"n_tokens_kept": int(m.sum())})

    if not isinstance(min_len, (int, np.integer)) or min_len < 1:
        raise ParameterError(f"min_len must be an integer >= 1, got {min_len!r}")
    d = as_dfm(obj, min_len)
    n = d.n_units
    if n == 0:
        raise ParameterError("the corpus is empty: no documents to fit a topic model on")
    hist = d.meta.get("history", [{}])
    report: dict[str, Any] = {"n_units": n, "min_len": int(min_len),
                              "tokens_shorter_than_min_len": int(sum(
                                  h.get("dropped_short", 0) for h in hist
                                  if h.get("step") == "dfm"))}
    stop, stop_desc = resolve_stopwords(stopwords)
    report["stopwords"] = stop_desc
    if stop:
        before = int(d.featfreq().sum())
        d = dfm_remove(d, sorted(stop))
        report["stopword_tokens_removed"] = before - int(d.featfreq().sum())
    else:
        report["stopword_tokens_removed"] = 0
    report["remove_numbers"] = bool(remove_numbers)
    if remove_numbers:
        before = int(d.featfreq().sum())
        d = dfm_remove(d, NUMBER_PATTERN, valuetype="regex")
        report["number_tokens_removed"] = before - int(d.featfreq().sum())
    n_nonempty = int(np.count_nonzero(d.ntoken() > 0))
    if n_nonempty == 0:
        raise ParameterError(f"no tokens left in any of the {n} documents after removing "
                             f"stopwords and tokens shorter than {min_len} characters; "
                             "lower min_len or check the input")
    terms_before = d.n_features
    if min_docs is None:
        min_docs = auto_min_docs(n)
        report["min_docs_rule"] = "max(2, n_documents // 500)"
    if max_docfreq is None:
        max_docfreq = auto_max_docfreq(k)
        report["max_docfreq_rule"] = "min(0.5, max(0.2, 3 / K))"
    # On tiny corpora a min_docs above the number of documents would remove everything.
    lo = min_docs
    if isinstance(lo, (int, np.integer)) and lo > n_nonempty:
        lo = 1
    d = dfm_trim(d, min_docs=lo, max_docfreq=float(max_docfreq))
    if d.n_features == 0:
        raise ParameterError(
            f"no terms left after trimming (min_docs={min_docs}, max_docfreq={max_docfreq}) "
            f"of {terms_before} terms in {n_nonempty} documents; loosen the trimming")
    m, feats = d.to_sklearn()
    m = m.tocsr()
    trim = d.meta["history"][-1]
    report.update({
        "min_docs": min_docs, "max_docfreq": max_docfreq,
        "terms_before_trim": terms_before, "terms_kept": d.n_features,
        "terms_removed_by": trim.get("by_reason", {}),
        "n_tokens_kept": int(m.sum()),
        "empty_units": int(np.count_nonzero(np.asarray(m.sum(axis=1)).ravel() == 0)),
    })
    return TopicData(d.to_token_lists(), d.unit_ids, d.doc_ids, d.docvars,
                     [str(f) for f in feats], m, report)
