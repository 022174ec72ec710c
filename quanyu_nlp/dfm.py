"""Document-feature matrix (``Dfm``): sparse unit x feature counts.

A :class:`Dfm` is an immutable value: every transform (:func:`dfm_trim`,
:func:`dfm_weight`, :func:`dfm_group`, :func:`dfm_select`, :func:`dfm_subset`, ...)
returns a new one and records what it did in ``meta["history"]``.

Two design decisions matter for researchers of Chinese text:

* **One-character tokens are kept.**  scikit-learn's ``CountVectorizer`` with its
  default ``token_pattern`` (``(?u)\\b\\w\\w+\\b``) silently drops every one-character
  token -- in Chinese that is 党, 村, 县, 人 ... .  :func:`dfm` builds its vocabulary
  from the token lists themselves; nothing is re-tokenised.  Only ``min_len`` (default
  1: keep everything) and whitespace-only tokens drop tokens, and both are counted
  in ``meta``.
* **Feature order is the order of first appearance** in the token lists (unit by
  unit, token by token).  It is deterministic and independent of hash seeds or
  locale; use ``dfm_sort`` semantics via :meth:`Dfm.topfeatures` for rankings.

Conversions hand over the internal arrays without copying them: the CSR matrix for
scikit-learn, a streaming :class:`gensim.matutils.Sparse2Corpus` for gensim and token
lists (restricted to the kept features, in their original order) for tomotopy.

Examples
--------
>>> from quanyu_nlp.dfm import dfm, dfm_trim
>>> d = dfm([["党", "建设", "党"], ["村", "建设"]])
>>> d.features
['党', '建设', '村']
>>> d.matrix.toarray().tolist()
[[2, 1, 0], [0, 1, 1]]
>>> dfm_trim(d, min_docs=2).features
['建设']
"""

from __future__ import annotations

import copy
import fnmatch
import html
import math
import re
from array import array
from typing import Any, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import ColumnError, ParameterError

__all__ = [
    "Dfm",
    "dfm",
    "dfm_trim",
    "dfm_weight",
    "dfm_group",
    "dfm_select",
    "dfm_remove",
    "dfm_subset",
    "dfm_match",
    "WEIGHT_SCHEMES",
]

WEIGHT_SCHEMES = ("count", "prop", "tfidf", "boolean", "logcount")

_TRIM_COLUMNS = ["feature", "count", "docfreq", "reason", "step"]


# --------------------------------------------------------------------------------------
# Input normalisation shared with quanyu_nlp.features
# --------------------------------------------------------------------------------------
class _TokenSource:
    """Plain view of whatever the user passed as tokens.

    Accepts a ``Tokens`` object (anything with ``to_lists()``), a plain list of token
    lists, or a Corpus-like object (``.texts`` but no ``to_lists``), which is segmented
    with the default segmenter.
    """

    __slots__ = ("lists", "unit_ids", "doc_ids", "docvars", "meta", "obj")

    def __init__(self, x: Any, what: str = "tokens"):
        obj = x
        corpus_doc_ids = None
        if hasattr(x, "to_lists"):
            lists = x.to_lists()
        elif hasattr(x, "texts") and hasattr(x, "unit_ids"):
            # A Corpus: segment with the defaults so dfm(corpus) works like quanteda's
            # dfm(tokens(corpus)).  Imported lazily: the segmenter is optional here.
            try:
                from .segment import segment  # type: ignore
            except ImportError as exc:  # pragma: no cover - depends on install state
                raise ParameterError(
                    f"{what}: got a Corpus but quanyu_nlp.segment is unavailable ({exc}); "
                    "pass segment(corpus) or a list of token lists") from None
            obj = segment(x)
            lists = obj.to_lists()
            # Tokens carry unit ids only; the Corpus knows each unit's root document.
            corpus_doc_ids = getattr(x, "doc_ids", None)
        elif isinstance(x, (str, bytes)):
            raise ParameterError(
                f"{what}: got a single string; pass segment([...]) output or a list of "
                "token lists such as [['党建', '联合体'], ...]")
        else:
            try:
                lists = list(x)
            except TypeError:
                raise ParameterError(
                    f"{what}: expected Tokens or a list of token lists, got "
                    f"{type(x).__name__}; call segment(texts) first") from None
            for i, toks in enumerate(lists):
                if isinstance(toks, str):
                    raise ParameterError(
                        f"{what}: unit {i} is a string, not a list of tokens; segment the "
                        "texts first (from quanyu_nlp.segment import segment)")
            lists = [list(t) for t in lists]
            obj = None
        n = len(lists)
        unit_ids = getattr(obj, "unit_ids", None) if obj is not None else None
        unit_ids = [str(u) for u in unit_ids] if unit_ids is not None else [
            f"text{i + 1}" for i in range(n)]
        if len(unit_ids) != n:
            raise ParameterError(f"{what}: {len(unit_ids)} unit ids for {n} token lists")
        dv = getattr(obj, "docvars", None) if obj is not None else None
        if dv is None:
            dv = pd.DataFrame(index=range(n))
        else:
            dv = pd.DataFrame(dv).reset_index(drop=True)
        doc_ids = getattr(obj, "doc_ids", None) if obj is not None else None
        if doc_ids is None:
            doc_ids = corpus_doc_ids
        if doc_ids is None and "doc_id" in dv.columns:
            doc_ids = dv["doc_id"].tolist()
        doc_ids = [str(d) for d in doc_ids] if doc_ids is not None else list(unit_ids)
        meta = getattr(obj, "meta", None) if obj is not None else None
        self.lists = lists
        self.unit_ids = unit_ids
        self.doc_ids = doc_ids
        self.docvars = dv
        self.meta = copy.deepcopy(dict(meta)) if meta else {}
        self.obj = obj


