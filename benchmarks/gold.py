"""The hand-coded validation set of the coding benchmark (issue 4, "Quality benchmark").

``benchmarks/data/coding_gold.csv`` holds, for each hand-coded sentence, only where it is
(a file under the shared corpora root and code-point offsets into that file's text), a
SHA-1 of the sentence text, and the labels a human coder gave it on the ``leadership``
and ``results`` dimensions of the 全域党建 codebook.  The sentences themselves are never
stored in the project: :func:`load_gold` reads them from the corpora at load time and
checks each against its SHA-1, so a different copy of the corpora is caught at once
instead of silently scoring the coders on the wrong text.

Usage::

    from benchmarks.gold import load_gold          # or: sys.path.insert(0, "benchmarks")
    gold = load_gold("../shared/corpora")
    gold[["id", "text", "leadership", "results"]]

    python benchmarks/gold.py ../shared/corpora     # label distribution per source
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from pathlib import Path

import pandas as pd

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "coding_gold.csv"
RECODE_CSV = Path(__file__).resolve().parent / "data" / "coding_gold_recode.csv"
#: An independent second coder's blind coding of a random subset (inter-coder reliability).
CODER2_CSV = Path(__file__).resolve().parent / "data" / "coding_gold_coder2.csv"

COLUMNS = ["id", "path", "start", "end", "sha1", "source", "leadership", "results", "note"]
SOURCES = ("congress", "grassroots", "news", "government")
LABELS = {
    "leadership": ("政治引领", "组织引领", "机制引领", "行动引领", "队伍引领", "无"),
    "results": ("火车头", "发动机", "动车组", "乘务员", "无"),
}


class GoldError(ValueError):
    """The gold CSV or the corpora it points into are not as expected.

    A ``ValueError`` subclass with a one-line message naming the id, path and fix.  (Not a
    ``QuanyuError``: this is benchmark tooling, not the library's user-facing API.)
    """


def name_key(name: str) -> str:
    """How a file whose name is not plain ASCII is stored: ``@`` + SHA-1 of the name.

    Many corpus file names are article titles; storing their hash instead keeps even the
    titles out of the project while still naming exactly one file.
    """
    return "@" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]


def stored_path(rel: str) -> str:
    """The ``path`` column value for a file at ``rel`` (POSIX, relative to the root)."""
    folder, _, name = rel.rpartition("/")
    if name.isascii():
        return rel
    return f"{folder}/{name_key(name)}" if folder else name_key(name)


def resolve_path(root: Path, stored: str) -> Path | None:
    """The file a ``path`` value names: a plain relative path, or ``folder/@<hash>``."""
    folder, _, name = stored.rpartition("/")
    base = root / Path(*folder.split("/")) if folder else root
    if not name.startswith("@"):
        return base / name
    if not base.is_dir():
        return None
    for f in base.iterdir():
        if name_key(f.name) == name:
            return f
    return None


def _read_text(path: Path) -> str:
    # newline="" keeps CRLF as it is: the stored offsets count every code point of the file.
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def read_gold_csv(path: str | os.PathLike = DEFAULT_CSV) -> pd.DataFrame:
    """Read the label file alone (no corpora needed) and check its columns and labels.

    Parameters
    ----------
    path : path-like
        The gold CSV; default ``benchmarks/data/coding_gold.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, path, start, end, sha1, source, leadership, results, note``.

    Raises
    ------
    GoldError
        Missing columns, duplicate ids, unknown labels or sources, bad spans.
    """
    path = Path(path)
    if not path.is_file():
        raise GoldError(f"gold file {path} not found; pass path= to the CSV")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise GoldError(f"{path}: missing column(s) {', '.join(missing)}; "
                        f"expected {', '.join(COLUMNS)}")
    dup = df["id"][df["id"].duplicated()].tolist()
    if dup:
        raise GoldError(f"{path}: duplicate id(s) {', '.join(dup[:5])}; ids must be unique")
    for dim, allowed in LABELS.items():
        bad = df[~df[dim].isin(allowed)]
        if len(bad):
            r = bad.iloc[0]
            raise GoldError(
                f"{path}: id {r['id']} has {dim}={r[dim]!r}; allowed: {' '.join(allowed)}"
            )
    bad = df[~df["source"].isin(SOURCES)]
    if len(bad):
        r = bad.iloc[0]
        raise GoldError(f"{path}: id {r['id']} has source={r['source']!r}; "
                        f"allowed: {', '.join(SOURCES)}")
    for col in ("start", "end"):
        if not df[col].str.fullmatch(r"\d+").all():
            r = df[~df[col].str.fullmatch(r"\d+")].iloc[0]
            raise GoldError(f"{path}: id {r['id']} has {col}={r[col]!r}; "
                            "offsets are non-negative integers")
        df[col] = df[col].astype(int)
    bad = df[df["start"] >= df["end"]]
    if len(bad):
        r = bad.iloc[0]
        raise GoldError(f"{path}: id {r['id']} has start {r['start']} >= end {r['end']}")
    return df[COLUMNS + [c for c in df.columns if c not in COLUMNS]]


def load_gold(corpora_root: str | os.PathLike,
              path: str | os.PathLike = DEFAULT_CSV, context: bool = False) -> pd.DataFrame:
    """Load the gold set with the sentence texts read from the corpora.

    Parameters
    ----------
    corpora_root : path-like
        The shared corpora folder (the one holding ``cpc_congress_reports/`` etc.).
    path : path-like
        The gold CSV; default ``benchmarks/data/coding_gold.csv``.
    context : bool, default False
        Also add ``prev_text`` and ``next_text``: the sentences just before and just
        after the span in its file, cut by the toolkit's own sentence splitter
        (:func:`quanyu_nlp.corpus.split_sentences`, what ``code(corpus,
        unit="sentence")`` uses), ``""`` at the start or end of the file.  They are
        what the coder sees as a sentence's neighbours when it codes a whole document.

    Returns
    -------
    pandas.DataFrame
        The CSV's columns plus ``text``, the sentence ``file_text[start:end]``.

    Raises
    ------
    GoldError
        A referenced file is missing, a span runs past its file's end, or the SHA-1 of
        a span differs from the stored one (the corpora copy differs from the one the
        set was coded on).
    """
    root = Path(corpora_root)
    if not root.is_dir():
        raise GoldError(f"corpora root {root} is not a folder; pass the path of ../shared/corpora")
    df = read_gold_csv(path)
    texts: dict[str, str] = {}
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    out, prevs, nexts = [], [], []
    for r in df.itertuples(index=False):
        if r.path not in texts:
            f = resolve_path(root, r.path)
            if f is None or not f.is_file():
                raise GoldError(f"id {r.id}: file {r.path} not found under {root}; "
                                "is this the right corpora root?")
            texts[r.path] = _read_text(f)
        doc = texts[r.path]
        if r.end > len(doc):
            raise GoldError(
                f"id {r.id}: span {r.start}:{r.end} runs past the end of {r.path} "
                f"({len(doc)} characters); "
                "the corpora copy differs from the one the set was coded on"
            )
        text = doc[r.start : r.end]
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if digest != r.sha1:
            raise GoldError(
                f"id {r.id}: SHA-1 mismatch for {r.path}[{r.start}:{r.end}]; "
                "the corpora copy differs from the one the set was coded on"
            )
        out.append(text)
        if context:
            if r.path not in spans:
                from quanyu_nlp.corpus import split_sentences

                masked = _mask_markup(doc)
                spans[r.path] = (masked, split_sentences(masked))
            masked, sp = spans[r.path]
            prev, nxt = _neighbours(doc, masked, sp, r.start, r.end)
            prevs.append(prev)
            nexts.append(nxt)
    df = df.copy()
    df["text"] = out
    if context:
        df["prev_text"] = prevs
        df["next_text"] = nexts
    return df


# What a corpus reader would not keep as text: a YAML front matter, Markdown headings,
# images and links (text and target), bare URLs, HTML tags, &nbsp; and bold marks.
_MARKUP = re.compile(r"\A---\n.*?\n---[ \t]*\n|^#+ [^\n]*|!?\[[^\]\n]*\]\([^)\n]*\)"
                     r"|https?://\S+|<[^>]+>|&nbsp;|\*\*", re.S | re.M)
_HEADING = re.compile(r"^#+ ", re.M)


def _mask_markup(doc: str) -> str:
    """``doc`` with markup blanked out by NULs, so every offset stays where it was."""
    return _MARKUP.sub(lambda m: re.sub(r"[^\n]", "\0", m.group()), doc)


def _neighbours(doc: str, masked: str, spans: list[tuple[int, int]], start: int, end: int
                ) -> tuple[str, str]:
    """The sentences just before ``start`` and just after ``end`` in the same section.

    The corpora files are raw (HTML paragraphs and Markdown in the news and article
    files).  ``masked`` is ``doc`` with its markup blanked (:func:`_mask_markup`) and
    ``spans`` the sentences of ``masked``: a Markdown heading of ``doc`` starts a new
    section (in the news files, a new item) and a neighbour never crosses one; a span
    that is only markup is skipped, as a corpus reader would.
    """
    lo = max((m.start() for m in _HEADING.finditer(doc, 0, start)), default=0)
    m = _HEADING.search(doc, end)
    hi = m.start() if m else len(doc)

    def clean(s: int, e: int) -> str:
        return " ".join(masked[s:e].replace("\0", "").split())

    prev = ""
    for s, e in reversed([sp for sp in spans if sp[1] <= start and sp[0] >= lo]):
        prev = clean(s, e)
        if prev:
            break
    nxt = ""
    for s, e in [sp for sp in spans if sp[0] >= end and sp[1] <= hi]:
        nxt = clean(s, e)
        if nxt:
            break
    return prev, nxt


def label_distribution(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Counts of each label per source, one table per dimension (with totals)."""
    tables = {}
    for dim, allowed in LABELS.items():
        t = pd.crosstab(df[dim], df["source"], margins=True, margins_name="total")
        t = t.reindex(list(allowed) + ["total"], fill_value=0)
        cols = [s for s in SOURCES if s in t.columns] + ["total"]
        tables[dim] = t[cols]
    return tables


def recode_agreement(gold: pd.DataFrame,
                     recode_path: str | os.PathLike = RECODE_CSV) -> pd.DataFrame:
    """Agreement between the first coding and a blind second coding of a subset.

    With the default file this is intra-coder reliability (the same coder's second pass);
    with :data:`CODER2_CSV`, inter-coder reliability (an independent second coder).

    Parameters
    ----------
    gold : pandas.DataFrame
        The gold set (from :func:`read_gold_csv` or :func:`load_gold`).
    recode_path : path-like
        CSV with columns ``id, leadership, results``: the second pass over a subset.

    Returns
    -------
    pandas.DataFrame
        One row per dimension: ``n``, ``agreement`` (share of identical labels) and
        ``kappa`` (Cohen's kappa, :func:`sklearn.metrics.cohen_kappa_score`).
    """
    from sklearn.metrics import cohen_kappa_score

    rec = pd.read_csv(recode_path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in ("id", *LABELS) if c not in rec.columns]
    if missing:
        raise GoldError(f"{recode_path}: missing column(s) {', '.join(missing)}; "
                        "expected id, leadership, results")
    unknown = sorted(set(rec["id"]) - set(gold["id"]))
    if unknown:
        raise GoldError(f"{recode_path}: id(s) {', '.join(unknown[:5])} not in the gold set")
    first = gold.set_index("id").loc[rec["id"]]
    rows = []
    for dim in LABELS:
        a, b = first[dim].to_numpy(), rec[dim].to_numpy()
        rows.append({"dimension": dim, "n": len(rec), "agreement": float((a == b).mean()),
                     "kappa": float(cohen_kappa_score(a, b))})
    return pd.DataFrame(rows).set_index("dimension")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Load the coding gold set and print its label distribution.")
    ap.add_argument("corpora", nargs="?", default=None,
                    help="corpora root (default: $QUANYU_CORPORA or ../shared/corpora "
                         "beside the repo)")
    ap.add_argument("--csv", default=str(DEFAULT_CSV), help="gold CSV (default: %(default)s)")
    args = ap.parse_args(argv)
    root = args.corpora or os.environ.get("QUANYU_CORPORA") or str(
        Path(__file__).resolve().parents[1].parent / "shared" / "corpora")
    try:
        df = load_gold(root, args.csv)
    except GoldError as e:
        print(f"gold: error: {e}", file=sys.stderr)
        return 2
    print(f"{len(df)} sentences, all SHA-1 verified against {root}")
    for dim, t in label_distribution(df).items():
        print(f"\n{dim}:")
        print(t.to_string())
    if RECODE_CSV.exists() and Path(args.csv).resolve() == DEFAULT_CSV:
        print("\nintra-coder reliability (blind second pass by the same coder):")
        print(recode_agreement(df).round(3).to_string())
    if CODER2_CSV.exists() and Path(args.csv).resolve() == DEFAULT_CSV:
        print("\ninter-coder reliability (independent second coder, blind):")
        print(recode_agreement(df, CODER2_CSV).round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
