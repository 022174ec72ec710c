"""Evidence tables: counts per category by document variables, and verbatim, citable quotes.

A paper using the toolkit needs two things from coded text: how often each category
occurs where (counts and shares by region, year, genre …), and the sentences that show
it, quoted exactly and cited.  Quotes are cut from the document's own text at the
unit's offsets, so they are verbatim by construction; each carries a citation line in
GB/T 7714 style built from the document's metadata plus the section path and sentence
number (e.g. ``刘某. 全域党建的实践[J]. 某某学报, 2021.（三 > （二），第12句）``).
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._io import atomic_output, atomic_write, ensure_writable_dir
from .coding.codings import CODING_COLUMNS, sort_by_codebook
from .errors import ColumnError, OutputError, ParameterError

__all__ = ["EvidenceTable", "evidence_table", "citation_line", "genre_code", "latex_escape"]

# GB/T 7714-2015 document type codes, keyed by the genre names readers and users write.
_GENRE_CODES: dict[str, str] = {}
for _code, _names in {
    "J": ["j", "journal", "article", "paper", "期刊", "期刊论文", "论文", "学术论文", "学报"],
    "N": ["n", "newspaper", "news", "报纸", "新闻", "报道", "新闻报道"],
    "R": ["r", "report", "报告", "工作报告", "调研报告", "政府工作报告", "党代会报告", "案例报告",
          "case report"],
    "M": ["m", "book", "monograph", "专著", "图书", "著作"],
    "D": ["d", "thesis", "dissertation", "学位论文", "硕士论文", "博士论文"],
    "C": ["c", "conference", "proceedings", "会议论文", "会议录"],
    "G": ["g", "compilation", "汇编"],
    "S": ["s", "standard", "标准"],
    "EB/OL": ["eb/ol", "web", "webpage", "online", "网页", "网络文章", "公众号", "blog"],
    "Z": ["z", "policy", "政策", "政策文件", "政策通知", "通知", "工作方案", "方案", "文件",
          "other", "其他", "speech", "讲话"],
}.items():
    for _n in _names:
        _GENRE_CODES[_n] = _code


def genre_code(genre: Any) -> str:
    """The GB/T 7714 document-type code of a genre name (``Z`` when unknown)."""
    if genre is None or (isinstance(genre, float) and math.isnan(genre)):
        return "Z"
    g = str(genre).strip()
    return _GENRE_CODES.get(g.lower(), _GENRE_CODES.get(g, "Z"))


def _val(row: Mapping[str, Any], key: str) -> str:
    v = row.get(key) if hasattr(row, "get") else None
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def citation_line(row: Mapping[str, Any], location: bool = True) -> str:
    """A GB/T 7714-style citation from a unit's metadata.

    ``author. title[code]. source, year.`` followed, for sentences and paragraphs, by
    ``（section，第N句）``.  Missing fields are left out rather than invented.

    Parameters
    ----------
    row : mapping
        Document variables (author, title, genre, source or org, year) and optionally
        section, sent_no and para_no.
    location : bool
        Append the section path and sentence number.

    Examples
    --------
    >>> citation_line({"author": "王某", "title": "社区党建的实践", "genre": "journal",
    ...                "source": "某某学报", "year": 2021, "section": "三 > （二）",
    ...                "sent_no": 12})
    '王某. 社区党建的实践[J]. 某某学报, 2021.（三 > （二），第12句）'
    """
    author, title = _val(row, "author"), _val(row, "title")
    source = _val(row, "source") or _val(row, "journal") or _val(row, "org")
    if source.startswith("《") and source.endswith("》") and source.count("《") == 1:
        source = source[1:-1]  # GB/T 7714 writes a journal's name without 《》
    year = _val(row, "year")
    code = genre_code(row.get("genre") if hasattr(row, "get") else None)
    parts = []
    if author:
        parts.append(f"{author}. ")
    if title:
        parts.append(f"{title}[{code}]. ")
    elif not author:
        doc = _val(row, "doc_id")
        parts.append(f"{doc}[{code}]. " if doc else "")
    tail = ", ".join(x for x in (source, year) if x)
    cite = "".join(parts) + (tail + "." if tail else "")
    cite = cite.strip()
    if not location:
        return cite
    loc = []
    section = _val(row, "section")
    if section:
        loc.append(section)
    sent_no, para_no = _val(row, "sent_no"), _val(row, "para_no")
    if sent_no:
        loc.append(f"第{sent_no}句")
    elif para_no:
        loc.append(f"第{para_no}段")
    return cite + (f"（{'，'.join(loc)}）" if loc else "")


def latex_escape(s: Any) -> str:
    """Escape LaTeX special characters (\\ & % $ # _ { } ~ ^)."""
    rep = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
           "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
           "^": r"\textasciicircum{}"}
    return "".join(rep.get(ch, ch) for ch in str(s))