def _ro(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _freeze(m: sp.csr_matrix) -> sp.csr_matrix:
    """Make the CSR arrays read-only so the Dfm really is immutable."""
    m = m.tocsr()
    if not m.has_canonical_format:
        m.sum_duplicates()
    for arr in (m.data, m.indices, m.indptr):
        arr.flags.writeable = False
    return m


# --------------------------------------------------------------------------------------
# The Dfm value
# --------------------------------------------------------------------------------------
class Dfm:
    """Sparse document(unit)-feature matrix with feature names and document variables.

    Build one with :func:`dfm`; constructing directly is for wrapping an existing
    matrix.

    Parameters
    ----------
    matrix : scipy.sparse matrix or array, shape (n_units, n_features)
        Counts (or weights).  Stored as CSR with read-only arrays.
    features : sequence of str
        Feature (column) names, unique.
    unit_ids : sequence of str, optional
        Row names; default ``text1``, ``text2``, ...
    docvars : DataFrame, optional
        One row per unit.
    meta : dict, optional
        Provenance; ``meta["history"]`` lists the steps, ``meta["weighting"]`` the
        current weighting (``"count"`` unless weighted).
    doc_ids : sequence of str, optional
        Root document of each unit (default: the unit ids).

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        The internal matrix (read-only arrays; not a copy).
    features, unit_ids, doc_ids : list of str
    docvars : DataFrame (a copy)
    meta : dict (a copy)
    trim_report : DataFrame
        One row per feature removed by :func:`dfm_trim` (feature, count, docfreq,
        reason, step), accumulated over successive trims.
    """

    __slots__ = ("_m", "_features", "_unit_ids", "_doc_ids", "_docvars", "_meta",
                 "_trim", "_seq", "_seq_ptr", "_seq_map", "_findex")

    def __init__(self, matrix, features, unit_ids=None, docvars=None, meta=None,
                 doc_ids=None):
        m = sp.csr_matrix(matrix) if not sp.issparse(matrix) else matrix.tocsr(copy=True)
        features = [str(f) for f in features]
        n, k = m.shape
        if len(features) != k:
            raise ParameterError(f"Dfm: {len(features)} feature names for {k} columns")
        if len(set(features)) != k:
            raise ParameterError("Dfm: feature names must be unique")
        unit_ids = [f"text{i + 1}" for i in range(n)] if unit_ids is None else [
            str(u) for u in unit_ids]
        if len(unit_ids) != n:
            raise ParameterError(f"Dfm: {len(unit_ids)} unit ids for {n} rows")
        doc_ids = list(unit_ids) if doc_ids is None else [str(d) for d in doc_ids]
        dv = pd.DataFrame(index=range(n)) if docvars is None else pd.DataFrame(
            docvars).reset_index(drop=True)
        if len(dv) != n:
            raise ParameterError(f"Dfm: docvars has {len(dv)} rows for {n} units")
        meta = copy.deepcopy(dict(meta or {}))
        meta.setdefault("history", [])
        meta.setdefault("weighting", "count")
        self._init(_freeze(m), tuple(features), tuple(unit_ids), tuple(doc_ids), dv, meta,
                   None, None, None, None)

    # internal constructor: no validation, arrays are shared
    def _init(self, m, features, unit_ids, doc_ids, docvars, meta, trim, seq, seq_ptr,
              seq_map):
        s = object.__setattr__
        s(self, "_m", m)
        s(self, "_features", features)
        s(self, "_unit_ids", unit_ids)
        s(self, "_doc_ids", doc_ids)
        s(self, "_docvars", docvars)
        s(self, "_meta", meta)
        s(self, "_trim", trim if trim is not None else pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(
                _TRIM_COLUMNS, ["object", "int64", "int64", "object", "int64"])}))
        s(self, "_seq", seq)
        s(self, "_seq_ptr", seq_ptr)
        s(self, "_seq_map", seq_map)
        s(self, "_findex", None)

    @classmethod
    def _make(cls, m, features, unit_ids, doc_ids, docvars, meta, trim=None, seq=None,
              seq_ptr=None, seq_map=None) -> "Dfm":
        self = cls.__new__(cls)
        self._init(m, tuple(features), tuple(unit_ids), tuple(doc_ids), docvars, meta,
                   trim, seq, seq_ptr, seq_map)
        return self

    def _derive(self, **changes) -> "Dfm":
        """A new Dfm sharing everything not in ``changes``."""
        state = dict(m=self._m, features=self._features, unit_ids=self._unit_ids,
                     doc_ids=self._doc_ids, docvars=self._docvars,
                     meta=copy.deepcopy(self._meta), trim=self._trim, seq=self._seq,
                     seq_ptr=self._seq_ptr, seq_map=self._seq_map)
        step = changes.pop("step", None)
        state.update(changes)
        if step is not None:
            state["meta"]["history"].append(step)
        return Dfm._make(**state)

    def __setattr__(self, name, value):
        raise AttributeError("Dfm is immutable; use dfm_* functions to derive a new one")

    def __reduce__(self):
        return (Dfm._make, (self._m, self._features, self._unit_ids, self._doc_ids,
                            self._docvars, self._meta, self._trim, self._seq,
                            self._seq_ptr, self._seq_map))

    # ---------------------------------------------------------------- accessors
    @property
    def matrix(self) -> sp.csr_matrix:
        """The CSR matrix itself (read-only arrays, no copy)."""
        return self._m

    @property
    def shape(self) -> tuple[int, int]:
        return self._m.shape

    @property
    def n_units(self) -> int:
        return self._m.shape[0]

    @property
    def n_features(self) -> int:
        return self._m.shape[1]

    def __len__(self) -> int:
        return self._m.shape[0]

    @property
    def features(self) -> list[str]:
        return list(self._features)

    @property
    def unit_ids(self) -> list[str]:
        return list(self._unit_ids)

    @property
    def doc_ids(self) -> list[str]:
        return list(self._doc_ids)

    @property
    def docvars(self) -> pd.DataFrame:
        return self._docvars.copy()

    @property
    def meta(self) -> dict:
        return copy.deepcopy(self._meta)

    @property
    def weighting(self) -> str:
        return self._meta.get("weighting", "count")

    @property
    def trim_report(self) -> pd.DataFrame:
        return self._trim.copy()

    def feature_index(self, feature: str) -> int:
        """Column of ``feature`` (KeyError if absent)."""
        if self._findex is None:
            object.__setattr__(self, "_findex", {f: i for i, f in enumerate(self._features)})
        return self._findex[feature]

    def __contains__(self, feature) -> bool:
        try:
            self.feature_index(feature)
        except KeyError:
            return False
        return True

    # ---------------------------------------------------------------- summaries
    def featfreq(self) -> np.ndarray:
        """Column sums (total count of each feature)."""
        return np.asarray(self._m.sum(axis=0)).ravel()

    def docfreq(self) -> np.ndarray:
        """Number of units in which each feature occurs."""
        return np.bincount(self._m.indices[self._m.data != 0], minlength=self.n_features)

    def ntoken(self) -> np.ndarray:
        """Row sums (tokens per unit for a count Dfm)."""
        return np.asarray(self._m.sum(axis=1)).ravel()

    def topfeatures(self, n: int = 10, scheme: str = "count") -> pd.Series:
        """The ``n`` most frequent features.

        Parameters
        ----------
        n : int
            How many (``None`` for all).
        scheme : {"count", "docfreq"}
            Rank by total value or by the number of units containing the feature.

        Returns
        -------
        Series
            Feature -> value, descending; ties keep feature order.
        """
        if scheme == "count":
            v = self.featfreq()
        elif scheme == "docfreq":
            v = self.docfreq()
        else:
            raise ParameterError(f"topfeatures: unknown scheme {scheme!r}; use 'count' or "
                                 "'docfreq'")
        order = np.argsort(-v, kind="stable")
        if n is not None:
            order = order[: int(n)]
        return pd.Series(v[order], index=[self._features[i] for i in order], name=scheme)

    # ---------------------------------------------------------------- conversions
    def to_sklearn(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """``(X, feature_names)`` for scikit-learn estimators; ``X`` is not copied.

        scikit-learn estimators that need floats make their own converted copy, so the
        Dfm's read-only arrays are never written to.
        """
        return self._m, np.array(self._features, dtype=object)

    def to_gensim(self, as_list: bool = False):
        """A gensim ``Dictionary`` and a corpus whose ids match :attr:`features`.

        Parameters
        ----------
        as_list : bool
            ``False`` (default): a streaming :class:`gensim.matutils.Sparse2Corpus` over
            the CSR rows (no copy of the counts).  ``True``: a list of bag-of-words
            lists of ``(id, count)`` with Python ints/floats.

        Returns
        -------
        (gensim.corpora.Dictionary, corpus)
        """
        from gensim.corpora import Dictionary
        from gensim.matutils import Sparse2Corpus

        d = Dictionary()
        d.token2id = {f: i for i, f in enumerate(self._features)}
        df = self.docfreq()
        cf = self.featfreq()
        d.dfs = {i: int(v) for i, v in enumerate(df)}
        d.cfs = {i: (int(v) if float(v).is_integer() else float(v)) for i, v in enumerate(cf)}
        d.num_docs = self.n_units
        d.num_pos = int(cf.sum()) if self.weighting == "count" else int(round(cf.sum()))
        d.num_nnz = int(self._m.nnz)
        if as_list:
            integral = self.weighting in ("count", "boolean")
            m = self._m
            corpus = []
            for i in range(self.n_units):
                a, b = m.indptr[i], m.indptr[i + 1]
                vals = m.data[a:b].tolist()
                if integral:
                    vals = [int(v) for v in vals]
                corpus.append(list(zip(m.indices[a:b].tolist(), vals)))
            return d, corpus
        return d, Sparse2Corpus(self._m, documents_columns=False)

    def to_token_lists(self) -> list[list[str]]:
        """Per unit, the tokens that are still features, in their original order.

        For a Dfm built by :func:`dfm` the original token order is kept (removed
        features are skipped).  For a Dfm built from a bare matrix the order is
        unknown, so each feature is repeated ``count`` times in feature order.
        Weighting does not change the result (it is computed from the token stream).
        """
        if self._seq is None:
            return self._expand_counts()
        mapped = self._seq_map[self._seq]
        keep = mapped >= 0
        kept = mapped[keep]
        cum = np.concatenate([[0], np.cumsum(keep)])
        ptr = cum[self._seq_ptr]
        feats = self._features
        toks = [feats[j] for j in kept.tolist()]
        bounds = ptr.tolist()
        return [toks[bounds[i]:bounds[i + 1]] for i in range(len(bounds) - 1)]

    def to_tomotopy_docs(self) -> list[list[str]]:
        """Token lists for ``tomotopy`` (``model.add_doc(words)``); see
        :meth:`to_token_lists`.  Units left without any feature give empty lists:
        skip them when adding documents (``if words: model.add_doc(words)``)."""
        return self.to_token_lists()

    def _expand_counts(self) -> list[list[str]]:
        if self.weighting not in ("count", "boolean"):
            raise ParameterError("to_token_lists: this Dfm was built from a weighted "
                                 "matrix without token order; build it with dfm(tokens)")
        m = self._m
        out = []
        for i in range(self.n_units):
            a, b = m.indptr[i], m.indptr[i + 1]
            row = []
            for j, c in zip(m.indices[a:b].tolist(), m.data[a:b].tolist()):
                row.extend([self._features[j]] * int(c))
            out.append(row)
        return out

    def to_frame(self, max_cells: int = 10_000_000) -> pd.DataFrame:
        """Dense DataFrame (units x features) for small data.

        Raises :class:`ParameterError` above ``max_cells`` cells -- trim first, or use
        :attr:`matrix`.
        """
        n, k = self.shape
        if n * k > max_cells:
            raise ParameterError(f"to_frame: {n} x {k} = {n * k} cells exceeds max_cells="
                                 f"{max_cells}; dfm_trim first or raise max_cells")
        return pd.DataFrame(self._m.toarray(), index=pd.Index(self._unit_ids, name="unit_id"),
                            columns=list(self._features))

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        n, k = self.shape
        return (f"Dfm({n} units x {k} features, {self._sparsity():.1%} sparse, "
                f"weighting={self.weighting!r})")

    def _sparsity(self) -> float:
        n, k = self.shape
        return 1.0 - (self._m.nnz / (n * k)) if n * k else 1.0

    def _repr_html_(self, max_rows: int = 8, max_cols: int = 10) -> str:
        n, k = self.shape
        head = (f"<p><b>Dfm</b>: {n} units &times; {k} features, "
                f"{self._sparsity():.1%} sparse, weighting "
                f"<code>{html.escape(self.weighting)}</code></p>")
        if n == 0 or k == 0:
            return head
        # Show the most frequent features so the preview is informative.
        top = np.argsort(-self.featfreq(), kind="stable")[:max_cols]
        sub = self._m[:max_rows][:, top].toarray()
        frame = pd.DataFrame(sub, index=list(self._unit_ids[:max_rows]),
                             columns=[self._features[j] for j in top])
        return head + frame.to_html(escape=True, border=0)


# --------------------------------------------------------------------------------------
# Construction
# --------------------------------------------------------------------------------------
def dfm(tokens, min_len: int = 1) -> Dfm:
    """Count tokens per unit into a sparse document-feature matrix.

    Parameters
    ----------
    tokens : Tokens, list of list of str, or Corpus
        Output of :func:`quanyu_nlp.segment.segment`, plain token lists, or a Corpus
        (segmented with the default segmenter).  A :class:`Dfm` is returned unchanged.
    min_len : int, default 1
        Drop tokens shorter than this many characters.  The default keeps
        one-character tokens (党, 村, 县), unlike scikit-learn's default token pattern.
        Whitespace-only tokens are always dropped.  Both counts go to ``meta``.

    Returns
    -------
    Dfm
        Counts (int32), features in order of first appearance.

    Examples
    --------
    >>> d = dfm([["党建", "联合体", "党"], ["党"]])
    >>> d.features, d.featfreq().tolist()
    (['党建', '联合体', '党'], [1, 1, 2])
    """
    if isinstance(tokens, Dfm):
        return tokens
    if not isinstance(min_len, (int, np.integer)) or min_len < 1:
        raise ParameterError(f"dfm: min_len must be an integer >= 1, got {min_len!r}")
    src = _TokenSource(tokens, "dfm")
    vocab: dict = {}
    feats: list[str] = []
    seq = array("i")
    ptr = [0]
    n_short = n_space = 0
    for i, toks in enumerate(src.lists):
        for t in toks:
            if t not in vocab:
                if not isinstance(t, str):
                    raise ParameterError(f"dfm: unit {i} ({src.unit_ids[i]}) contains a "
                                         f"non-string token {t!r}; tokens must be str")
                if not t.strip():
                    vocab[t] = -1
                elif len(t) < min_len:
                    vocab[t] = -2
                else:
                    vocab[t] = len(feats)
                    feats.append(t)
        seq.extend([vocab[t] for t in toks])
        ptr.append(len(seq))
    s = np.frombuffer(seq, dtype=np.int32) if len(seq) else np.zeros(0, dtype=np.int32)
    n_space = int(np.count_nonzero(s == -1))
    n_short = int(np.count_nonzero(s == -2))
    keep = s >= 0
    ptr_a = np.asarray(ptr, dtype=np.int64)
    if keep.all():
        kept, kptr = s.copy(), ptr_a
    else:
        kept = s[keep]
        kptr = np.concatenate([[0], np.cumsum(keep)])[ptr_a]
    n, k = len(src.lists), len(feats)
    # The matrix gets its own index arrays: sum_duplicates sorts them in place, and
    # ``kept`` must stay in token order for to_token_lists().
    m = sp.csr_matrix((np.ones(len(kept), dtype=np.int32), kept.copy(), kptr.copy()),
                      shape=(n, k))
    m.sum_duplicates()
    meta = {
        "history": [{"step": "dfm", "min_len": int(min_len), "units": n, "features": k,
                     "tokens": int(len(kept)), "dropped_whitespace": n_space,
                     "dropped_short": n_short}],
        "weighting": "count",
        "feature_order": "first appearance",
        "source": src.meta,
    }
    return Dfm._make(_freeze(m), feats, src.unit_ids, src.doc_ids, src.docvars, meta,
                     seq=_ro(kept), seq_ptr=_ro(kptr),
                     seq_map=_ro(np.arange(k, dtype=np.int64)))


# --------------------------------------------------------------------------------------
# Column operations
# --------------------------------------------------------------------------------------
def _keep_columns(d: Dfm, keep: np.ndarray, step: dict, trim=None) -> Dfm:
    """New Dfm with only the columns where ``keep`` is True (order preserved)."""
    cols = np.flatnonzero(keep)
    m = _freeze(d._m[:, cols])
    remap = np.full(d.n_features, -1, dtype=np.int64)
    remap[cols] = np.arange(len(cols))
    seq_map = None
    if d._seq_map is not None:
        old = d._seq_map
        seq_map = _ro(np.where(old >= 0, remap[np.maximum(old, 0)], -1))
    feats = [d._features[j] for j in cols]
    return d._derive(m=m, features=tuple(feats), seq_map=seq_map, step=step,
                     **({"trim": trim} if trim is not None else {}))


def _check_int(name, v, allow_none=True):
    if v is None and allow_none:
        return None
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)) or v < 0:
        raise ParameterError(f"{name} must be a non-negative integer, got {v!r}")
    return int(v)


