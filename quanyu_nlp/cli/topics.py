"""``quanyu topics INPUT --k 20 -o OUTDIR``: fit a topic model on a corpus.

OUTDIR gets ``topics.csv`` (topic, label, rank, term, weight, frex, lift),
``doc_topics.csv`` (doc_id, topic, weight) and ``model_info.json`` (settings,
preprocessing record, coherence, versions, corpus hash). Everything is computed
before OUTDIR is created, and OUTDIR is built under a temporary name, so a failed
run leaves nothing behind.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from ..errors import OutputError, ParameterError
from .corpus import notes_to_stderr, read_noting

_MODELS = ("lda", "nmf", "seeded")


def _read(args):
    path = Path(args.input)
    # A .txt file is one document per line (the common export of hand-made corpora);
    # folders and tables go through read_corpus unchanged.
    lines = path.is_file() and path.suffix.lower() == ".txt"
    return read_noting(args.input, text_column=args.text_column, lines=lines,
                       encoding=args.encoding)


def _segment(corpus):
    from ..segment import segment

    return segment(corpus)


def _model(args):
    from ..topics import LdaTopics, NmfTopics, SeededTopics

    common = dict(random_state=args.seed, min_len=args.min_len,
                  stopwords=None if args.stopwords == "none" else args.stopwords,
                  remove_numbers=not args.keep_numbers,
                  min_docs=args.min_docs, max_docfreq=args.max_docfreq, n_terms=args.n_terms)
    if args.model == "nmf":
        return NmfTopics(args.k, **({"iterations": args.iterations} if args.iterations
                                    else {}), **common)
    lda = dict(iterations=args.iterations, workers=args.workers)
    if args.model == "seeded":
        if args.backend != "tomotopy":
            raise ParameterError("--model seeded uses tomotopy word priors; drop "
                                 f"--backend {args.backend}")
        seeded = SeededTopics(framework=args.framework, dimension=args.dimension, n_free=0,
                              **lda, **common)
        n_cat = len(seeded._categories())
        if args.k < n_cat:
            raise ParameterError(f"--k {args.k} is smaller than the {n_cat} categories of "
                                 f"{args.framework}:{args.dimension}; use --k {n_cat} or more "
                                 f"({n_cat} seeded topics + free ones)")
        return seeded.set_params(n_free=args.k - n_cat)
    return LdaTopics(args.k, backend=args.backend, **lda, **common)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__
    out = {"quanyu_nlp": __version__, "python": platform.python_version()}
    # package metadata, not imports: importing gensim only for its version costs a second
    for dist in ("numpy", "pandas", "scikit-learn", "gensim", "tomotopy", "rjieba", "jieba"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def _fmt(frame, cols):
    # Fixed precision: the same seed must give byte-identical files on every run.
    out = frame.copy()
    for c in cols:
        out[c] = out[c].map(lambda v: f"{v:.6g}")
    return out


# The files this command writes: --overwrite replaces only a folder that holds nothing else.
_OUTPUTS = ("topics.csv", "doc_topics.csv", "model_info.json")


def _check_args(args) -> None:
    """Every number the user typed, checked before any reading, named by its flag."""
    from ..config import seed_problem

    if args.k < 2:
        raise ParameterError(f"--k {args.k} is too small: a topic model needs K >= 2 topics")
    for flag, value, low, what in (
            ("--iterations", args.iterations, 1, "sampler iterations"),
            ("--n-terms", args.n_terms, 1, "terms per topic"),
            ("--min-len", args.min_len, 1, "characters"),
            ("--min-docs", args.min_docs, 0, "documents"),
            ("--workers", args.workers, 0, "threads; 0 = all cores")):
        if value is not None and value < low:
            raise ParameterError(f"{flag} {value}: must be {low} or more ({what})")
    if seed_problem(args.seed):
        raise ParameterError(f"--seed {seed_problem(args.seed)}")
    if args.max_docfreq is not None and not 0 < args.max_docfreq <= 1:
        raise ParameterError(f"--max-docfreq {args.max_docfreq}: a share of documents, above "
                             "0 and at most 1 (e.g. 0.5)")


def _check_output(args) -> Path:
    """The output folder may not hold the input, nor anything but an earlier result."""
    from .._io import check_output

    out = Path(args.output)
    check_output(out, args.input, flag="-o", folder=True)
    if out.exists() and not args.overwrite:
        raise OutputError(f"output folder {out} already exists; remove it, choose another "
                          "or pass --overwrite")
    if out.exists():
        other = sorted(f.name for f in out.iterdir() if f.name not in _OUTPUTS)
        if other:
            raise OutputError(f"--overwrite would delete {out}, which holds files this command "
                              f"did not write ({', '.join(other[:3])}"
                              f"{' …' if len(other) > 3 else ''}); choose another -o folder")
    return out


def run(args) -> int:
    _check_args(args)
    out = _check_output(args)
    corpus = _read(args)
    if len(corpus) == 0:
        raise ParameterError(f"{args.input}: the corpus is empty; nothing to model")
    n_texts = sum(1 for t in corpus.texts if t.strip())
    if args.k > n_texts:
        # said here in the command's terms; the estimators' own message speaks Python
        raise ParameterError(f"--k {args.k} is more topics than the {n_texts} documents in "
                             f"{args.input}; use --k {n_texts} or less, or give more, "
                             "shorter documents (e.g. one paragraph per line)")
    from .._io import interrupt_latch

    with interrupt_latch() as latch, notes_to_stderr():
        tokens = _segment(corpus)
        model = _model(args).fit(tokens)
        latch.check()  # a Ctrl-C tomotopy swallowed: stop before writing anything
    segmenter = getattr(tokens, "meta", {}).get("segmenter")
    n_docs, corpus_hash = len(corpus), corpus.content_hash
    # The model keeps what it needs; on a large corpus the segmented tokens (with their
    # offsets) and the texts are the biggest objects, so let them go before writing.
    del tokens, corpus

    import numpy as np

    coherence = None
    if not args.no_coherence:
        # tomotopy's C++ coherence: gensim's takes longer than fitting the model on
        # large corpora. Its values are comparable between runs of this command.
        npmi = model.coherence("c_npmi", top_n=10, engine="tomotopy")
        coherence = {"measure": "c_npmi", "engine": "tomotopy.coherence", "window": 10,
                     "top_n": 10, "reference": "the filtered token lists the model was fit on",
                     "mean": None if np.all(np.isnan(npmi)) else round(float(np.nanmean(npmi)), 6),
                     "per_topic": [None if np.isnan(v) else round(float(v), 6) for v in npmi]}
    settings = {k: v for k, v in sorted(vars(args).items()) if k not in ("func", "debug")}
    info = {
        "command": "quanyu topics",
        "settings": settings,
        "model": model.info(),
        "corpus": {"path": str(args.input), "documents": n_docs,
                   "content_hash": corpus_hash},
        "segmenter": segmenter,
        "coherence": coherence,
        "exclusivity": [round(float(v), 6) for v in model.exclusivity(10)],
        "versions": _versions(),
    }
    terms = model.topic_terms_[["topic", "label", "rank", "term", "weight", "frex", "lift"]]
    terms = _fmt(terms, ["weight", "frex", "lift"])
    doc_topics = model.doc_topics_frame(long=True)[["doc_id", "topic", "weight"]]
    doc_topics = _fmt(doc_topics, ["weight"])
    from .._io import atomic_dir

    with atomic_dir(out, overwrite=args.overwrite) as tmp:
        terms.to_csv(tmp / "topics.csv", index=False, lineterminator="\n")
        doc_topics.to_csv(tmp / "doc_topics.csv", index=False, lineterminator="\n")
        (tmp / "model_info.json").write_text(
            json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n",
            encoding="utf-8")
    mean = coherence["mean"] if coherence else None
    print(f"{out}: {model.n_topics_} topics on {n_docs} documents"
          + (f", mean NPMI {mean:.3f}" if mean is not None else ""), file=sys.stderr)
    return 0


def register(sub) -> None:
    p = sub.add_parser("topics", help="fit a topic model (LDA, NMF or framework-seeded)",
                       description="Fit a topic model and write topics.csv, doc_topics.csv "
                                   "and model_info.json to OUTDIR.")
    p.add_argument("input", help="a .txt file (one document per line), a folder or a CSV/XLSX")
    p.add_argument("-o", "--output", required=True, help="output folder (must not exist)")
    p.add_argument("--k", type=int, default=20,
                   help="number of topics (seeded: categories + free topics; default 20)")
    p.add_argument("--model", choices=_MODELS, default="lda", help="default: lda")
    p.add_argument("--backend", choices=("tomotopy", "gensim"), default="tomotopy",
                   help="LDA engine (default: tomotopy)")
    p.add_argument("--framework", default="quanyu", help="framework for --model seeded")
    p.add_argument("--dimension", default="leadership",
                   help="framework dimension whose categories seed topics")
    p.add_argument("--seed", type=int, default=1, help="random seed (same seed, same topics)")
    p.add_argument("--iterations", type=int, default=None,
                   help="Gibbs iterations (tomotopy, default 200) / NMF max_iter")
    p.add_argument("--workers", type=int, default=1,
                   help="tomotopy threads; 1 (default) is reproducible, more is faster")
    p.add_argument("--text-column", default=None, help="text column of a CSV/XLSX")
    p.add_argument("--encoding", default=None, help="force an input encoding")
    p.add_argument("--stopwords", default="zh",
                   help="zh, party, zh+party, a file, or none (default: zh)")
    p.add_argument("--keep-numbers", action="store_true",
                   help="keep tokens that are numbers in digits (removed by default)")
    p.add_argument("--min-len", type=int, default=2,
                   help="shortest token kept as a topic term (default 2; recorded)")
    p.add_argument("--min-docs", type=int, default=None,
                   help="drop terms in fewer documents (default: max(2, documents // 500))")
    p.add_argument("--max-docfreq", type=float, default=None,
                   help="drop terms in more than this share of documents "
                        "(default: min(0.5, max(0.2, 3 / K)))")
    p.add_argument("--n-terms", type=int, default=20, help="terms per topic in topics.csv")
    p.add_argument("--no-coherence", action="store_true",
                   help="skip the NPMI coherence in model_info.json")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUTDIR")
    p.set_defaults(func=run)
