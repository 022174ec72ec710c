"""Choosing the number of topics: coherence, exclusivity, held-out perplexity and
stability across seeds, in one table."""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ._data import prepare
from .metrics import coherence, match_topics, topic_similarity
from .models import LdaTopics, NmfTopics, explain_trimming, n_units, too_many_topics

__all__ = ["select_k", "KSelection"]

_CRITERIA = ("npmi", "c_v", "exclusivity", "stability")


class KSelection:
    """Result of :func:`select_k`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per K: ``k, npmi, npmi_sd, c_v, exclusivity, perplexity, stability,
        score`` (means over seeds; ``score`` is the sum of the z-scored criteria).
    runs : pandas.DataFrame
        One row per (K, seed) fit with the same measures.
    recommended_k : int
        The K with the highest ``score`` (the smaller K on ties).
    settings : dict
        What was run (backend, seeds, hold-out share, preprocessing record).
    ax_, figure_ : matplotlib objects
        Set by :meth:`plot`.
    """

    def __init__(self, table: pd.DataFrame, runs: pd.DataFrame, recommended_k: int,
                 settings: dict):
        self.table = table
        self.runs = runs
        self.recommended_k = recommended_k
        self.settings = settings

    def __repr__(self) -> str:
        return (f"KSelection(recommended_k={self.recommended_k})\n"
                + self.table.to_string(index=False))

    def _repr_html_(self) -> str:
        return (f"<p>KSelection: recommended K = <b>{self.recommended_k}</b></p>"
                + self.table.to_html(index=False, float_format=lambda v: f"{v:.3f}"))

    def plot(self, ax=None):
        """Plot each criterion (z-scored) against K and mark the recommended K.

        A simple diagnostic display; the figure module makes journal figures from
        :attr:`table`.

        Returns
        -------
        self
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.2))
        t = self.table
        names = {"npmi": "coherence (NPMI)", "c_v": "coherence (C_v)",
                 "exclusivity": "exclusivity", "stability": "stability across seeds",
                 "perplexity": "held-out perplexity"}
        for col in ("npmi", "c_v", "exclusivity", "stability", "perplexity"):
            if col in t and t[col].notna().sum() > 1:
                v = t[col].to_numpy(float)
                sd = np.nanstd(v)
                z = (v - np.nanmean(v)) / sd if sd > 0 else v * 0
                ax.plot(t["k"], z, marker="o", label=names[col],
                        linestyle="--" if col == "perplexity" else "-")
        ax.axvline(self.recommended_k, color="0.5", linewidth=1)
        ax.set_xlabel("number of topics K")
        ax.set_ylabel("z-score across K")
        ax.set_xticks(list(t["k"]))
        ax.legend(fontsize="small", frameon=False)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self


def _zscore(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    if np.all(np.isnan(v)):
        return np.zeros_like(v)
    sd = np.nanstd(v)
    z = (v - np.nanmean(v)) / sd if sd > 0 else np.zeros_like(v)
    return np.nan_to_num(z)


def _whole_numbers(values, name: str, what: str) -> list[int]:
    """``values`` as a list of distinct ints, or a one-line error naming ``name``.

    A repeated K would be fitted twice and then collapse into one row of the table
    (it used to end in ``KeyError: 'npmi'``); a repeated seed would be compared with
    itself and inflate the stability score.  Neither is what was meant, so both are
    refused rather than silently de-duplicated.
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ParameterError(f"{name}={values!r} must be a list of {what}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer, float, np.floating)) \
                or not float(v).is_integer():
            raise ParameterError(f"{name}={list(values)!r}: {v!r} is not a whole number; "
                                 f"give {what}")
        out.append(int(v))
    dup = [v for i, v in enumerate(out) if v in out[:i]]
    if dup:
        once = list(dict.fromkeys(out))
        raise ParameterError(f"{name}={out} lists {dup[0]} twice; give each value once: "
                             f"{name}={once}")
    return out


def select_k(tokens, ks: Sequence[int] = (5, 10, 15, 20), seeds: Sequence[int] = (1, 2, 3),
             backend: str = "tomotopy", *, model: str = "lda", iterations: int | None = None,
             holdout: float = 0.2, top_n: int = 10, measures: Sequence[str] = ("c_npmi", "c_v"),
             min_len: int = 2, stopwords="zh", remove_numbers: bool = True,
             min_docs: int | float | None = None,
             max_docfreq: float | None = None, random_state: int = 0) -> KSelection:
    """Fit a model for every K and seed and score each fit.

    The units are filtered once (as the estimators do), then a share ``holdout`` of
    the non-empty documents is set aside. Each fit uses the rest; coherence is
    computed on all the filtered token lists, perplexity on the held-out ones.
    Stability is the mean Jaccard similarity of the top ``top_n`` terms of topics
    matched one-to-one (Hungarian algorithm) between every pair of seeds.

    Parameters
    ----------
    tokens : Tokens, Dfm or list of list of str
    ks : sequence of int
        Candidate numbers of topics (each >= 2, each given once: a repeated K is a
        :class:`~quanyu_nlp.errors.ParameterError`, not silently dropped, because the
        table has one row per K).
    seeds : sequence of int
        Random states, each given once; two or more are needed for stability.
    backend : {"tomotopy", "gensim"}
        LDA engine (ignored for ``model="nmf"``).
    model : {"lda", "nmf"}
        NMF has no likelihood, so its perplexity is NaN.
    iterations : int, optional
        Passed to the estimator; fewer iterations make a quick first look.
    holdout : float, default 0.2
        Share of documents held out for perplexity (0 turns it off).
    top_n : int, default 10
        Top terms scored per topic.
    measures : sequence of {"c_npmi", "c_v"}
        Coherence measures (gensim ``CoherenceModel``); C_v is the slower one.
    min_len, stopwords, remove_numbers, min_docs, max_docfreq
        Filtering, as in :class:`LdaTopics`, done once for all K (the automatic
        ``max_docfreq`` follows the smallest K, the most lenient).
    random_state : int
        Seed of the hold-out split.

    Returns
    -------
    KSelection
        ``.table`` per K, ``.runs`` per fit, ``.recommended_k`` (highest sum of the
        z-scored NPMI, C_v, exclusivity and stability; perplexity is shown but not
        used, because it keeps falling as K grows) and ``.plot(ax=)``.
    """
    from gensim.corpora import Dictionary

    ks = _whole_numbers(ks, "ks", "candidate numbers of topics, e.g. ks=[5, 10, 15]")
    seeds = _whole_numbers(seeds, "seeds", "random states, e.g. seeds=[1, 2, 3]")
    if not ks or not seeds:
        raise ParameterError("select_k needs at least one K in ks and one seed in seeds")
    if min(ks) < 2:
        raise ParameterError(f"K={min(ks)} is too small: a topic model needs K >= 2 topics")
    if model not in ("lda", "nmf"):
        raise ParameterError(f"model={model!r} is unknown; use 'lda' or 'nmf'")
    if not 0 <= holdout < 1:
        raise ParameterError(f"holdout={holdout} must be a share in [0, 1)")
    bad = [m for m in measures if m not in ("c_npmi", "c_v")]
    if bad:
        raise ParameterError(f"coherence measure {bad[0]!r} is unknown; use c_npmi or c_v")

    # K against the number of units first: the automatic max_docfreq follows min(ks),
    # and a K above the number of documents would otherwise surface as "no terms left
    # after trimming".
    n = n_units(tokens)
    if n and max(ks) > n:
        raise ParameterError(too_many_topics(f"K={max(ks)} topics (the largest of ks)", n,
                                             f"keep every K in ks <= {n}"))
    try:
        data = prepare(tokens, min_len=min_len, stopwords=stopwords,
                       remove_numbers=remove_numbers, min_docs=min_docs,
                       max_docfreq=max_docfreq, k=min(ks))
    except ParameterError as exc:
        raise explain_trimming(exc, min(ks), f"K={min(ks)} topics (the smallest of ks)",
                               "select_k(...",
                               min_docs, max_docfreq) from None
    lists = [d for d in data.token_lists if d]
    rng = np.random.RandomState(random_state)
    order = rng.permutation(len(lists))
    n_test = int(round(holdout * len(lists))) if model == "lda" else 0
    test = [lists[i] for i in sorted(order[:n_test])]
    train = [lists[i] for i in sorted(order[n_test:])]
    if max(ks) > len(train):
        raise ParameterError(f"K={max(ks)} is larger than the {len(train)} training documents "
                             f"allow (after holding out {n_test}); choose K <= {len(train)}")
    dictionary = Dictionary(lists)

    def make(k, seed):
        # The data are filtered already: the fits must not filter again.
        common = dict(random_state=seed, min_len=1, stopwords=None, remove_numbers=False,
                      min_docs=1, max_docfreq=1.0,
                      n_terms=top_n)
        if model == "nmf":
            return NmfTopics(k, **({"iterations": iterations} if iterations else {}), **common)
        return LdaTopics(k, backend=backend, iterations=iterations, **common)

    rows, terms = [], {}
    for k in ks:
        for seed in seeds:
            m = make(k, seed).fit(train)
            top = m.top_terms(top_n)
            terms[(k, seed)] = [list(g["term"]) for _, g in top.groupby("topic", sort=True)]
            rows.append({"k": k, "seed": seed,
                         "exclusivity": float(m.exclusivity(top_n).mean()),
                         "perplexity": m.perplexity(test) if test else float("nan")})
    # One CoherenceModel per measure for all fits: gensim's sliding-window pass over
    # the texts is the slow part, and its counts serve every topic at once.
    all_topics = [t for key in terms for t in terms[key]]
    for meas in measures:
        name = "npmi" if meas == "c_npmi" else meas
        scores = coherence(all_topics, lists, meas, top_n, dictionary=dictionary)
        pos = 0
        for row, key in zip(rows, terms):
            n_t = len(terms[key])
            row[name] = float(np.nanmean(scores[pos:pos + n_t]))
            pos += n_t
    order = ["k", "seed"] + ["npmi" if m == "c_npmi" else m for m in measures] + [
        "exclusivity", "perplexity"]
    rows = [{c: r[c] for c in order} for r in rows]
    runs = pd.DataFrame(rows)

    stab = {}
    for k in ks:
        sims = []
        for a, b in combinations(seeds, 2):
            _, _, s = match_topics(topic_similarity(terms[(k, a)], terms[(k, b)]))
            sims.append(s.mean())
        stab[k] = float(np.mean(sims)) if sims else float("nan")

    agg = {c: "mean" for c in runs.columns if c not in ("k", "seed")}
    table = runs.groupby("k", sort=True).agg(agg).reset_index()
    if "npmi" in runs:
        table.insert(table.columns.get_loc("npmi") + 1, "npmi_sd",
                     runs.groupby("k", sort=True)["npmi"].std(ddof=1).to_numpy()
                     if len(seeds) > 1 else np.nan)
    table["stability"] = [stab[k] for k in table["k"]]
    crit = [c for c in _CRITERIA if c in table]
    table["score"] = np.sum([_zscore(table[c].to_numpy()) for c in crit], axis=0)
    best = np.round(table["score"].to_numpy(), 9)
    recommended = int(table["k"].to_numpy()[np.flatnonzero(best == best.max())[0]])
    settings = {"ks": ks, "seeds": seeds, "backend": backend, "model": model,
                "iterations": iterations, "holdout": holdout, "n_train": len(train),
                "n_test": len(test), "top_n": top_n, "criteria": crit,
                "preprocessing": data.report}
    return KSelection(table, runs, recommended, settings)