def _count_or_share(name, v, n_units):
    """int -> count; float in [0, 1] -> share of units (converted to a count bound)."""
    if v is None:
        return None, None
    if isinstance(v, (bool, np.bool_)):
        raise ParameterError(f"{name} must be an int (units) or a float share in [0, 1]")
    if isinstance(v, (int, np.integer)):
        if v < 0:
            raise ParameterError(f"{name} must be >= 0, got {v}")
        return float(v), "count"
    if isinstance(v, (float, np.floating)):
        if not 0.0 <= v <= 1.0:
            raise ParameterError(f"{name}={v} is a float, read as a share of units, so it "
                                 "must be in [0, 1]; pass an int for a number of units")
        return float(v) * n_units, "share"
    raise ParameterError(f"{name} must be an int or a float share, got {type(v).__name__}")


def dfm_trim(d: Dfm, min_count: int | None = None, min_docs: int | float | None = None,
             max_docfreq: int | float | None = None, max_count: int | None = None,
             max_features: int | None = None) -> Dfm:
    """Remove rare / ubiquitous features and report what was removed.

    Parameters
    ----------
    d : Dfm
        A count Dfm (trim before weighting).
    min_count : int, optional
        Remove features with a total count below this.
    min_docs : int or float, optional
        Remove features occurring in fewer units than this (int: units; float in
        [0, 1]: share of units).
    max_docfreq : int or float, optional
        Remove features occurring in more units than this (int: units; float in
        [0, 1]: share of units, e.g. 0.9).
    max_count : int, optional
        Remove features with a total count above this.
    max_features : int, optional
        After the other rules, keep only the this many most frequent features
        (ties broken by feature order).

    Returns
    -------
    Dfm
        ``.trim_report`` lists every removed feature with its count, docfreq and the
        first rule that removed it; ``meta["history"][-1]`` has the totals
        (features_removed, tokens_removed, units_emptied, by_reason).

    Examples
    --------
    >>> d = dfm([["党", "建", "党"], ["党", "村"]])
    >>> t = dfm_trim(d, min_count=2)
    >>> t.features, t.trim_report["feature"].tolist()
    (['党'], ['建', '村'])
    """
    _require_count(d, "dfm_trim")
    min_count = _check_int("dfm_trim: min_count", min_count)
    max_count = _check_int("dfm_trim: max_count", max_count)
    max_features = _check_int("dfm_trim: max_features", max_features)
    n = d.n_units
    lo, lo_kind = _count_or_share("dfm_trim: min_docs", min_docs, n)
    hi, hi_kind = _count_or_share("dfm_trim: max_docfreq", max_docfreq, n)
    cf = d.featfreq()
    df = d.docfreq()
    reason = np.full(d.n_features, None, dtype=object)

    def mark(mask, why):
        sel = mask & (reason == None)  # noqa: E711 - elementwise on an object array
        reason[sel] = why

    if min_count is not None:
        mark(cf < min_count, "min_count")
    if max_count is not None:
        mark(cf > max_count, "max_count")
    if lo is not None:
        mark(df < lo - 1e-9, "min_docs")
    if hi is not None:
        mark(df > hi + 1e-9, "max_docfreq")
    if max_features is not None:
        alive = np.flatnonzero(reason == None)  # noqa: E711
        if len(alive) > max_features:
            order = alive[np.argsort(-cf[alive], kind="stable")]
            drop = np.zeros(d.n_features, dtype=bool)
            drop[order[max_features:]] = True
            mark(drop, "max_features")
    removed = reason != None  # noqa: E711
    idx = np.flatnonzero(removed)
    prev_steps = int(d._trim["step"].max()) if len(d._trim) else 0
    rows = pd.DataFrame({
        "feature": [d._features[j] for j in idx],
        "count": cf[idx].astype("int64"),
        "docfreq": df[idx].astype("int64"),
        "reason": reason[idx],
        "step": np.full(len(idx), prev_steps + 1, dtype="int64"),
    }, columns=_TRIM_COLUMNS)
    report = rows if not len(d._trim) else pd.concat([d._trim, rows], ignore_index=True)
    rt = d.ntoken()
    kept_tokens = np.asarray(d._m[:, np.flatnonzero(~removed)].sum(axis=1)).ravel()
    step = {
        "step": "trim",
        "params": {"min_count": min_count, "min_docs": min_docs, "max_docfreq": max_docfreq,
                   "max_count": max_count, "max_features": max_features},
        "features_before": int(d.n_features),
        "features_after": int(d.n_features - len(idx)),
        "features_removed": int(len(idx)),
        "tokens_before": int(cf.sum()),
        "tokens_removed": int(cf[idx].sum()),
        "units_emptied": int(np.count_nonzero((rt > 0) & (kept_tokens == 0))),
        "by_reason": {r: int(c) for r, c in
                      pd.Series(reason[idx], dtype=object).value_counts(sort=False).items()},
    }
    return _keep_columns(d, ~removed, step, trim=report.reset_index(drop=True))


