"""Dictionary (seed-term) coding with negation and scope handling."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ..errors import ParameterError
from ._framework import (dimension_labels, framework_meta, none_label, resolve_framework,
                         select_dimensions)
from ._text import (clause_of, clause_spans, in_purpose_clause, is_negated, sentence_spans,
                    tokenize)
from ._units import as_texts, as_units
from .codings import Codings, codings_from_proba

__all__ = ["DictionaryCoder"]

_SCOPES = ("clause", "sentence", "unit")


def _term_weight(term: str) -> float:
    # Longer seed terms are more specific (党建联合体 says more than 党建), so they count
    # more; capped so that one long phrase does not drown everything else.
    return float(min(1.0 + 0.25 * max(len(term) - 2, 0), 2.0))


# What people type into the accept column in Excel or WPS to keep a proposal.
_YES = {"true", "1", "1.0", "yes", "y", "x", "是", "对", "√", "✓", "✔", "保留", "接受"}


def _accepted(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return str(value).strip().lower() in _YES


class DictionaryCoder(BaseEstimator):
    """Code units by the framework's seed terms, honouring negation and purpose clauses.

    A seed term that the segmenter keeps as one short word (two characters or fewer) must
    end where a token ends: it may be the whole token or the head of a compound (Chinese
    compounds are head-final, so 党委 counts inside 社区党委), but not the modifier of one
    (组织 does not fire inside 组织力).  Longer or multi-word seeds match as raw
    substrings.  Where two seeds overlap, the longer one wins.  A match
    preceded by a negator (未, 没有, 不, 尚未, 并非, …) inside its scope is cancelled.  In
    the dimensions listed in ``achieved_only`` (the codebook's results dimension) a match
    inside a purpose, plan or duty clause (为了, 要, 将, 让, 力争, …) is cancelled too,
    because only results stated as achieved count.

    Parameters
    ----------
    framework : str or Framework, default "quanyu"
        A built-in name, a path to a .toml codebook, or a loaded Framework.
    dimension : str or list of str, optional
        The dimensions to code; all by default.
    negation : bool, default True
        Cancel negated matches.
    scope : {"clause", "sentence", "unit"}, default "clause"
        How far a negator or a purpose marker reaches.
    achieved_only : tuple of str, default ("results",)
        Dimensions whose matches count only outside purpose clauses.
    extra_terms : dict, optional
        ``{dimension: {category label: [terms]}}`` added to the seeds (see
        :meth:`with_accepted`).
    smoothing : float, default 0.5
        Pseudo-score of the none category; one plain seed match gives 1/(1+0.5) ≈ 0.67.
    random_state : int, default 0
        Seed of the word2vec model in :meth:`expand_seeds`.

    Examples
    --------
    >>> dc = DictionaryCoder("quanyu").fit()                    # doctest: +SKIP
    >>> dc.predict(["社区党委组建党建联合体，把新就业群体纳入组织覆盖。"])  # doctest: +SKIP
    """

    def __init__(self, framework: Any = "quanyu", dimension: str | Sequence[str] | None = None,
                 negation: bool = True, scope: str = "clause",
                 achieved_only: Sequence[str] = ("results",),
                 extra_terms: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                 smoothing: float = 0.5, random_state: int = 0):
        self.framework = framework
        self.dimension = dimension
        self.negation = negation
        self.scope = scope
        self.achieved_only = achieved_only
        self.extra_terms = extra_terms
        self.smoothing = smoothing
        self.random_state = random_state

    # -- fitting ------------------------------------------------------------------
    def fit(self, X: Any = None, y: Any = None) -> "DictionaryCoder":
        """Compile the seed terms; ``X`` and ``y`` are ignored (kept for sklearn)."""
        if self.scope not in _SCOPES:
            raise ParameterError(
                f"scope={self.scope!r} is not known; use one of {', '.join(_SCOPES)}")
        if self.smoothing <= 0:
            raise ParameterError("smoothing must be > 0")
        fw = resolve_framework(self.framework)
        dims = select_dimensions(fw, self.dimension)
        self.framework_ = fw
        self.dimensions_ = [d.id for d in dims]
        self.labels_ = {d.id: dimension_labels(d) for d in dims}
        self.none_labels_ = {d.id: none_label(d) for d in dims}
        extra = self.extra_terms or {}
        terms: dict[str, dict[str, str]] = {}
        for d in dims:
            table: dict[str, str] = {}
            cat_labels = {c.label for c in d.categories} | {c.id for c in d.categories}
            id_to_label = {c.id: c.label for c in d.categories}
            for c in d.categories:
                for t in c.seed_terms:
                    t = str(t).strip()
                    # A seed listed under two categories is ambiguous: first one wins.
                    if t and t not in table:
                        table[t] = c.label
            for cat, ts in (extra.get(d.id) or {}).items():
                if cat not in cat_labels:
                    raise ParameterError(f"extra_terms: dimension {d.id!r} has no category "
                                         f"{cat!r}; categories are: "
                                         f"{', '.join(c.label for c in d.categories)}")
                for t in ts:
                    t = str(t).strip()
                    if t and t not in table:
                        table[t] = id_to_label.get(cat, cat)
            terms[d.id] = table
        self.terms_ = terms
        # Which short seeds must end on a token boundary: those the segmenter keeps as a
        # single word.
        all_terms = sorted({t for tab in terms.values() for t in tab if len(t) <= 2})
        toks = tokenize(all_terms)
        self.token_terms_ = {t for t, tk in zip(all_terms, toks) if len(tk) == 1}
        self.patterns_ = {}
        for dim, tab in terms.items():
            ordered = sorted(tab, key=lambda t: (-len(t), t))
            self.patterns_[dim] = (
                re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None)
        return self

    def _check(self) -> None:
        if not hasattr(self, "terms_"):
            self.fit()

    # -- matching -----------------------------------------------------------------
    def match(self, X: Any) -> pd.DataFrame:
        """Every seed-term match in the units of ``X``, with why it counts or not.

        Returns
        -------
        DataFrame
            unit (position), dimension, category, term, start, end (offsets in the
            unit's text), negated, purpose, weight (0 when cancelled).
        """
        self._check()
        texts = as_texts(X)
        tokens = tokenize(texts)
        rows = []
        for i, (text, tk) in enumerate(zip(texts, tokens)):
            ends = {e for _, _, e in tk}
            if self.scope == "clause":
                spans = clause_spans(text)
            elif self.scope == "sentence":
                spans = sentence_spans(text)
            else:
                spans = [(0, len(text))]
            sents = sentence_spans(text)
            for dim in self.dimensions_:
                pat = self.patterns_[dim]
                if pat is None:
                    continue
                for m in pat.finditer(text):
                    term = m.group(0)
                    s, e = m.span()
                    if term in self.token_terms_ and e not in ends:
                        continue
                    span = clause_of(spans, s)
                    neg = bool(self.negation) and is_negated(tk, span, s)
                    purpose = False
                    if dim in self.achieved_only:
                        purpose = in_purpose_clause(tk, span, clause_of(sents, s), s)
                    w = 0.0 if (neg or purpose) else _term_weight(term)
                    rows.append((i, dim, self.terms_[dim][term], term, s, e, neg, purpose, w))
        return pd.DataFrame(rows, columns=["unit", "dimension", "category", "term", "start",
                                           "end", "negated", "purpose", "weight"])

    def scores(self, X: Any) -> dict[str, pd.DataFrame]:
        """Per dimension, the summed weight of counted matches per category."""
        self._check()
        texts = as_texts(X)
        m = self.match(texts)
        out = {}
        for dim in self.dimensions_:
            cats = self.labels_[dim][:-1]
            s = np.zeros((len(texts), len(cats)))
            sub = m[(m["dimension"] == dim) & (m["weight"] > 0)]
            idx = {c: j for j, c in enumerate(cats)}
            for u, c, w in zip(sub["unit"], sub["category"], sub["weight"]):
                s[u, idx[c]] += w
            out[dim] = pd.DataFrame(s, columns=cats)
        return out

    def predict_proba(self, X: Any, dimension: str | None = None) -> pd.DataFrame | dict:
        """Category probabilities from the seed scores (the none label last).

        ``p(c) = score(c) / (total + smoothing)`` and ``p(无) = smoothing / (total +
        smoothing)``.  With ``dimension`` one DataFrame, otherwise a dict of them.
        """
        out = self.proba_from_scores(self.scores(X))
        return out[dimension] if dimension is not None else out

    def proba_from_scores(self, sc: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
        """Turn :meth:`scores` into probabilities (see :meth:`predict_proba`)."""
        out = {}
        for dim, s in sc.items():
            tot = s.sum(axis=1).to_numpy()[:, None] + self.smoothing
            p = s.to_numpy() / tot
            none = self.smoothing / tot
            out[dim] = pd.DataFrame(np.hstack([p, none]), columns=self.labels_[dim])
        return out

    def predict(self, X: Any) -> pd.DataFrame:
        """The best label per unit and dimension (one column per dimension)."""
        proba = self.predict_proba(X)
        return pd.DataFrame({d: p.idxmax(axis=1).to_numpy() for d, p in proba.items()})

    def code(self, X: Any, unit: str = "as-is") -> Codings:
        """Code ``X`` (a Corpus or texts) and return :class:`Codings`."""
        self._check()
        units = as_units(X, unit)
        proba = self.predict_proba(units["text"].tolist())
        dims = select_dimensions(self.framework_, self.dimensions_)
        return codings_from_proba(units, proba, "dictionary",
                                  meta={**framework_meta(self.framework_, dims),
                                        "coder": "DictionaryCoder"})

    # -- seed expansion -----------------------------------------------------------
    def expand_seeds(self, corpus: Any, topn: int = 10, min_count: int = 2,
                     vector_size: int = 100, window: int = 5, epochs: int = 20,
                     min_similarity: float = 0.0) -> pd.DataFrame:
        """Propose new seed terms from a word2vec model trained on the user's corpus.

        The model is trained with one worker thread and ``random_state`` as its seed so
        that the same corpus gives the same proposals.  Nothing is added to the
        coder: the researcher marks the rows to keep in the ``accept`` column and passes
        the table to :meth:`with_accepted`.

        Parameters
        ----------
        corpus : Corpus, Tokens, or list of str
            The researcher's own texts.
        topn : int
            Neighbours asked per seed term.
        min_count, vector_size, window, epochs : int
            Passed to :class:`gensim.models.Word2Vec`.
        min_similarity : float
            Drop candidates less similar than this.

        Returns
        -------
        DataFrame
            dimension, category, seed, candidate, similarity, accept (all False); one
            row per (dimension, candidate), keeping the most similar seed.
        """
        from gensim.models import Word2Vec

        self._check()
        if hasattr(corpus, "to_lists"):
            sentences = [list(s) for s in corpus.to_lists()]
        else:
            sentences = [[w for w, _, _ in t] for t in tokenize(as_texts(corpus))]
        sentences = [[w for w in s if w.strip()] for s in sentences if s]
        if not sentences:
            raise ParameterError("expand_seeds needs a non-empty corpus")
        model = Word2Vec(sentences=sentences, vector_size=vector_size, window=window,
                         min_count=min_count, workers=1, seed=int(self.random_state),
                         epochs=epochs, sg=1)
        kv = model.wv
        rows = []
        for dim in self.dimensions_:
            known = set(self.terms_[dim])
            best: dict[str, tuple] = {}
            for term, cat in sorted(self.terms_[dim].items()):
                if term not in kv.key_to_index:
                    continue
                for cand, sim in kv.most_similar(term, topn=topn):
                    if (cand in known or len(cand) < 2 or not re.search(r"[\u4e00-\u9fff]", cand)
                            or sim < min_similarity):
                        continue
                    if cand not in best or sim > best[cand][3]:
                        best[cand] = (dim, cat, term, float(sim))
            for cand, (d, cat, seed, sim) in best.items():
                rows.append((d, cat, seed, cand, round(sim, 6), False))
        out = pd.DataFrame(rows, columns=["dimension", "category", "seed", "candidate",
                                          "similarity", "accept"])
        return out.sort_values(["dimension", "category", "similarity", "candidate"],
                               ascending=[True, True, False, True]).reset_index(drop=True)

    def with_accepted(self, proposals: pd.DataFrame) -> "DictionaryCoder":
        """A new, fitted coder whose seeds include the accepted proposals.

        Parameters
        ----------
        proposals : DataFrame
            The table from :meth:`expand_seeds` with ``accept`` set to True on the rows
            to keep (``dimension`` may be absent when the coder has one dimension).
        """
        self._check()
        need = {"category", "candidate", "accept"}
        if not need <= set(proposals.columns):
            raise ParameterError(f"proposals need columns {sorted(need)}; got "
                                 f"{', '.join(map(str, proposals.columns))}")
        extra: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for dim, tab in (self.extra_terms or {}).items():
            for cat, ts in tab.items():
                extra[dim][cat].extend(ts)
        acc = proposals[
            proposals["accept"].map(_accepted).astype(bool)]
        for _, r in acc.iterrows():
            dim = r["dimension"] if "dimension" in r.index else None
            if dim is None or (isinstance(dim, float) and dim != dim):
                if len(self.dimensions_) != 1:
                    raise ParameterError("proposals without a 'dimension' column need a coder "
                                         "with one dimension")
                dim = self.dimensions_[0]
            extra[dim][r["category"]].append(str(r["candidate"]))
        new = clone(self)
        new.set_params(
            extra_terms={d: {c: list(ts) for c, ts in t.items()} for d, t in extra.items()})
        return new.fit()
