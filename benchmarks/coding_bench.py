"""Quality benchmark of framework coding on the hand-coded gold set (issue 4).

Usage::

    python benchmarks/coding_bench.py ../shared/corpora [--k 5] [--seed 0] [--seeds 0,1,2]
                                      [--json OUT.json]

Reports, per dimension (leadership, results), macro-F1 (over the labels that occur, 无
included) and Cohen's kappa against the human labels for:

- ``keyword count``: the framework's seed terms counted as raw substrings, most frequent
  category wins, 无 when none occurs (the naive baseline);
- ``char n-gram LR (5-fold)``: character 1–3-gram TF-IDF + logistic regression trained
  on the gold set itself, cross-validated (the supervised baseline);
- ``out of the box``: :class:`FrameworkCoder` with no labels at all (lexicon +
  exemplar model + tie-breaks + each sentence's neighbours in its file);
- ``default trained (5-fold)``: the default coder trained on each fold's gold labels on
  top of the exemplars (:func:`cross_validate_coder` with :class:`FrameworkCoder`);
- ``supervised only (5-fold)``: :class:`SupervisedCoder` on the gold labels alone;
- ``human recode``: for scale, the gold coder's blind second pass over a subset against
  the first pass (when ``benchmarks/data/coding_gold_recode.csv`` exists);
- ``second coder``: an independent second coder's blind coding of a random subset
  against the first coder (``benchmarks/data/coding_gold_coder2.csv``).

Every score is given over all gold units and per batch of the gold set (``subset``
column; ``benchmarks/data/README.md``): batch 1 chosen for class balance, batch 2 whole
blocks, batch 3 whole blocks held out while the coder was last changed.  ``--batches 1,2``
scores on those batches alone (development runs that leave batch 3 unseen).

The coder reads each gold sentence with its neighbours, as it does when it codes whole
documents (``code(corpus, unit="sentence")``): the sentences just before and after it in
its file, cut by the toolkit's own splitter (``load_gold(..., context=True)``).
``--no-context`` codes every sentence alone (``context_weight`` has no effect then), for
comparison.

``--seeds 0,1,2`` also repeats the cross-validated rows with each of those fold seeds and
prints their mean and range per dimension (the robustness of a 5-fold score: one fold
seed can be a point or two luckier than another).

The gold sentences are read from the corpora at run time (``benchmarks/gold.py``); none of
their text is stored in the project.  Targets for leadership: out of the box macro-F1 >=
0.70, trained >= 0.80; a keyword count reaches about 0.52, a character n-gram LR 0.60.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gold import CODER2_CSV, RECODE_CSV, load_gold  # noqa: E402

from quanyu_nlp.coding import (FrameworkCoder, SupervisedCoder,  # noqa: E402
                               cross_validate_coder)
from quanyu_nlp.coding.validation import score_predictions  # noqa: E402
from quanyu_nlp.frameworks import load_framework  # noqa: E402

DIMS = ("leadership", "results")

#: Batches of the gold set by id (benchmarks/data/README.md): batch 1 chosen for class
#: balance, batch 2 whole blocks, batch 3 whole blocks held out while the coder was
#: changed.  Scores are reported over all units and per batch.
BATCHES = (("batch 1", "g0001", "g0415"), ("batch 2", "g0416", "g0620"),
           ("batch 3 (held out)", "g0621", "g9999"))


def subsets(gold: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """("all", every row) plus one boolean mask per batch present in ``gold``."""
    out = [("all", np.ones(len(gold), dtype=bool))]
    ids = gold["id"].to_numpy()
    for name, lo, hi in BATCHES:
        mask = (ids >= lo) & (ids <= hi)
        if mask.any() and not mask.all():
            out.append((name, mask))
    return out


def scored(gold, fw, dim: str, pred, extra: dict) -> list[dict]:
    """One row per subset: macro-F1, kappa and accuracy of ``pred`` against the gold."""
    order = fw.dimension(dim).labels
    truth = np.asarray(gold[dim].tolist(), dtype=object)
    pred = np.asarray(list(pred), dtype=object)
    rows = []
    for name, mask in subsets(gold):
        s, _, _ = score_predictions(truth[mask].tolist(), pred[mask].tolist(), order, dim)
        rows.append({**extra, "subset": name, "n": s["n_units"],
                     "macro_f1": round(s["macro_f1"], 3), "kappa": round(s["kappa"], 3),
                     "accuracy": round(s["accuracy"], 3)})
    return rows


def keyword_count(fw, dim_id: str, texts: list[str]) -> list[str]:
    """Most frequent category by raw seed-term counts; 无 when no seed occurs."""
    dim = fw.dimension(dim_id)
    out = []
    for t in texts:
        counts = [sum(t.count(s) for s in c.seed_terms) for c in dim.categories]
        best = int(np.argmax(counts))
        out.append(dim.categories[best].label if counts[best] > 0 else dim.none_label)
    return out


def char_lr_cv(texts, labels, k, seed) -> list[str]:
    """5-fold predictions of a character n-gram TF-IDF logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                         LogisticRegression(max_iter=2000, C=10.0))
    y = np.array(labels)
    _, counts = np.unique(y, return_counts=True)
    kk = int(min(k, counts.min())) if counts.min() >= 2 else 2
    cv = StratifiedKFold(n_splits=max(kk, 2), shuffle=True, random_state=seed)
    try:
        return list(cross_val_predict(pipe, texts, y, cv=cv))
    except ValueError:
        from sklearn.model_selection import KFold
        return list(cross_val_predict(pipe, texts, y, cv=KFold(k, shuffle=True, random_state=seed)))