def _match_features(features: Sequence[str], patterns, valuetype: str,
                    case_insensitive: bool) -> np.ndarray:
    """Boolean mask over ``features`` of those matching any of ``patterns``."""
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = [str(p) for p in patterns]
    feats = list(features)
    if valuetype == "fixed":
        if case_insensitive:
            want = {p.casefold() for p in patterns}
            return np.array([f.casefold() in want for f in feats], dtype=bool)
        want = set(patterns)
        return np.array([f in want for f in feats], dtype=bool)
    flags = re.IGNORECASE if case_insensitive else 0
    if valuetype == "glob":
        regs = [re.compile(fnmatch.translate(p), flags) for p in patterns]
        return np.array([any(r.match(f) for r in regs) for f in feats], dtype=bool)
    if valuetype == "regex":
        try:
            regs = [re.compile(p, flags) for p in patterns]
        except re.error as exc:
            raise ParameterError(f"bad regular expression: {exc}") from None
        return np.array([any(r.search(f) for r in regs) for f in feats], dtype=bool)
    raise ParameterError(f"unknown valuetype {valuetype!r}; use 'fixed', 'glob' or 'regex'")


def dfm_select(d: Dfm, features, valuetype: str = "fixed",
               case_insensitive: bool = False) -> Dfm:
    """Keep only the features matching ``features`` (column order unchanged).

    Parameters
    ----------
    d : Dfm
    features : str or sequence of str
        Feature names, glob patterns (``党建*``) or regular expressions.
    valuetype : {"fixed", "glob", "regex"}
    case_insensitive : bool
        Matters only for Latin letters (e.g. ``AI``).
    """
    mask = _match_features(d._features, features, valuetype, case_insensitive)
    step = {"step": "select", "valuetype": valuetype, "kept": int(mask.sum()),
            "removed": int((~mask).sum())}
    return _keep_columns(d, mask, step)