def _md_cell(v: Any) -> str:
    if isinstance(v, float):
        v = f"{v:.3f}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def _md_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(_md_cell(c) for c in df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def _tex_table(df: pd.DataFrame, caption: str) -> str:
    cols = "l" * len(df.columns)
    lines = [r"\begin{table}[htbp]", r"\centering", f"\\caption{{{latex_escape(caption)}}}",
             f"\\begin{{tabular}}{{{cols}}}", r"\hline",
             " & ".join(latex_escape(c) for c in df.columns) + r" \\", r"\hline"]
    for r in df.itertuples(index=False):
        lines.append(" & ".join(latex_escape(f"{v:.3f}" if isinstance(v, float) else v)
                                for v in r) + r" \\")
    lines += [r"\hline", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines)


class EvidenceTable:
    """Counts and quotes for a paper.

    Attributes
    ----------
    counts : DataFrame
        by-columns…, dimension, category, n (units), share (of the group's units on that
        dimension).
    quotes : DataFrame
        by-columns…, dimension, category, rank, quote (verbatim), citation, score,
        unit_id, doc_id, start, end.
    by : list of str
    """

    def __init__(self, counts: pd.DataFrame, quotes: pd.DataFrame, by: Sequence[str],
                 meta: Mapping[str, Any] | None = None):
        self.counts = counts
        self.quotes = quotes
        self.by = list(by)
        self.meta = dict(meta or {})

    def __repr__(self) -> str:
        dims = ", ".join(self._dim_title(d) for d in dict.fromkeys(self.counts["dimension"]))
        by = "、".join(self.by) if self.by else "all units"
        return (f"<EvidenceTable by {by}: {dims or 'no dimension'}; {len(self.counts)} count "
                f"rows, {len(self.quotes)} quotes>")

    def _dim_title(self, dim: str) -> str:
        name = (self.meta.get("dimension_labels") or {}).get(dim)
        return f"{name} ({dim})" if name and name != dim else str(dim)

    def _categories(self, dim: str) -> list[str]:
        seen = list(dict.fromkeys(self.counts.loc[self.counts["dimension"] == dim, "category"]))
        order = list((self.meta.get("labels") or {}).get(dim) or [])
        return order + [c for c in seen if c not in order]

    def wide_counts(self, dimension: str | None = None, value: str = "n") -> pd.DataFrame:
        """Counts (or shares) as a table: one row per group, one column per category.

        Columns follow the codebook (the none label last), and a category no unit of the
        corpus was coded with is still a column, of zeros: a paper's table shows it.
        """
        if value not in ("n", "share"):
            raise ParameterError(f"value={value!r}: use 'n' (units) or 'share'")
        if dimension is not None and dimension not in set(self.counts["dimension"]):
            raise ParameterError(f"no counts for dimension {dimension!r}; the table has: "
                                 f"{', '.join(dict.fromkeys(self.counts['dimension']))}")
        c = self.counts if dimension is None else self.counts[self.counts["dimension"] == dimension]
        idx = self.by + (["dimension"] if dimension is None else [])
        if not idx:
            idx = ["dimension"]
        w = c.pivot_table(index=idx, columns="category", values=value, aggfunc="sum",
                          fill_value=0, sort=False)
        dims = [dimension] if dimension is not None else list(dict.fromkeys(c["dimension"]))
        cols = list(dict.fromkeys(cat for d in dims for cat in self._categories(d)))
        w = w.reindex(columns=cols, fill_value=0)
        w.columns.name = None
        w = w.astype("int64" if value == "n" else float)
        return w.reset_index()

    # -- exports -------------------------------------------------------------------
    def to_csv(self, directory: str | Path) -> list[Path]:
        """Write ``counts.csv`` and ``quotes.csv`` (UTF-8 with BOM, for Excel) into a folder."""
        d = ensure_writable_dir(directory, "evidence folder")
        out = []
        for name, df in (("counts", self.counts), ("quotes", self.quotes)):
            p = d / f"{name}.csv"
            with atomic_output(p) as tmp:
                df.to_csv(tmp, index=False, encoding="utf-8-sig")
            out.append(p)
        return out

    def to_xlsx(self, path: str | Path) -> Path:
        """Write an XLSX with sheets ``counts``, ``shares`` and ``quotes``."""
        p = _file_target(path, (".xlsx",), "to_xlsx")
        with atomic_output(p, suffix=".xlsx") as tmp:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                self.counts.to_excel(xw, sheet_name="counts", index=False)
                if len(self.counts):
                    self.wide_counts(value="share").to_excel(xw, sheet_name="shares", index=False)
                self.quotes.to_excel(xw, sheet_name="quotes", index=False)
        return p

    def to_markdown(self, path: str | Path | None = None) -> str:
        """Markdown: a count table per dimension, then the quotes with citations."""
        parts = []
        for dim in dict.fromkeys(self.counts["dimension"]):
            parts.append(f"## {self._dim_title(dim)}: counts\n")
            parts.append(_md_table(self.wide_counts(dim)))
            parts.append("")
        if len(self.quotes):
            parts.append("## Quotes\n")
            for _, q in self.quotes.iterrows():
                grp = " / ".join(str(q[b]) for b in self.by)
                parts.append(f"- **{q['category']}**" + (f" ({grp})" if grp else "") +
                             f"：“{q['quote']}” —— {q['citation']}")
        text = "\n".join(parts).rstrip() + "\n"
        if path is not None:
            atomic_write(_file_target(path, (".md", ".markdown", ".txt"), "to_markdown"), text)
        return text

    def to_latex(self, path: str | Path | None = None) -> str:
        """LaTeX tables (counts per dimension, quotes) with special characters escaped."""
        parts = []
        for dim in dict.fromkeys(self.counts["dimension"]):
            parts.append(_tex_table(self.wide_counts(dim), f"{self._dim_title(dim)}: counts"))
        if len(self.quotes):
            q = self.quotes[self.by + ["category", "quote", "citation"]]
            parts.append(_tex_table(q, "quotes"))
        text = "\n\n".join(parts) + "\n"
        if path is not None:
            atomic_write(_file_target(path, (".tex",), "to_latex"), text)
        return text

    def _repr_html_(self) -> str:
        # What a researcher looks at: the count table of each dimension, then the quotes
        # with their citations (ids and offsets stay in .quotes).
        parts = [f"<div><p><b>{html.escape(repr(self))}</b></p>"]
        for dim in dict.fromkeys(self.counts["dimension"]):
            parts.append(f"<p>{html.escape(self._dim_title(dim))}</p>")
            parts.append(self.wide_counts(dim).to_html(index=False))
        if len(self.quotes):
            q = self.quotes[self.by + ["dimension", "category", "quote", "citation"]]
            parts.append(f"<p>quotes ({len(self.quotes)}; first 15)</p>")
            parts.append(q.head(15).to_html(index=False))
        return "".join(parts) + "</div>"


