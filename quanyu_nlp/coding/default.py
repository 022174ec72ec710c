"""The default coder: lexicon + exemplar model + the codebook's tie-breaks."""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..errors import ParameterError
from ._framework import (check_number, dimension_labels, framework_meta, none_label,
                         normalise_column, resolve_framework, select_dimensions)
from ._units import as_texts, as_units, is_corpus, neighbour_context
from .codings import Codings, codings_from_predictions
from .dictionary import DictionaryCoder
from .rules import apply_rules
from .supervised import SupervisedCoder, labels_by_dimension

__all__ = ["FrameworkCoder", "code", "METHODS"]

METHODS = ("auto", "framework", "dictionary", "exemplars", "supervised")

# Fitted exemplar-only models by (framework hash, settings): the exemplars are the same
# every time, so a session that codes several corpora trains them once.  Fitted models
# are never changed after fit, so sharing them is safe.
_EXEMPLAR_CACHE: dict[tuple, tuple] = {}


class FrameworkCoder(BaseEstimator):
    """Code by a framework with no user labels, and better with some.

    For each dimension it combines three sources of evidence:

    1. a :class:`SupervisedCoder` trained on the framework itself: each category's
       exemplar sentences and seed terms (a seed term is a tiny document of its
       category), and the dimension's negative exemplars as 无; plus the user's coded
       units when given (weighted ``user_weight`` times an exemplar);
    2. the lexicon — :class:`DictionaryCoder` seed scores (summed weights of the seed
       terms found, with negation and purpose handling), added as evidence:
       ``p(c) ∝ p_model(c) + lexicon_weight · score(c)``;
    3. the codebook's tie-breaks (:mod:`quanyu_nlp.coding.rules`), which boost the
       category the codebook prefers;
    4. when units come from documents (sentences or paragraphs of a Corpus, or rows
       with a ``doc_id``), the neighbouring units: their category probabilities are
       added with weight ``context_weight``,
       ``p(c) ∝ p_unit(c) + context_weight · (p_prev(c) + p_next(c))`` for every
       category c but not for 无.  The neighbours' evidence tips a sentence whose own
       evidence is weak or split towards the category its passage is about; a
       sentence with no Party reference of its own stays 无 unless both neighbours
       are confidently one category.  A unit coded as it is (one unit per document,
       as in ``quanyu code`` without ``--unit sentence``) has no neighbours.

    The unit gets the most probable label, or the none label (无) when the best
    category's probability is below ``threshold``.

    Parameters
    ----------
    framework : str or Framework, default "quanyu"
    dimension : str or list of str, optional
        Dimensions to code (all by default).
    method : {"framework", "dictionary", "exemplars", "supervised"}
        ``framework`` blends all three; ``dictionary`` uses seeds (+ rules) only;
        ``exemplars`` the exemplar model (+ rules) only; ``supervised`` a model of the
        user's labels only (needs labels in :meth:`fit`).
    threshold : float, default 0.3
        Minimum probability for a category; below it the unit is 无.
    lexicon_weight : float, default 0.15
        Weight of one unit of seed score against the model's probabilities.
    user_weight : float, default 3.0
        Weight of one user-coded unit relative to one exemplar.
    rules : bool, default True
        Apply the codebook's tie-breaks.
    rule_strength : float or "auto", default 1.0
        Multiplies every rule's boost; ``"auto"`` halves them when user labels are given.
    context_weight : float, default 0.2
        Weight of each neighbouring unit's category probabilities (see 4. above); 0
        codes every unit in isolation.  Party-building prose runs in passages: on the
        gold set (``benchmarks/coding_bench.py``, batches 1 + 2) the neighbours
        raised leadership macro-F1 by about 0.03, out of the box and trained, and
        results macro-F1 trained by 0.02 (out of the box −0.01); neighbours' 无 is
        left out because with it they pulled sentences with evidence of their own to
        无 (docs/coding.md, Quality).
    C : float, default 1.0
        Inverse regularisation of the model (stronger than :class:`SupervisedCoder`'s
        default: exemplars are few and unlike the user's text).
    ngram_range : tuple, default (1, 2)
    char_ngram_range : tuple, default (1, 4)
        Character n-grams up to four characters cover most two-word terms (党建引领,
        组织覆盖) even when the segmenter splits them differently.
    calibration : {"auto", "sigmoid", "isotonic", None}
        See :class:`SupervisedCoder`.  ``"auto"`` calibrates (sigmoid) only when the
        user's labels are given: cross-validated calibration needs held-out text like
        the text being coded, and the framework's few, prototypical exemplars are not
        that (on the gold set calibration on exemplars alone cost 0.04 macro-F1, while
        with user labels it gained 0.03).
    random_state : int, default 0
    """

    def __init__(self, framework: Any = "quanyu", dimension: str | Sequence[str] | None = None,
                 method: str = "framework", threshold: float = 0.3,
                 lexicon_weight: float = 0.15, user_weight: float = 3.0,
                 rules: bool = True, rule_strength: float | str = 1.0,
                 context_weight: float = 0.2, negation: bool = True, C: float = 1.0,
                 ngram_range=(1, 2), char_ngram_range=(1, 4), calibration: str | None = "auto",
                 random_state: int = 0):
        self.framework = framework
        self.dimension = dimension
        self.method = method
        self.threshold = threshold
        self.lexicon_weight = lexicon_weight
        self.user_weight = user_weight
        self.rules = rules
        self.rule_strength = rule_strength
        self.context_weight = context_weight
        self.negation = negation
        self.C = C
        self.ngram_range = ngram_range
        self.char_ngram_range = char_ngram_range
        self.calibration = calibration
        self.random_state = random_state

    def fit(self, X: Any = None, y: Any = None) -> "FrameworkCoder":
        """Train the exemplar model (and, with ``X``/``y``, on the user's coded units).

        Parameters
        ----------
        X : Corpus, list of str, optional
            Units the user coded.
        y : dict, DataFrame or sequence, optional
            Their labels by dimension; a dimension may be missing or have empty cells.
        """
        if self.method not in METHODS[1:]:
            # "auto" is code()'s word for "framework"; the estimator takes the real names.
            raise ParameterError(f"method={self.method!r} is not known; use one of "
                                 f"{', '.join(METHODS[1:])}")
        check_number("threshold", self.threshold, 0, 1, high_open=True,
                     fix="the default 0.3 codes a unit 无 when no category reaches 30%")
        check_number("context_weight", self.context_weight, 0, 1,
                     fix="0 codes each unit on its own; the default is 0.2")
        check_number("lexicon_weight", self.lexicon_weight, 0, 10)
        check_number("user_weight", self.user_weight, 0, 1000)
        fw = resolve_framework(self.framework)
        dims = select_dimensions(fw, self.dimension)
        self.framework_ = fw
        self.dimensions_ = [d.id for d in dims]
        self.labels_ = {d.id: dimension_labels(d) for d in dims}
        if (X is None) != (y is None):
            raise ParameterError("fit() takes both the coded units and their labels, or "
                                 "neither: fit(texts, {'leadership': labels})")
        user_texts, ybd = ([], {}) if X is None else check_user_labels(X, y, dims)
        self.has_user_labels_ = bool(user_texts) and bool(ybd)
        if self.method == "supervised" and not self.has_user_labels_:
            raise ParameterError("method='supervised' needs coded units: pass labelled=...")

        key = None
        if not self.has_user_labels_ and getattr(fw, "hash", None):
            key = (fw.hash, tuple(self.dimensions_), self.method, self.negation, self.C,
                   tuple(self.ngram_range), tuple(self.char_ngram_range), self.calibration,
                   self.random_state)
            if key in _EXEMPLAR_CACHE:
                self.dictionary_, self.models_ = _EXEMPLAR_CACHE[key]
                self.models_ = dict(self.models_)
                return self
        self.dictionary_ = DictionaryCoder(fw, dimension=self.dimensions_,
                                           negation=self.negation).fit()
        self.models_ = {}
        if self.method in ("framework", "exemplars", "supervised"):
            for d in dims:
                texts, labels, weights = [], [], []
                if self.method != "supervised":
                    for c in d.categories:
                        for ex in c.exemplars:
                            texts.append(str(ex))
                            labels.append(c.label)
                            weights.append(1.0)
                        # Seed terms as one-phrase documents: they teach the model the
                        # lexicon's words and characters, which the exemplars alone
                        # cover only partly.
                        for term in c.seed_terms:
                            texts.append(str(term))
                            labels.append(c.label)
                            weights.append(1.0)
                    for ex in getattr(d, "negative_exemplars", []) or []:
                        texts.append(str(ex))
                        labels.append(none_label(d))
                        weights.append(1.0)
                if d.id in ybd:
                    for t, lab in zip(user_texts, ybd[d.id]):
                        texts.append(t)
                        labels.append(lab)
                        weights.append(float(self.user_weight))
                if not texts or len({str(v) for v in labels if v is not None}) < 1:
                    continue
                sc = SupervisedCoder(framework=fw, C=self.C, ngram_range=self.ngram_range,
                                     char_ngram_range=self.char_ngram_range,
                                     calibration=self._calibration(),
                                     random_state=self.random_state)
                try:
                    sc.fit(texts, {d.id: labels}, sample_weight=weights)
                except ParameterError as exc:
                    # A dimension with only empty user labels and no exemplars.
                    if "no labelled units" in str(exc):
                        continue
                    raise
                self.models_[d.id] = sc
        if key is not None:
            if len(_EXEMPLAR_CACHE) >= 8:
                _EXEMPLAR_CACHE.pop(next(iter(_EXEMPLAR_CACHE)))
            _EXEMPLAR_CACHE[key] = (self.dictionary_, dict(self.models_))
        return self

    def _rule_scale(self) -> float:
        if self.rule_strength == "auto":
            return 0.5 if self.has_user_labels_ else 1.0
        return float(self.rule_strength)

    def _calibration(self) -> str | None:
        if self.calibration == "auto":
            return "sigmoid" if self.has_user_labels_ else None
        return self.calibration

    def _context(self, X: Any, context: Any, n: int) -> list[tuple[str, str]] | None:
        """The (previous, next) texts of each unit, or None when there are none."""
        if context is None or context is False or float(self.context_weight) == 0:
            return None
        if isinstance(context, str):
            if context != "auto":
                raise ParameterError(f"context={context!r}: use 'auto', None or a list of "
                                     "(previous, next) text pairs, one per unit")
            if is_corpus(X) or (isinstance(X, pd.DataFrame)
                                and {"doc_id", "start", "text"} <= set(X.columns)):
                return neighbour_context(X)
            return None
        pairs = list(context)
        if len(pairs) != n:
            raise ParameterError(f"context has {len(pairs)} (previous, next) pairs for {n} "
                                 "units; give one pair per unit ('' for no neighbour)")
        out = []
        for i, pair in enumerate(pairs):
            if isinstance(pair, str) or len(pair) != 2:
                raise ParameterError(f"context[{i}] is not a (previous, next) pair of texts")
            out.append(tuple("" if t is None or (isinstance(t, float) and t != t) else str(t)
                             for t in pair))
        return out

    def _unit_proba(self, texts: list[str], dims: Sequence[str]) -> dict[str, np.ndarray]:
        """Per dimension, blended and rule-adjusted probabilities of each text alone."""
        raw = self.dictionary_.scores(texts)
        lex = self.dictionary_.proba_from_scores(raw)
        out = {}
        for dim in dims:
            cols = self.labels_[dim]
            if dim in self.models_ and self.method != "dictionary":
                p = self.models_[dim].predict_proba(texts, dimension=dim)[cols].to_numpy()
                if self.method == "framework":
                    s = raw[dim][cols[:-1]].to_numpy()
                    p = p.copy()
                    p[:, :-1] += float(self.lexicon_weight) * s
                    p = p / p.sum(axis=1, keepdims=True)
            else:
                p = lex[dim][cols].to_numpy()
            nl = cols[-1]
            if self.rules:
                adj = []
                for t, row in zip(texts, p):
                    q, _ = apply_rules(t, dim, dict(zip(cols, row)), none_label=nl,
                                       scale=self._rule_scale())
                    adj.append([q[c] for c in cols])
                p = np.asarray(adj, dtype=float).reshape(len(texts), len(cols))
            out[dim] = p
        return out

    def predict_proba(self, X: Any, dimension: str | None = None,
                      context: Any = "auto") -> pd.DataFrame | dict:
        """Blended, rule-adjusted probabilities per category (none label last).

        Parameters
        ----------
        X : Corpus, units table, list of str
        dimension : str, optional
            Return only this dimension's table.
        context : "auto", None or list of (str, str)
            The neighbours of each unit.  ``"auto"`` takes them from ``X`` when it is a
            Corpus or a units table with ``doc_id`` and ``start`` (units of the same
            document, in order); a list gives each unit's (previous, next) text
            explicitly (``""`` for none); None codes every unit alone.
        """
        if not hasattr(self, "dictionary_"):
            raise ParameterError("this coder is not fitted yet; call fit() first")
        texts = as_texts(X)
        dims = [dimension] if dimension else self.dimensions_
        if not texts:
            empty = {d: pd.DataFrame(columns=self.labels_[d], dtype=float) for d in dims}
            return empty[dimension] if dimension else empty
        ctx = self._context(X, context, len(texts))
        # Each distinct text is scored once: the neighbours of sentence units are
        # mostly units themselves, and documents repeat boilerplate lines.
        pool = list(dict.fromkeys(texts + ([t for pair in ctx for t in pair if t]
                                           if ctx else [])))
        row_of = {t: i for i, t in enumerate(pool)}
        base = self._unit_proba(pool, dims)
        idx = np.array([row_of[t] for t in texts])
        out = {}
        for dim in dims:
            p = base[dim][idx]
            if ctx:
                nb = np.zeros_like(p)
                for i, pair in enumerate(ctx):
                    for t in pair:
                        if t:
                            nb[i] += base[dim][row_of[t]]
                nb[:, -1] = 0.0  # neighbours add category evidence, never 无
                p = p + float(self.context_weight) * nb
                p = p / p.sum(axis=1, keepdims=True)
            out[dim] = pd.DataFrame(p, columns=self.labels_[dim])
        return out[dimension] if dimension else out

    def _decide(self, p: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        cols = list(p.columns)
        nl = cols[-1]
        arr = p.to_numpy()
        best = arr.argmax(axis=1)
        cat_best = arr[:, :-1].argmax(axis=1) if arr.shape[1] > 1 else np.zeros(len(arr), int)
        labels, scores = [], []
        for i in range(len(arr)):
            lab = cols[best[i]]
            sc = arr[i, best[i]]
            if lab != nl and sc < self.threshold:
                lab, sc = nl, 1.0 - arr[i, cat_best[i]]
            labels.append(lab)
            scores.append(sc)
        return np.array(labels, dtype=object), np.array(scores, dtype=float)

    def predict(self, X: Any, context: Any = "auto") -> pd.DataFrame:
        """The label of each unit per dimension (one column per dimension).

        ``context`` is as in :meth:`predict_proba`.
        """
        proba = self.predict_proba(X, context=context)
        return pd.DataFrame({d: self._decide(p)[0] for d, p in proba.items()})

    def code(self, X: Any, unit: str = "as-is") -> Codings:
        """Code ``X`` (a Corpus or texts) into :class:`Codings`."""
        if not hasattr(self, "dictionary_"):
            raise ParameterError("this coder is not fitted yet; call fit() first")
        units = as_units(X, unit)
        proba = self.predict_proba(units["text"].tolist(), context=neighbour_context(units))
        labels, scores = {}, {}
        for d, p in proba.items():
            labels[d], scores[d] = self._decide(p)
        method = self.method + (
            "+labels" if self.has_user_labels_ and self.method == "framework" else "")
        dims = select_dimensions(self.framework_, self.dimensions_)
        meta = {"coder": "FrameworkCoder", **framework_meta(self.framework_, dims),
                "threshold": self.threshold, "context_weight": self.context_weight,
                "method": method,
                "random_state": self.random_state, "unit": unit}
        return codings_from_predictions(units, labels, scores, method, proba=proba, meta=meta)


def _cell_text(v: Any) -> str:
    """A text cell as a string, with None / NaN (an empty Excel cell) as ""."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def check_user_labels(X: Any, y: Any, dims: Sequence[Any], where: str | None = None
                      ) -> tuple[list[str], dict[str, list]]:
    """The user's coded units checked against the framework, before any training.

    Labels are mapped to the framework's labels (ids, stray and full-width spaces
    accepted); a bad label, a label with no text, a count of labels that does not match
    the count of texts, or no label at all raises a one-line :class:`ParameterError`
    that names the row (``where`` row N, counted from 1, or unit N) and the column.
    """
    texts = [_cell_text(t) for t in (as_texts(X) if not isinstance(X, list) else X)]
    ids = [d.id for d in dims]
    ybd = labels_by_dimension(y, ids)
    name = where or "labels"
    unknown = [k for k in ybd if k not in ids]
    if unknown:
        raise ParameterError(f"{name}: dimension(s) {', '.join(unknown)} are not coded here; "
                             f"the dimensions coded are: {', '.join(ids)}")
    by_id = {d.id: d for d in dims}
    out: dict[str, list] = {}
    for k, v in ybd.items():
        if len(v) != len(texts):
            raise ParameterError(f"{name}: {len(v)} labels for dimension {k!r} but {len(texts)} "
                                 "texts; give one label per text (empty for not coded)")
        out[k] = normalise_column(by_id[k], v, where=where)
    unit = (lambda i: f"{where} row {i + 1}") if where else (lambda i: f"unit {i + 1}")
    for i, t in enumerate(texts):
        if not t.strip() and any(out[k][i] is not None for k in out):
            k = next(k for k in out if out[k][i] is not None)
            raise ParameterError(f"{unit(i)}: coded {out[k][i]!r} on {k} but its text is empty; "
                                 "fill in the text or remove the row")
    if not any(lab is not None for v in out.values() for lab in v):
        cols = ", ".join(out) or "no column"
        raise ParameterError(f"{name}: every label cell is empty ({cols}); code some units "
                             "first, or leave labelled out to code with the framework alone")
    return texts, out


def _labelled_pair(labelled: Any, dims: Sequence[Any]) -> tuple[list[str], dict]:
    """Split and check ``labelled`` (a DataFrame with text + dimension columns, or (texts, y))."""
    ids = [d.id for d in dims]
    if isinstance(labelled, tuple) and len(labelled) == 2:
        return check_user_labels(as_texts(labelled[0]), labelled[1], dims, where="labelled")
    if isinstance(labelled, pd.DataFrame):
        if "text" not in labelled.columns:
            raise ParameterError("labelled needs a 'text' column and one column per dimension "
                                 f"it teaches; it has: {', '.join(map(str, labelled.columns))}")
        cols = [c for c in labelled.columns if c in ids]
        if not cols:
            named = [d.id for d in dims if d.label in labelled.columns]
            hint = (f" (rename column {dims[ids.index(named[0])].label!r} to {named[0]!r})"
                    if named else "")
            raise ParameterError(f"labelled has no column for any dimension ({', '.join(ids)})"
                                 f"{hint}; it has: {', '.join(map(str, labelled.columns))}")
        texts = [_cell_text(t) for t in labelled["text"].tolist()]
        return check_user_labels(texts, {c: labelled[c].tolist() for c in cols}, dims,
                                 where="labelled")
    if isinstance(labelled, (str, os.PathLike)):
        raise ParameterError(f"labelled={os.fspath(labelled)!r} is a path; read the sheet first: "
                             "labelled=read_coding_sheet(path, framework)")
    raise ParameterError("labelled must be a DataFrame (text + dimension columns) or a "
                         "(texts, labels) pair")


def code(corpus_or_texts: Any, framework: Any = "quanyu", unit: str = "sentence",
         labelled: Any = None, threshold: float = 0.3, method: str = "auto",
         dimension: str | Sequence[str] | None = None, random_state: int = 0,
         dimensions: Sequence[str] | None = None, context_weight: float = 0.2) -> Codings:
    """Code a corpus against a framework, with or without the user's own labels.

    Parameters
    ----------
    corpus_or_texts : Corpus, list of str
        What to code.
    framework : str or Framework, default "quanyu"
    unit : {"sentence", "paragraph", "as-is"}, default "sentence"
        Cut documents into sentences or paragraphs first, or code them as they are.
    labelled : DataFrame or (texts, labels), optional
        Units the user coded: a 'text' column plus one column per dimension it teaches
        (labels or 无; empty cells are skipped).  They are added to the exemplars with a
        higher weight.
    threshold : float, default 0.3
        Below this probability a unit is 无.
    method : {"auto", "framework", "dictionary", "exemplars", "supervised"}
        ``auto`` is ``framework`` (lexicon + exemplar model + tie-breaks, plus your
        labels when given).
    dimension : str or list of str, optional
        The dimensions to code (all by default).
    random_state : int, default 0
    dimensions : list of str, optional
        Same as ``dimension`` (either spelling is accepted).
    context_weight : float, default 0.2
        How much a sentence's (or paragraph's) neighbours in its document count; 0 codes
        each unit alone.  See :class:`FrameworkCoder`.

    Returns
    -------
    Codings

    Raises
    ------
    ParameterError
        Before any work, in one line that names the argument (and for ``labelled`` the
        row and column): a threshold or context weight that is not a number in range,
        an unknown method or dimension, an empty corpus, a bad or misspelt label, labels
        that do not match the texts in number, a coded row with no text.
    FrameworkError
        A framework name or codebook file that cannot be loaded.

    Examples
    --------
    >>> c = code(["社区党委组建党建联合体，把新就业群体纳入组织覆盖。"],
    ...          unit="as-is")  # doctest: +SKIP
    >>> c.wide()["leadership"].tolist()                                            # doctest: +SKIP
    ['组织引领']
    """
    if dimensions is not None:
        if dimension is not None and list(np.atleast_1d(dimension)) != list(dimensions):
            raise ParameterError("pass either dimension= or dimensions=, not both")
        dimension = list(dimensions)
    fw = resolve_framework(framework)
    m = "framework" if method == "auto" else method
    coder = FrameworkCoder(fw, dimension=dimension, method=m, threshold=threshold,
                           context_weight=context_weight, random_state=random_state)
    dims = select_dimensions(fw, dimension)
    # Check everything cheap before the corpus is cut and the model trained.
    check_number("threshold", threshold, 0, 1, high_open=True,
                 fix="the default 0.3 codes a unit 无 when no category reaches 30%")
    check_number("context_weight", context_weight, 0, 1,
                 fix="0 codes each unit on its own; the default is 0.2")
    if method not in METHODS:
        raise ParameterError(f"method={method!r} is not known; use one of {', '.join(METHODS)}")
    pair = _labelled_pair(labelled, dims) if labelled is not None else None
    units = as_units(corpus_or_texts, unit)
    if units.empty:
        what = "no documents" if unit == "as-is" else f"no text to cut into {unit}s"
        raise ParameterError(f"nothing to code: the corpus has no units ({what}); check what "
                             "you passed to code()")
    if not units["text"].astype(str).str.strip().any():
        raise ParameterError(f"nothing to code: all {len(units)} units have empty text; check "
                             "the text column of what you passed to code()")
    if pair is not None:
        coder.fit(*pair)
    else:
        coder.fit()
    codings = coder.code(units, unit="as-is")
    codings.meta["unit"] = unit  # the units were cut here, as asked
    return codings