def dfm_remove(d: Dfm, features, valuetype: str = "fixed",
               case_insensitive: bool = False) -> Dfm:
    """Drop the features matching ``features`` (e.g. a stopword list); see
    :func:`dfm_select`."""
    mask = _match_features(d._features, features, valuetype, case_insensitive)
    cf = d.featfreq()
    step = {"step": "remove", "valuetype": valuetype, "removed": int(mask.sum()),
            "tokens_removed": float(cf[mask].sum()) if d.weighting != "count"
            else int(cf[mask].sum())}
    return _keep_columns(d, ~mask, step)


def dfm_match(d: Dfm, features: Sequence[str]) -> Dfm:
    """Conform ``d`` to exactly ``features`` (in that order), e.g. a training vocabulary.

    Features of ``d`` not in ``features`` are dropped; features missing from ``d``
    become zero columns.  Used to transform new documents with a fitted model.
    """
    features = [str(f) for f in features]
    if len(set(features)) != len(features):
        raise ParameterError("dfm_match: features must be unique")
    pos = {f: i for i, f in enumerate(d._features)}
    src_cols = np.array([pos.get(f, -1) for f in features], dtype=np.int64)
    present = src_cols >= 0
    # P maps old columns onto new ones: a sparse selection matrix, no dense step.
    P = sp.csr_matrix((np.ones(int(present.sum()), dtype=d._m.dtype),
                       (src_cols[present], np.flatnonzero(present))),
                      shape=(d.n_features, len(features)))
    m = _freeze(d._m @ P)
    remap = np.full(d.n_features, -1, dtype=np.int64)
    remap[src_cols[present]] = np.flatnonzero(present)
    seq_map = None
    if d._seq_map is not None:
        old = d._seq_map
        seq_map = _ro(np.where(old >= 0, remap[np.maximum(old, 0)], -1))
    step = {"step": "match", "features": len(features), "missing": int((~present).sum()),
            "dropped": int(d.n_features - present.sum())}
    return d._derive(m=m, features=tuple(features), seq_map=seq_map, step=step)