def _file_target(path: str | Path, suffixes: tuple[str, ...], what: str) -> Path:
    """Check an export's file name before anything is written."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{what}: {p} is a folder; give a file name such as "
                          f"{p / ('evidence' + suffixes[0])}")
    if p.suffix.lower() not in suffixes:
        raise OutputError(f"{what} writes a {suffixes[0]} file but {p.name} ends in "
                          f"{p.suffix or 'nothing'}; name it {p.with_suffix(suffixes[0]).name}")
    return p


def _doc_frame(corpus: Any) -> pd.DataFrame:
    docs = corpus.documents if hasattr(corpus, "documents") else corpus
    u = docs.units
    return u.drop(columns=[c for c in ("text", "unit_id", "content_hash", "source_path")
                           if c in u.columns]).drop_duplicates("doc_id")


#: Columns evidence_table makes itself: a ``by`` variable of the same name would be
#: merged away (the codings' ``category`` wins over a document variable ``category``)
#: or collide with the output columns.
_OWN_COLUMNS = ("dimension", "category", "score", "method", "unit_id", "start", "end", "n",
                "share", "rank", "quote", "citation")


def _check_by(by: Any) -> list[str]:
    """``by`` as a list of distinct document-variable names, or a one-line error."""
    if by is None:
        return []
    if isinstance(by, str):
        by = [by]
    elif not hasattr(by, "__iter__"):
        raise ParameterError(f"by={by!r}: give the name of a document variable or a list of "
                             "names, e.g. by=['region', 'year']")
    items = list(by)
    bad = [b for b in items if not isinstance(b, str)]
    if bad:
        raise ParameterError(f"by={items!r}: {bad[0]!r} is not a document variable name; give "
                             "names as strings, e.g. by=['region', 'year']")
    dup = [b for i, b in enumerate(items) if b in items[:i]]
    if dup:
        raise ParameterError(f"by={items!r} names {dup[0]!r} twice; give each document "
                             f"variable once: by={list(dict.fromkeys(items))!r}")
    own = [b for b in items if b in _OWN_COLUMNS]
    if own:
        raise ParameterError(f"by={items!r}: {own[0]!r} is a column evidence_table makes "
                             "itself (from the codings); group by a document variable, or "
                             f"rename the document variable {own[0]!r} in the corpus first")
    return items


def evidence_table(codings: Any, corpus: Any, by: Sequence[str] | str | None = ("region", "year"),
                   n_quotes: int = 3, dimension: str | Sequence[str] | None = None,
                   include_none: bool = False, min_score: float = 0.0) -> EvidenceTable:
    """Counts and shares per category by document variables, and ranked verbatim quotes.

    Parameters
    ----------
    codings : Codings
        From :func:`quanyu_nlp.coding.code` or any coder's ``code``.
    corpus : Corpus
        The corpus the codings came from (any level): it supplies the document text,
        so quotes are ``doc_text[start:end]`` exactly, and the metadata for citations.
    by : list of str or str
        Document variables to group by (e.g. ``["region", "year"]``); empty for totals.
    n_quotes : int, default 3
        Quotes per group and category, best score first, at most one per document
        until every document of the group has given one.
    dimension : str or list of str, optional
        Dimensions to include (all by default).
    include_none : bool
        Also quote units coded 无 (off by default).
    min_score : float
        Quote only units coded with at least this score.

    Returns
    -------
    EvidenceTable

    Raises
    ------
    ColumnError
        A ``by`` column that the corpus does not have; the message lists those it has.
    ParameterError
        A ``by`` name given twice (``by=["region", "region"]``; refused rather than
        de-duplicated, like the other arguments here), a name that is not a string,
        or one of the columns the table makes itself (``dimension``, ``category``,
        ``score``, ``n``, ``share``, ``rank``, ``quote`` …); and bad ``n_quotes``,
        ``codings``, ``corpus`` or ``dimension`` values.
    """
    by = _check_by(by)
    if isinstance(n_quotes, bool) or not isinstance(n_quotes, (int, np.integer)) or n_quotes < 0:
        raise ParameterError(f"n_quotes={n_quotes!r}: give a whole number of quotes per group "
                             "and category (0 for counts only)")
    if hasattr(codings, "to_frame"):
        frame = codings.to_frame()
    elif isinstance(codings, pd.DataFrame) and set(CODING_COLUMNS) <= set(codings.columns):
        frame = codings
    else:
        raise ParameterError(f"codings is {type(codings).__name__}; pass the Codings that "
                             "code() returned (or their .to_frame())")
    if not hasattr(corpus, "doc_text"):
        raise ParameterError(f"corpus is {type(corpus).__name__}; pass the Corpus the codings "
                             "were made from (it gives the quotes' text and the citations)")
    if dimension is not None:
        dims = [dimension] if isinstance(dimension, str) else list(dimension)
        unknown = [d for d in dims if d not in set(frame["dimension"])]
        if unknown:
            raise ParameterError(f"no codings for dimension(s) {', '.join(unknown)}; coded: "
                                 f"{', '.join(dict.fromkeys(frame['dimension']))} (code it "
                                 f"first: code(..., dimension=[..., {unknown[0]!r}]))")
        frame = frame[frame["dimension"].isin(dims)]
    docs = _doc_frame(corpus)
    missing = [b for b in by if b not in docs.columns]
    if missing:
        avail = [c for c in docs.columns if c not in ("doc_id", "parent_id", "start", "end")]
        raise ColumnError(f"no document variable {', '.join(map(repr, missing))} in the corpus; "
                          f"available: {', '.join(map(str, avail)) or '(none)'}")
    unknown_docs = set(frame["doc_id"]) - set(docs["doc_id"].astype(str))
    if unknown_docs:
        raise ParameterError(f"codings refer to document {sorted(unknown_docs)[0]!r} that is not "
                             "in the corpus; pass the corpus the codings were made from")
    docs = docs.assign(doc_id=docs["doc_id"].astype(str))
    dv_cols = [c for c in docs.columns if c != "doc_id"]
    merged = frame.merge(docs, on="doc_id", how="left", suffixes=("", "_doc"))
    # Section path and sentence number come from the coded units (sentences/paragraphs).
    units = codings.units if hasattr(codings, "units") else None
    if units is None and hasattr(corpus, "units"):
        units = corpus.units
    loc_cols = [c for c in ("section", "sent_no", "para_no")
                if units is not None and c in units.columns]
    if loc_cols:
        loc = units[["unit_id", *loc_cols]].drop_duplicates("unit_id")
        loc = loc.assign(unit_id=loc["unit_id"].astype(str))
        merged = merged.drop(columns=[c for c in loc_cols if c in merged.columns]).merge(
            loc, on="unit_id", how="left")

    # counts and shares
    keys = by + ["dimension", "category"]
    grp = merged.copy()
    for b in by:
        col = grp[b]
        # A year column with a missing value is read as floats (2021.0): show 2021.
        if pd.api.types.is_float_dtype(col) and (col.dropna() % 1 == 0).all():
            col = col.astype("Int64")
        grp[b] = col.astype(object).where(col.notna(), "（缺失）")
    counts = grp.groupby(keys, sort=True, dropna=False).size().rename("n").reset_index()
    totals = counts.groupby(by + ["dimension"], dropna=False)["n"].transform("sum")
    counts["share"] = (counts["n"] / totals).round(6)
    counts = sort_by_codebook(counts, codings if hasattr(codings, "category_order") else None,
                              keys=tuple(by))

    # quotes
    docs_obj = corpus.documents if hasattr(corpus, "documents") else corpus
    text_cache: dict[str, str] = {}

    def doc_text(doc_id: str) -> str:
        if doc_id not in text_cache:
            text_cache[doc_id] = docs_obj.doc_text(doc_id)
        return text_cache[doc_id]

    cand = grp[grp["score"] >= min_score]
    cmeta = getattr(codings, "meta", {}) or {}
    if not include_none:
        # Each dimension's own none label (a codebook may call it 不适用), and 无.
        nl = cmeta.get("none_labels") or {}
        none_of = {d: {"无", nl.get(d, "无")} for d in set(cand["dimension"])}
        is_none = [c in none_of[d] for d, c in zip(cand["dimension"], cand["category"])]
        cand = cand[~np.asarray(is_none, dtype=bool)]
    rows = []
    for _key, g in cand.groupby(keys, sort=True, dropna=False):
        g = g.sort_values(["score", "doc_id", "start"], ascending=[False, True, True],
                          kind="mergesort")
        first = g.drop_duplicates("doc_id")
        rest = g.drop(first.index)
        picked = pd.concat([first, rest]).head(int(n_quotes))
        for rank, (_, r) in enumerate(picked.iterrows(), start=1):
            text = doc_text(r["doc_id"])
            quote = text[int(r["start"]):int(r["end"])]
            meta = {c: r[c] for c in dv_cols + loc_cols if c in r.index}
            meta["doc_id"] = r["doc_id"]
            rows.append({**{b: r[b] for b in by}, "dimension": r["dimension"],
                         "category": r["category"], "rank": rank, "quote": quote,
                         "citation": citation_line(meta), "score": float(r["score"]),
                         "unit_id": r["unit_id"], "doc_id": r["doc_id"],
                         "start": int(r["start"]), "end": int(r["end"])})
    # by=["doc_id"] (counts per document) already has the doc_id column up front
    quotes = pd.DataFrame(rows, columns=by + [c for c in (
        "dimension", "category", "rank", "quote", "citation", "score", "unit_id", "doc_id",
        "start", "end") if c not in by])
    if len(quotes):
        quotes = sort_by_codebook(quotes, codings if hasattr(codings, "category_order")
                                  else None, keys=tuple(by))
    dims_coded = list(dict.fromkeys(frame["dimension"]))
    labels = {d: codings.category_order(d) for d in dims_coded} \
        if hasattr(codings, "category_order") else {}
    return EvidenceTable(counts, quotes, by, meta={
        "n_quotes": n_quotes, "min_score": min_score, "labels": labels,
        "dimension_labels": dict(cmeta.get("dimension_labels") or {})})