def neighbours(gold: pd.DataFrame) -> list[tuple[str, str]] | None:
    """Each gold sentence's (previous, next) sentence, or None when not loaded."""
    if "prev_text" not in gold.columns:
        return None
    return list(zip(gold["prev_text"], gold["next_text"]))


def trained_scores(gold, fw, k: int, seed: int) -> list[dict]:
    """The cross-validated rows (default trained, supervised only) for one fold seed."""
    texts = gold["text"].tolist()
    labels = {d: gold[d].tolist() for d in DIMS}
    rows = []
    for name, coder, ctx in (
            ("default trained (5-fold)",
             FrameworkCoder(fw, dimension=list(DIMS), random_state=seed), neighbours(gold)),
            ("supervised only (5-fold)", SupervisedCoder(framework=fw, random_state=seed),
             None)):
        t = time.perf_counter()
        rep = cross_validate_coder(coder, texts, labels, k=k, random_state=seed, context=ctx)
        el = time.perf_counter() - t
        for dim in DIMS:
            sub = rep.predictions[rep.predictions["dimension"] == dim].sort_values("unit")
            pred = pd.Series(sub["predicted"].values, index=sub["unit"].values)
            rows += scored(gold, fw, dim, pred.reindex(range(len(texts))).tolist(),
                           {"method": name, "dimension": dim, "seed": seed})
            for r in rows[-len(subsets(gold)):]:
                r["seconds"] = round(el, 1)
    return rows


def robustness(gold, fw, k: int, seeds) -> pd.DataFrame:
    """Mean, minimum and maximum of the cross-validated scores over fold seeds."""
    per = pd.DataFrame([r for sd in seeds for r in trained_scores(gold, fw, k, sd)])
    g = per.groupby(["method", "dimension", "subset"], sort=False)
    out = g["macro_f1"].agg(["mean", "min", "max"]).add_prefix("macro_f1_")
    out = out.join(g["kappa"].agg(["mean", "min", "max"]).add_prefix("kappa_"))
    out.insert(0, "seeds", ",".join(str(sd) for sd in seeds))
    return out.round(3).reset_index()