# --------------------------------------------------------------------------------------
# Row operations
# --------------------------------------------------------------------------------------
def _resolve_rows(n: int, unit_ids: Sequence[str], docvars: pd.DataFrame, rows,
                  what: str) -> np.ndarray:
    """Turn a boolean mask, list of unit ids or ``(docvar, value)`` into a row mask."""
    if isinstance(rows, tuple) and len(rows) == 2 and isinstance(rows[0], str):
        field, value = rows
        if field not in docvars.columns:
            raise ColumnError(f"{what}: no document variable {field!r}; available: "
                              f"{', '.join(map(str, docvars.columns)) or '(none)'}")
        col = docvars[field]
        if isinstance(value, (list, set, frozenset)):
            return col.isin(list(value)).to_numpy(dtype=bool)
        return (col == value).to_numpy(dtype=bool)
    if isinstance(rows, (pd.Series, np.ndarray, list)) and len(rows) == n and n > 0 and all(
            isinstance(v, (bool, np.bool_)) for v in list(rows)):
        return np.asarray(rows, dtype=bool)
    if isinstance(rows, str):
        rows = [rows]
    try:
        wanted = [str(r) for r in rows]
    except TypeError:
        raise ParameterError(f"{what}: expected a boolean mask, a list of unit ids or a "
                             "(docvar, value) tuple") from None
    pos = set(unit_ids)
    missing = [w for w in wanted if w not in pos]
    if missing:
        raise ParameterError(f"{what}: unknown unit id(s) {', '.join(missing[:5])}"
                             f"{' ...' if len(missing) > 5 else ''}; see .unit_ids")
    w = set(wanted)
    return np.array([u in w for u in unit_ids], dtype=bool)


