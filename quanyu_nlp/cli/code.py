"""``quanyu code INPUT.csv --framework NAME -o OUT.csv``: code a table of texts.

OUT has every input column plus, for each dimension D of the framework, ``D`` (the
category label as written in the framework, or 无) and ``D_score``.  With
``--unit sentence`` each input row becomes one row per sentence, keeping the row's
columns and adding the sentence, its number and its offsets in the row's text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when the command runs, not for `quanyu --help`
    import pandas as pd

from ..errors import ColumnError, InputError


def read_table(path: str, what: str = "input") -> "pd.DataFrame":
    """Read a CSV (UTF-8 or GBK, comma/semicolon/tab) or XLSX with every cell as text.

    A table with a header but no rows, or a plain-text file, is a one-line error: coding
    nothing and reporting success would hide the mistake.
    """
    from ..corpus.readers import read_table as _read

    if Path(path).suffix.lower() in (".txt", ".md", ".docx", ".pdf", ".html", ".htm"):
        raise InputError(f"{what} file {path} is not a table; quanyu code reads a CSV or XLSX "
                         "with a header row and a text column (save the texts as one column "
                         "'text' in Excel/WPS, or use quanyu corpus / topics for text files)")
    frame = _read(path, what)
    if frame.empty:
        raise InputError(f"{what} file {path} has a header but no rows; add one row per text")
    return frame


def _check_text_column(frame: "pd.DataFrame", column: str, path: str,
                       training: bool = False) -> None:
    if column not in frame.columns:
        from ..corpus.readers import TEXT_COLUMN_GUESSES, columns_hint

        guess = next((c for c in TEXT_COLUMN_GUESSES if c in frame.columns), None)
        if training:
            # --text-column names the column in both files: the fix is in this file.
            fix = (f"rename its text column to {column!r}: --text-column names the text "
                   "column of the input and of the --train file")
        elif guess:
            fix = f"pass --text-column {guess}"
        else:
            fix = columns_hint(frame.columns, "name it with --text-column")
        raise ColumnError(f"no column {column!r} in {Path(path).name}; columns are: "
                          f"{', '.join(map(str, frame.columns))} ({fix})")


def read_labelled(path: str, text_column: str, fw) -> tuple[list[str], dict[str, list]]:
    """Read LABELLED.csv: the text column plus one column per dimension it teaches."""
    from ..coding._framework import normalise_column

    frame = read_table(path, "training")
    _check_text_column(frame, text_column, path, training=True)
    dims = [d for d in fw.dimensions if d.id in frame.columns]
    if not dims:
        raise ColumnError(f"{Path(path).name} has no column for any dimension "
                          f"({', '.join(d.id for d in fw.dimensions)}); columns are: "
                          f"{', '.join(map(str, frame.columns))}")
    labels = {d.id: normalise_column(d, frame[d.id].tolist(), Path(path).name) for d in dims}
    return frame[text_column].astype(str).tolist(), labels


def run(args) -> int:
    import pandas as pd

    from .._io import check_output, write_table
    from ..coding import FrameworkCoder, neighbour_context
    from ..coding._framework import resolve_framework
    from ..config import seed_problem
    from ..corpus import corpus_from_frame, corpus_reshape
    from ..errors import ParameterError

    # Checked before any reading or training, and named by their flags.
    if not 0 <= args.threshold < 1:
        raise ParameterError(f"--threshold {args.threshold}: must be at least 0 and below 1 "
                             "(default 0.3)")
    if seed_problem(args.seed):
        raise ParameterError(f"--seed {seed_problem(args.seed)}")
    if not 0 <= args.context_weight <= 1:
        raise ParameterError(f"--context-weight {args.context_weight}: must be between 0 and 1 "
                             "(0 codes each sentence alone; default 0.2)")
    check_output(args.output, [args.input, args.train])
    frame = read_table(args.input)
    _check_text_column(frame, args.text_column, args.input)
    fw = resolve_framework(args.framework)
    coder = FrameworkCoder(fw, threshold=args.threshold, context_weight=args.context_weight,
                           random_state=args.seed)
    if args.train:
        X, y = read_labelled(args.train, args.text_column, fw)
        coder.fit(X, y)
    else:
        coder.fit()
    texts = frame[args.text_column].astype(str).tolist()
    if args.unit == "as-is":
        out = frame.copy()
        pred_texts = texts
        context = None  # rows are independent units: no neighbours
    else:
        width = max(6, len(str(len(frame))))
        ids = [f"r{i:0{width}d}" for i in range(len(frame))]
        corpus = corpus_from_frame(pd.DataFrame({"doc_id": ids, "text": texts}),
                                   source=Path(args.input).name)
        sents = corpus_reshape(corpus, to="sentences").units
        row_of = {d: i for i, d in enumerate(ids)}
        pieces = []
        for doc_id, g in sents.groupby("doc_id", sort=False):
            for _, s in g.iterrows():
                pieces.append((row_of[doc_id], s["text"], int(s["sent_no"]), int(s["start"]),
                               int(s["end"])))
        have = {p[0] for p in pieces}
        # A row with no sentence (empty text) is kept, so no input row disappears.
        pieces += [(i, "", 0, 0, 0) for i in range(len(frame)) if i not in have]
        pieces.sort(key=lambda p: (p[0], p[3]))
        out = frame.iloc[[p[0] for p in pieces]].reset_index(drop=True)
        out["sentence_no"] = [p[2] for p in pieces]
        out["sentence_start"] = [p[3] for p in pieces]
        out["sentence_end"] = [p[4] for p in pieces]
        out["sentence"] = [p[1] for p in pieces]
        pred_texts = out["sentence"].tolist()
        # A sentence's neighbours are the sentences before and after it in its row.
        context = neighbour_context(pd.DataFrame({"doc_id": [p[0] for p in pieces],
                                                  "start": out["sentence_start"],
                                                  "text": pred_texts}))
    proba = coder.predict_proba(pred_texts, context=context) if pred_texts else {}
    for d in coder.dimensions_:
        if pred_texts:
            lab, sc = coder._decide(proba[d])
        else:
            lab, sc = [], []
        out[d] = list(lab)
        out[f"{d}_score"] = [round(float(x), 4) for x in sc]
    write_table(out, args.output)
    counts = ", ".join(f"{d}: {int((out[d] != coder.labels_[d][-1]).sum())} coded"
                       for d in coder.dimensions_)
    print(f"{args.output}: {len(out)} rows ({args.unit}); {counts}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("code", help="code texts against a framework (codebook)",
                       description="Code each text (or each sentence) of a CSV against a "
                                   "framework; adds D and D_score columns per dimension.")
    p.add_argument("input", metavar="INPUT.csv", help="CSV or XLSX with a text column")
    p.add_argument("--framework", default="quanyu",
                   help="built-in framework name or path to a .toml codebook (default quanyu)")
    p.add_argument("--text-column", default="text", help="the column holding the text")
    p.add_argument("--train", metavar="LABELLED.csv", default=None,
                   help="units you coded: the text column and a column per dimension "
                        "(labels or 无) to learn from")
    p.add_argument("--unit", choices=["as-is", "sentence"], default="as-is",
                   help="code each row as it is (default) or each of its sentences")
    p.add_argument("--threshold", type=float, default=0.3,
                   help="below this score a unit is 无 (default 0.3)")
    p.add_argument("--context-weight", type=float, default=0.2,
                   help="with --unit sentence: weight of the neighbouring sentences of the "
                        "same row (default 0.2; 0 codes each sentence alone)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="OUT.csv",
                   help="output CSV (UTF-8 with BOM, opens in Excel), or .xlsx")
    p.set_defaults(func=run)
