"""``quanyu corpus PATH``: what a corpus holds — documents, characters, counts by variable."""

from __future__ import annotations

import contextlib
import json
import sys
import warnings
from typing import Iterator

from ..errors import ParameterError


@contextlib.contextmanager
def notes_to_stderr() -> Iterator[None]:
    """Show the user warnings raised inside as one ``quanyu: note:`` line each on stderr.

    Python shows a warning as two lines with a source file and line of *our* code; a
    note (skipped empty files, manifest rows that match no file) names the user's file.
    Notes go to stderr so that stdout stays the command's result, e.g. clean JSON; they
    are shown also when the command then fails.  Other warnings are shown as usual.
    """
    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            yield
    finally:
        for w in caught:
            if issubclass(w.category, UserWarning):
                print(f"quanyu: note: {' '.join(str(w.message).split())}", file=sys.stderr)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def read_noting(path, **kwargs):
    """``read_corpus`` with its warnings as notes on stderr (see :func:`notes_to_stderr`)."""
    from ..corpus import read_corpus

    with notes_to_stderr():
        return read_corpus(path, **kwargs)


def run(args) -> int:
    if args.max_levels < 0:
        raise ParameterError(f"--max-levels {args.max_levels}: must be 0 or more")
    corpus = read_noting(args.path, text_column=args.text_column, lines=args.lines,
                         encoding=args.encoding)
    s = corpus.summary(max_levels=args.max_levels)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.path}: {s['documents']} documents, {s['characters']:,} characters "
          f"({s['han_characters']:,} Han)")
    lens = corpus.units["text"].str.len()
    print(f"  length per document: min {lens.min():,}, median {int(lens.median()):,}, "
          f"max {lens.max():,}")
    step = corpus.meta["steps"][0]
    if step.get("encodings"):
        print("  encodings: " + ", ".join(f"{k} {v}" for k, v in step["encodings"].items()))
    if step.get("manifest"):
        m = step["manifest"]
        print(f"  manifest: {m['path']} ({m['matched']} matched, "
              f"{m['unmatched_documents']} documents without a row)")
    for var, counts in s["variables"].items():
        text = ", ".join(f"{k} {v}" for k, v in counts.items())
        print(f"  {var}: {text}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("corpus", help="summarise a corpus: documents, characters, variables")
    p.add_argument("path", help="a file, folder or glob")
    p.add_argument("--text-column", default=None, help="text column of a CSV/XLSX")
    p.add_argument("--lines", action="store_true", help="one document per line of a .txt")
    p.add_argument("--encoding", default=None, help="force an encoding (default: detect)")
    p.add_argument("--max-levels", type=int, default=30,
                   help="list the values of variables with at most this many values")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)