def dfm_subset(d: Dfm, rows) -> Dfm:
    """Keep the units selected by ``rows``.

    Parameters
    ----------
    rows : boolean mask, list of unit ids, or (docvar, value) tuple
        e.g. ``("field", "农村")`` or ``("year", [2021, 2022])``.
    """
    mask = _resolve_rows(d.n_units, d._unit_ids, d._docvars, rows, "dfm_subset")
    idx = np.flatnonzero(mask)
    seq, ptr = d._seq, d._seq_ptr
    if seq is not None:
        seq, ptr = _take_seq(seq, ptr, idx)
    step = {"step": "subset", "units_before": d.n_units, "units_after": int(len(idx))}
    return d._derive(m=_freeze(d._m[idx]),
                     unit_ids=tuple(d._unit_ids[i] for i in idx),
                     doc_ids=tuple(d._doc_ids[i] for i in idx),
                     docvars=d._docvars.iloc[idx].reset_index(drop=True),
                     seq=seq, seq_ptr=ptr, step=step)


def _take_seq(seq, ptr, order):
    """Token-index stream of units ``order`` (concatenated) and its pointer array."""
    lens = (ptr[1:] - ptr[:-1])[order]
    new_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    if len(order) == 0:
        return _ro(np.zeros(0, dtype=seq.dtype)), _ro(new_ptr)
    parts = [seq[ptr[i]:ptr[i + 1]] for i in order.tolist()]
    return _ro(np.concatenate(parts)), _ro(new_ptr)