def select_batches(gold: pd.DataFrame, batches: str | None) -> pd.DataFrame:
    """Keep only the rows of the listed batches (``"1,2"``); all rows when None."""
    if not batches:
        return gold
    wanted = {int(b) for b in batches.split(",") if b.strip()}
    ids = gold["id"].to_numpy()
    mask = np.zeros(len(gold), dtype=bool)
    for i, (_, lo, hi) in enumerate(BATCHES, start=1):
        if i in wanted:
            mask |= (ids >= lo) & (ids <= hi)
    return gold[mask].reset_index(drop=True)


def run(corpora_root: str, k: int = 5, seed: int = 0, batches: str | None = None,
        context: bool = True) -> pd.DataFrame:
    gold = select_batches(load_gold(corpora_root, context=context), batches)
    fw = load_framework("quanyu")
    texts = gold["text"].tolist()
    rows = []

    def add(method, dim, pred, seconds):
        for r in scored(gold, fw, dim, pred, {"method": method, "dimension": dim}):
            rows.append({**r, "seconds": round(seconds, 1)})

    for dim in DIMS:
        t = time.perf_counter()
        add("keyword count", dim, keyword_count(fw, dim, texts), time.perf_counter() - t)
        t = time.perf_counter()
        add("char n-gram LR (5-fold)", dim, char_lr_cv(texts, gold[dim].tolist(), k, seed),
            time.perf_counter() - t)
    t = time.perf_counter()
    ootb = FrameworkCoder(fw, dimension=list(DIMS), random_state=seed).fit().predict(
        texts, context=neighbours(gold))
    el = time.perf_counter() - t
    for dim in DIMS:
        add("out of the box", dim, ootb[dim].tolist(), el)
    # For scale: a blind second coding of a subset against the first coding: the same
    # coder's second pass (intra-coder) and an independent second coder (inter-coder).
    for method, path in (("human recode (same coder, blind)", RECODE_CSV),
                         ("second coder (independent, blind)", CODER2_CSV)):
        if not path.exists():
            continue
        rec = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        rec = rec[rec["id"].isin(gold["id"])]
        if rec.empty:
            continue
        first = gold.set_index("id").loc[rec["id"]]
        for dim in DIMS:
            order = fw.dimension(dim).labels
            s, _, _ = score_predictions(first[dim].tolist(), rec[dim].tolist(), order, dim)
            rows.append({"method": method, "dimension": dim, "subset": "sample",
                         "n": s["n_units"], "macro_f1": round(s["macro_f1"], 3),
                         "kappa": round(s["kappa"], 3), "accuracy": round(s["accuracy"], 3),
                         "seconds": 0.0})
    for r in trained_scores(gold, fw, k, seed):
        rows.append({key: v for key, v in r.items() if key != "seed"})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpora_root", help="root folder of the shared corpora")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None,
                    help="comma-separated fold seeds: also report the cross-validated scores' "
                         "mean and range over them (e.g. 0,1,2)")
    ap.add_argument("--json", default=None, help="also write the results as JSON")
    ap.add_argument("--no-context", action="store_true",
                    help="code every sentence alone, without its neighbours in its file")
    ap.add_argument("--batches", default=None,
                    help="use only these gold batches, e.g. 1,2 (development runs that leave "
                         "the held-out batch 3 unseen); default: all")
    a = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    # small models: multithreaded BLAS only adds contention
    with threadpool_limits(limits=1):
        res = run(a.corpora_root, a.k, a.seed, a.batches, context=not a.no_context)
        rob = None
        if a.seeds:
            seeds = [int(x) for x in a.seeds.split(",") if x.strip()]
            rob = robustness(select_batches(load_gold(a.corpora_root,
                                                      context=not a.no_context), a.batches),
                             load_framework("quanyu"), a.k, seeds)
    print("sentences coded " + ("alone (--no-context)" if a.no_context
                                else "with their neighbours in their file"))
    print(res.to_string(index=False))
    if rob is not None:
        print()
        print(rob.to_string(index=False))
    if a.json:
        out = res.to_dict("records")
        if rob is not None:  # the robustness rows follow the table's rows
            out += [{"method": r.pop("method") + " (seed mean)", **r}
                    for r in rob.to_dict("records")]
        Path(a.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