def dfm_group(d: Dfm, by) -> Dfm:
    """Sum rows by a document variable (e.g. all units of one region or year).

    Parameters
    ----------
    d : Dfm
        A count (or boolean) Dfm.
    by : str or array-like
        Name of a document variable, or one group label per unit.  Missing values form
        their own group.

    Returns
    -------
    Dfm
        One row per group, groups sorted (or in order of first appearance when the
        labels cannot be sorted).  ``unit_ids`` are the group labels as str;
        ``docvars`` holds ``by`` plus every variable constant within each group.

    Raises
    ------
    ColumnError
        ``by`` is not a document variable (the message lists the available ones).
    """
    if d.weighting not in ("count", "boolean"):
        raise ParameterError(f"dfm_group: this Dfm is weighted {d.weighting!r}; group the "
                             "count Dfm, then weight")
    dv = d._docvars
    if isinstance(by, str):
        if by not in dv.columns:
            raise ColumnError(f"dfm_group: no document variable {by!r}; available: "
                              f"{', '.join(map(str, dv.columns)) or '(none)'}")
        labels = dv[by]
        name = by
    else:
        labels = pd.Series(list(by))
        name = "group"
        if len(labels) != d.n_units:
            raise ParameterError(f"dfm_group: {len(labels)} group labels for "
                                 f"{d.n_units} units")
    try:
        codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    except TypeError:
        codes, uniques = pd.factorize(labels, sort=False, use_na_sentinel=False)
    g = len(uniques)
    n = d.n_units
    G = sp.csr_matrix((np.ones(n, dtype=d._m.dtype), (codes, np.arange(n))), shape=(g, n))
    m = _freeze(G @ d._m)
    # Keep docvars that are constant within every group (as quanteda does).
    out = {name: list(uniques)}
    for c in dv.columns:
        if c == name:
            continue
        nun = dv[c].groupby(codes, dropna=False).nunique(dropna=False)
        if len(nun) == g and (nun <= 1).all():
            out[c] = dv[c].groupby(codes, dropna=False).first().reindex(range(g)).tolist()
    new_dv = pd.DataFrame(out)
    seq, ptr = d._seq, d._seq_ptr
    if seq is not None:
        order = np.argsort(codes, kind="stable")
        s2, _ = _take_seq(seq, ptr, order)
        sizes = np.bincount(codes, weights=(ptr[1:] - ptr[:-1]), minlength=g)
        seq, ptr = s2, _ro(np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))
    ids = tuple("NA" if (isinstance(u, float) and math.isnan(u)) or u is None
                else str(u) for u in uniques)
    step = {"step": "group", "by": name, "groups": g,
            "sizes": {i: int(c) for i, c in zip(ids, np.bincount(codes, minlength=g))}}
    return d._derive(m=m, unit_ids=ids, doc_ids=ids, docvars=new_dv, seq=seq, seq_ptr=ptr,
                     step=step)


# --------------------------------------------------------------------------------------
# Weighting
# --------------------------------------------------------------------------------------
def _require_count(d: Dfm, what: str):
    if not isinstance(d, Dfm):
        raise ParameterError(f"{what}: expected a Dfm (build one with dfm(tokens)), got "
                             f"{type(d).__name__}")
    if d.weighting != "count":
        raise ParameterError(f"{what}: this Dfm is already weighted {d.weighting!r}; "
                             "apply it to the count Dfm")


def dfm_weight(d: Dfm, scheme: str = "count", base: float = 10.0) -> Dfm:
    """Weight the counts.

    Parameters
    ----------
    d : Dfm
        A count Dfm.
    scheme : {"count", "prop", "tfidf", "boolean", "logcount"}
        ``count``: unchanged.  ``prop``: each row divided by its total (empty rows stay
        0).  ``tfidf``: count x log_base(N / docfreq) -- quanteda's default, *not*
        scikit-learn's smoothed, l2-normalised variant (for that use
        ``TfidfTransformer().fit_transform(d.to_sklearn()[0])``).  ``boolean``: 1 where
        the feature occurs.  ``logcount``: 1 + log_base(count) for non-zero counts.
    base : float
        Logarithm base for ``tfidf`` and ``logcount``.

    Returns
    -------
    Dfm
        ``meta["weighting"]`` is ``scheme``.
    """
    if scheme not in WEIGHT_SCHEMES:
        raise ParameterError(f"dfm_weight: unknown scheme {scheme!r}; use one of "
                             f"{', '.join(WEIGHT_SCHEMES)}")
    _require_count(d, "dfm_weight")
    if scheme == "count":
        return d
    if not base > 0 or base == 1:
        raise ParameterError(f"dfm_weight: base must be > 0 and != 1, got {base}")
    m = d._m
    if scheme == "boolean":
        new = sp.csr_matrix((np.ones_like(m.data), m.indices.copy(), m.indptr.copy()),
                            shape=m.shape)
    elif scheme == "prop":
        tot = np.asarray(m.sum(axis=1)).ravel().astype(float)
        inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
        new = sp.diags(inv) @ m.astype(np.float64)
    elif scheme == "logcount":
        data = 1.0 + np.log(m.data.astype(np.float64)) / math.log(base)
        new = sp.csr_matrix((data, m.indices.copy(), m.indptr.copy()), shape=m.shape)
    else:  # tfidf
        df = d.docfreq().astype(float)
        idf = np.divide(np.log(np.maximum(d.n_units, 1) / np.maximum(df, 1)),
                        math.log(base))
        new = m.astype(np.float64) @ sp.diags(idf)
    new = sp.csr_matrix(new)
    new.eliminate_zeros()  # tfidf of a feature in every unit is 0: do not store it
    meta_step = {"step": "weight", "scheme": scheme, "base": base}
    out = d._derive(m=_freeze(new), step=meta_step)
    out._meta["weighting"] = scheme
    return out
