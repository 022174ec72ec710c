"""Readers: files, folders and globs of .txt .md .docx .pdf .html .csv .xlsx.

Each document keeps its source path and a content hash.  Document variables come from
a ``manifest.csv`` beside the files, from CSV/XLSX columns and from front matter.
Empty files are skipped, counted and warned about; corrupt or binary files raise a
one-line :class:`~quanyu_nlp.errors.InputError`.
"""

from __future__ import annotations

import glob as globmod
import io
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import sha256_text
from ..errors import ColumnError, EncodingError, InputError
from .core import Corpus, _coerce_docvars
from .encoding import decode_bytes, read_text_file
from .structure import article_fields, is_article

__all__ = ["read_corpus", "read_table", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm",
                      ".csv", ".xlsx")
# How to name the text column, in the words of each way of running quanyu.
_NAME_TEXT_COLUMN = ("name the text column: --text-column at the command line, text_column "
                     "in [corpus] of a run config, text_column= in Python")
TEXT_COLUMN_GUESSES = ("text", "full_text", "content", "body", "正文", "全文", "内容", "文本")
MANIFEST_NAMES = ("manifest.csv", "manifest.xlsx")


def read_corpus(path: str | Path, text_column: str | None = None, *,
                lines: bool = False, manifest: str | Path | None = None,
                encoding: str | None = None, id_column: str | None = None,
                article_metadata: bool = True, sheet_name: int | str = 0) -> Corpus:
    """Read a corpus from a file, a folder (recursively) or a glob.

    Parameters
    ----------
    path : str or Path
        A file, a folder, or a glob such as ``"reports/**/*.docx"``.
    text_column : str, optional
        For CSV/XLSX: the column with the text (guessed from text, 正文, 全文, … when
        not given).
    lines : bool
        Treat each non-empty line of a .txt file as one document (``doc_id`` =
        ``<stem>-<line number>``).
    manifest : path, optional
        A CSV/XLSX of document variables; by default ``manifest.csv`` beside the files.
        It is matched on a ``file`` column (path relative to the folder) or on
        ``doc_id`` (the file name without suffix).
    encoding : str, optional
        Force an encoding instead of detecting it.
    id_column : str, optional
        For CSV/XLSX: the column of document ids.
    article_metadata : bool
        Fill title / author / affiliation / keywords of academic articles from the text
        when the metadata lack them.

    Returns
    -------
    Corpus
        One unit per document with ``source_path`` and ``content_hash``.

    Examples
    --------
    >>> corpus = read_corpus("corpus/demo")            # doctest: +SKIP
    >>> corpus.summary()["documents"]                  # doctest: +SKIP
    66
    """
    root, files = _resolve(path)
    records: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    encodings: dict[str, int] = {}
    for f in files:
        rel = _rel(f, root)
        suffix = f.suffix.lower()
        if suffix in (".csv", ".xlsx"):
            if root is not None and f.name.lower() in MANIFEST_NAMES:
                continue
            recs = _read_table(f, text_column, id_column, encoding, sheet_name)
            for r in recs:
                r["source_path"] = rel
            records.extend(recs)
            continue
        text, enc, fm = _read_one(f, suffix, encoding)
        encodings[enc] = encodings.get(enc, 0) + 1
        if not text.strip():
            skipped.append({"path": rel, "reason": "empty"})
            continue
        stem = _doc_id_for(f, root)
        if lines and suffix == ".txt":
            for ln, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    records.append({"doc_id": f"{stem}-{ln}", "text": line,
                                    "source_path": f"{rel}:{ln}", "_file": rel})
            continue
        rec = {"doc_id": stem, "text": text, "source_path": rel, "_file": rel, **fm}
        if article_metadata and is_article(text):
            for k, v in article_fields(text).items():
                rec.setdefault(k, v)
        records.append(rec)
    if skipped:
        warnings.warn(f"skipped {len(skipped)} empty file(s): "
                      + ", ".join(s["path"] for s in skipped[:5])
                      + (" …" if len(skipped) > 5 else ""), stacklevel=2)
    if not records:
        where = path if root is None else root
        raise InputError(f"{where}: no documents found (supported: "
                         f"{' '.join(SUPPORTED_SUFFIXES)}; {len(skipped)} empty file(s) "
                         "skipped); check the path")
    frame = pd.DataFrame.from_records(records)
    if frame["doc_id"].duplicated().any():
        # Same file name in two folders: fall back to the relative path as id.
        dup = frame["doc_id"].duplicated(keep=False)
        frame.loc[dup, "doc_id"] = frame.loc[dup, "source_path"].map(
            lambda p: re.sub(r"\.[A-Za-z0-9]+$", "", str(p)))
    if frame["doc_id"].duplicated().any():
        d = frame.loc[frame["doc_id"].duplicated(), "doc_id"].iloc[0]
        raise InputError(f"{path}: duplicate document id {d!r}; give each document a "
                         "unique id (file name or id column)")
    _check_years(frame, lambda i: (f"{frame['source_path'].iloc[i]}"
                                   + (f" line {int(frame['_line'].iloc[i])}"
                                      if "_line" in frame and pd.notna(frame["_line"].iloc[i])
                                      else "")))
    man_path = Path(manifest) if manifest else _find_manifest(root)
    man_info = None
    if man_path is not None:
        frame, man_info = _apply_manifest(frame, man_path)
    frame = frame.drop(columns=["_file", "_line"], errors="ignore")
    frame["content_hash"] = [sha256_text(t) for t in frame["text"]]
    frame.insert(0, "unit_id", frame["doc_id"])
    order = ["unit_id", "doc_id", "text"]
    frame = frame[order + [c for c in frame.columns if c not in order]]
    frame = _coerce_docvars(frame)
    meta = {"steps": [{"step": "read_corpus", "path": str(path), "files": len(files),
                       "documents": len(frame), "encodings": encodings,
                       "manifest": man_info, "lines": lines}],
            "skipped": skipped}
    return Corpus(frame, level="documents", meta=meta)


# -- locating files ------------------------------------------------------------------

def _resolve(path: str | Path) -> tuple[Path | None, list[Path]]:
    s = str(path)
    p = Path(path)
    if any(ch in s for ch in "*?[") and not p.exists():
        files = sorted(Path(x) for x in globmod.glob(s, recursive=True))
        files = [f for f in files if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES]
        if not files:
            raise InputError(f"{s}: the pattern matches no supported files "
                             f"({' '.join(SUPPORTED_SUFFIXES)}); check the pattern")
        root = Path(_common_root(files))
        return root, files
    if not p.exists():
        raise InputError(f"{p}: no such file or folder; check the path")
    if p.is_dir():
        visible = [f for f in p.rglob("*") if f.is_file()
                   and not any(part.startswith(".") for part in f.relative_to(p).parts)]
        files = sorted(f for f in visible if f.suffix.lower() in SUPPORTED_SUFFIXES
                       and f.name.lower() not in ("readme.md", "readme.txt", "sources.md"))
        unread = _unread_documents(visible)
        if not files:
            raise InputError(f"{p}: the folder holds no supported files "
                             f"({' '.join(SUPPORTED_SUFFIXES)})" + (f"; {unread}" if unread
                                                                    else ""))
        if unread:
            # Documents in a format we do not read must not vanish without a word.
            warnings.warn(f"{p}: {unread}", stacklevel=3)
        return p, files
    if p.suffix.lower() not in SUPPORTED_SUFFIXES:
        fix = _RESAVE.get(p.suffix.lower(), f"use one of {' '.join(SUPPORTED_SUFFIXES)}")
        raise InputError(f"{p}: unsupported file type {p.suffix or '(none)'!r}; {fix}")
    return None, [p]


# Document formats people keep corpora in that are not read, and what to save them as.
_RESAVE = {".doc": "save as .docx in Word/WPS", ".wps": "save as .docx in WPS",
           ".rtf": "save as .docx", ".odt": "save as .docx",
           ".xls": "save as .xlsx", ".et": "save as .xlsx in WPS",
           ".caj": "export as PDF or text from CAJViewer",
           ".mht": "save the page as .html", ".mhtml": "save the page as .html"}


def _unread_documents(files: list[Path]) -> str:
    """'skipped 3 .doc file(s) (save it as .docx in Word/WPS), …' or ''."""
    counts: dict[str, int] = {}
    for f in files:
        suf = f.suffix.lower()
        if suf in _RESAVE:
            counts[suf] = counts.get(suf, 0) + 1
    if not counts:
        return ""
    return "skipped " + ", ".join(f"{n} {suf} file(s) ({_RESAVE[suf]})"
                                  for suf, n in sorted(counts.items()))


def _common_root(files: list[Path]) -> str:
    import os
    return os.path.commonpath([str(f.parent) for f in files])


def _rel(f: Path, root: Path | None) -> str:
    if root is None:
        return str(f)
    try:
        return f.relative_to(root).as_posix()
    except ValueError:
        return str(f)


def _doc_id_for(f: Path, root: Path | None) -> str:
    return f.stem


# -- one file ------------------------------------------------------------------------

def _read_one(f: Path, suffix: str, encoding: str | None) -> tuple[str, str, dict]:
    if suffix in (".txt", ".md", ".markdown"):
        text, enc = read_text_file(f, encoding)
        text = text.lstrip("\ufeff")
        text, fm = _front_matter(text, f)
        if suffix != ".txt":
            text = _strip_markdown(text)
        return text, enc, fm
    if suffix in (".html", ".htm"):
        raw, enc = read_text_file(f, encoding)
        return *_html_text(raw), {}
    if suffix == ".docx":
        return _docx_text(f), "docx", {}
    if suffix == ".pdf":
        return _pdf_text(f), "pdf", {}
    raise InputError(f"{f}: unsupported file type {suffix!r}")


_FM = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.S)


def _front_matter(text: str, f: Path) -> tuple[str, dict]:
    """YAML front matter (``---`` … ``---``) becomes document variables."""
    m = _FM.match(text)
    if not m:
        return text, {}
    try:
        import yaml
        data = yaml.safe_load(m.group(1))
    except Exception:
        data = None
    if not isinstance(data, dict):
        data = {}
        for line in m.group(1).splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                data[k.strip()] = v.strip()
    clean = {}
    for k, v in data.items():
        if isinstance(v, (list, tuple)):
            v = "; ".join(map(str, v))
        elif isinstance(v, dict):
            continue
        clean[str(k).strip()] = v
    return text[m.end():], clean


def _strip_markdown(text: str) -> str:
    """Drop what is markup, not prose: HTML tags, images, link targets, heading marks."""
    text = re.sub(r"<\s*(br|/p|/div|/li|/h\d)\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"<[^>\n]+>", "", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(?m)^\s{0,3}#{1,6}\s*", "", text)
    text = re.sub(r"(?m)^\s*(\*{3,}|-{3,}|_{3,})\s*$", "", text)
    text = re.sub(r"\*\*([^*\n]+)\*\*", r"\1", text)
    import html as _h
    return _h.unescape(text)


def _html_text(raw: str) -> tuple[str, str]:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer"]):
        tag.decompose()
    body = soup.body or soup
    text = body.get_text("\n")
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, "html"


def _docx_text(f: Path) -> str:
    try:
        import docx
        d = docx.Document(str(f))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{f}: not a readable .docx ({exc.__class__.__name__}); open and "
                         "re-save it in Word/WPS, or remove it") from None
    except Exception as exc:  # python-docx raises its own types for broken packages
        raise InputError(f"{f}: not a readable .docx ({exc.__class__.__name__}); re-save "
                         "it in Word/WPS, or remove it") from None
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append("\t".join(c.text for c in row.cells))
    return "\n".join(parts)


def _pdf_text(f: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a core dependency
        raise InputError("reading .pdf needs pypdf; pip install pypdf") from None
    try:
        reader = PdfReader(str(f))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"{f}: not a readable PDF ({exc.__class__.__name__}); re-export it "
                         "or remove it") from None
    except Exception as exc:  # pypdf raises assorted types on damaged files
        raise InputError(f"{f}: not a readable PDF ({exc.__class__.__name__}); re-export it "
                         "or remove it") from None
    return "\n".join(pages)


# -- tables --------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls / .doc


def read_table(path: str | Path, what: str = "input", *, encoding: str | None = None,
               sheet_name: int | str = 0, dtype: Any = str) -> pd.DataFrame:
    """Read a CSV/TSV or XLSX table the way a spreadsheet user saved it.

    CSV in UTF-8 (with or without BOM), GB18030/GBK (Excel on a Chinese Windows) or
    UTF-16; comma, semicolon or tab separated; an XLSX workbook even when it was given
    a ``.csv`` name.  Empty CSV cells are ``""``.  Every problem is a one-line
    :class:`~quanyu_nlp.errors.InputError` naming the file (and line) and the fix.

    Parameters
    ----------
    path : str or Path
        The table.
    what : str
        What the file is for the user ("input", "training", "manifest"), for messages.
    encoding : str, optional
        Force the encoding of a CSV instead of detecting it.
    sheet_name : int or str
        The worksheet of an XLSX file.
    dtype : type
        Cell type passed to pandas (``str``: every cell as text; ``object``: XLSX
        numbers stay numbers).

    Returns
    -------
    pandas.DataFrame
        Column names stripped of surrounding spaces.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{what} file {p} does not exist; check the path")
    if p.is_dir():
        raise InputError(f"{what} {p} is a folder; give a CSV or XLSX file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} file {p} ({exc.strerror or exc}); check its "
                         "permissions") from None
    suffix = p.suffix.lower()
    if data.startswith(_OLE_MAGIC) or suffix in (".xls", ".et", ".ods", ".numbers"):
        raise InputError(f"{p}: an old-format or non-Excel spreadsheet is not read; in Excel "
                         "or WPS choose Save As → .xlsx (or CSV UTF-8) and give that file")
    if suffix in (".xlsx", ".xlsm") or data.startswith(_ZIP_MAGIC):
        # A workbook renamed to .csv is still a workbook: read it as one.
        try:
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=dtype,
                                   engine="openpyxl")
        except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
            raise InputError(f"{p}: not a readable .xlsx workbook ({exc.__class__.__name__}); "
                             "open it in Excel or WPS and save it again as .xlsx") from None
        names = list(sheets)
        if isinstance(sheet_name, int):
            if not 0 <= sheet_name < len(names):
                raise InputError(f"{p} has {len(names)} worksheet(s), no worksheet "
                                 f"{sheet_name + 1}")
            if sheet_name == 0:
                # An empty first sheet (or one with notes only above nothing) is not the
                # table: take the first sheet that has a header.
                sheet_name = next((i for i, n in enumerate(names)
                                   if len(sheets[n].columns)), 0)
            frame = sheets[names[sheet_name]]
        elif sheet_name in sheets:
            frame = sheets[sheet_name]
        else:
            raise InputError(f"{p} has no worksheet {sheet_name!r}; it has: "
                             f"{', '.join(map(str, names))}")
        if dtype is str:
            frame = frame.fillna("")
    else:
        try:
            text, _ = decode_bytes(data, str(p), encoding)
        except EncodingError:
            raise
        except InputError:
            raise InputError(f"{p} is a binary file, not a table; save the {what} as CSV "
                             "UTF-8 or .xlsx") from None
        text = text.lstrip("\ufeff")
        if not text.strip():
            raise InputError(f"{p} is empty; it needs a header row naming the columns "
                             "(e.g. text) and one row per document")
        header = text.split("\n", 1)[0]
        sep = "\t" if suffix in (".tsv", ".tab") else ","
        if sep not in header:
            # Excel in some locales saves "CSV" with semicolons; TSV is common too.
            sep = next((c for c in ("\t", ";") if c in header), sep)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=dtype, sep=sep, keep_default_na=False)
        except pd.errors.ParserError as exc:
            # pandas counts "line N" from 1 but "row N" from 0 (the header is row 0)
            m = re.search(r"\b(line|row) (\d+)", str(exc))
            where = (f" line {int(m.group(2)) + (m.group(1) == 'row')}" if m else "")
            raise InputError(f"{p}{where}: malformed CSV ({str(exc).splitlines()[0]}); check "
                             "the quotes and the number of fields on that line") from None
        except pd.errors.EmptyDataError:
            raise InputError(f"{p} is empty; it needs a header row naming the columns") \
                from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def columns_hint(columns, name_it: str = _NAME_TEXT_COLUMN) -> str:
    """How to fix a missing column, seeing the header that was read.

    A spreadsheet with a title row above the header ("2023年案例汇总") is read with
    that title as the only named column and the rest "Unnamed: 1", …; an empty first
    worksheet gives no columns at all.
    """
    cols = [str(c) for c in columns]
    if not cols:
        return "the header row is empty: put the table, with its header row, in the first " \
               "worksheet or first line"
    if len(cols) >= 2 and all(c.startswith("Unnamed:") for c in cols[1:]):
        # a title in A1 and nothing beside it (an empty column at the end is common and
        # says nothing)
        return "the first row looks like a title, not the header row: delete the rows " \
               "above the header"
    return name_it


def _load_table(f: Path, encoding: str | None, sheet_name: int | str = 0,
                what: str = "corpus") -> pd.DataFrame:
    return read_table(f, what, encoding=encoding, sheet_name=sheet_name, dtype=object)


def _read_table(f: Path, text_column: str | None, id_column: str | None,
                encoding: str | None, sheet_name: int | str) -> list[dict]:
    df = _load_table(f, encoding, sheet_name)
    col = text_column
    if col is None:
        col = next((c for c in TEXT_COLUMN_GUESSES if c in df.columns), None)
        if col is None:
            raise ColumnError(f"{f}: no text column found; columns are: "
                              f"{', '.join(df.columns)} ({columns_hint(df.columns)})")
    elif col not in df.columns:
        raise ColumnError(f"{f}: no column {col!r}; columns are: {', '.join(df.columns)} "
                          f"({columns_hint(df.columns)})")
    if df.empty:
        raise InputError(f"{f}: the table has a header but no rows; add one row per "
                         "document")
    if id_column is not None and id_column not in df.columns:
        raise ColumnError(f"{f}: no id column {id_column!r}; columns are: "
                          f"{', '.join(df.columns)}")
    idc = id_column or next((c for c in ("doc_id", "id") if c in df.columns and c != col), None)
    recs = []
    for i, row in enumerate(df.to_dict("records"), start=1):
        text = row.pop(col)
        text = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            continue
        did = str(row.pop(idc)) if idc else f"{f.stem}-{i}"
        recs.append({"doc_id": did, "text": text, "_line": i + 1,
                     **{k: v for k, v in row.items() if k not in ("unit_id", "text")}})
    if not recs:
        raise InputError(f"{f}: column {col!r} is empty in every row; no documents to read "
                         f"({_NAME_TEXT_COLUMN} if the text is in another column)")
    return recs


YEAR_COLUMNS = ("year", "年份", "年度")


def _is_year(v: Any) -> bool:
    """Empty, or a whole number (2021, "2021", 2021.0 from Excel)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return True
    s = str(v).strip()
    if not s:
        return True
    try:
        return float(s) == int(float(s))
    except (ValueError, OverflowError):
        return False


def _check_years(frame: pd.DataFrame, where) -> None:
    """A year the analysis cannot read must not silently become "missing".

    Year columns are made integers for grouping and models; a cell such as 二〇二一 or
    2021年 would otherwise turn into a missing value and drop out of every table by year.
    ``where(i)`` names row ``i`` (file and line) for the message.
    """
    for col in frame.columns:
        if str(col).lower() not in YEAR_COLUMNS:
            continue
        bad = [i for i, v in enumerate(frame[col].tolist()) if not _is_year(v)]
        if bad:
            i = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise InputError(f"{where(i)}, column {col}: {frame[col].iloc[i]!r} is not a year "
                             f"in digits{more}; write it like 2021 or leave the cell empty")


def _find_manifest(root: Path | None) -> Path | None:
    if root is None:
        return None
    for name in MANIFEST_NAMES:
        if (root / name).exists():
            return root / name
    return None


def _match_files(entries: pd.Series, files: pd.Series) -> pd.Series:
    """Manifest ``file`` entries as the reader names files (relative, with ``/``).

    Written on Windows (``sub\\a.txt``), with ``./`` in front, or without the suffix
    (``a`` for ``a.txt``, when only one file has that name), an entry still finds its
    file instead of leaving the document without its variables.
    """
    known = set(files.astype(str))
    by_stem: dict[str, list[str]] = {}
    for f in known:
        by_stem.setdefault(re.sub(r"\.[A-Za-z0-9]+$", "", f), []).append(f)

    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return v
        s = str(v).strip().replace("\\", "/")
        while s.startswith("./"):
            s = s[2:]
        if s not in known and len(by_stem.get(s, [])) == 1:
            s = by_stem[s][0]
        return s

    return entries.map(one)


def _apply_manifest(frame: pd.DataFrame, man_path: Path) -> tuple[pd.DataFrame, dict]:
    man = _load_table(man_path, None, what="manifest")
    _check_years(man, lambda i: f"{man_path} line {i + 2}")
    if "file" in man.columns:
        key_m, key_f = "file", "_file"
    elif "doc_id" in man.columns:
        key_m, key_f = "doc_id", "doc_id"
    else:
        raise ColumnError(f"{man_path}: a manifest needs a 'file' or 'doc_id' column; "
                          f"columns are: {', '.join(man.columns)}")
    if key_m == "file" and "_file" in frame:
        man[key_m] = _match_files(man[key_m], frame["_file"])
    dup = man[key_m].astype(str).duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise ColumnError(f"{man_path} line {i + 2}: {key_m} {man[key_m].iloc[i]!r} has a row "
                          "already; give each document one row")
    man = man.replace({"": None})
    frame = frame.copy()
    keys = frame[key_f].astype(str) if key_f in frame else pd.Series([None] * len(frame))
    m_idx = man.set_index(man[key_m].astype(str))
    matched = keys.isin(m_idx.index)
    for col in man.columns:
        if col in (key_m, "text", "unit_id"):
            continue
        vals = keys.map(m_idx[col])
        if col == "doc_id":
            frame.loc[matched, "doc_id"] = vals[matched].astype(str)
            continue
        if col in frame.columns:  # the manifest wins over front matter
            frame[col] = vals.where(matched, frame[col])
        else:
            frame[col] = vals
    unmatched_docs = int((~matched).sum())
    unused = sorted(set(m_idx.index) - set(keys))
    if unused:
        warnings.warn(f"{man_path}: {len(unused)} manifest row(s) match no file, e.g. "
                      f"{unused[0]!r}", stacklevel=3)
    if unmatched_docs:
        warnings.warn(f"{man_path}: {unmatched_docs} document(s) have no manifest row",
                      stacklevel=3)
    return frame, {"path": str(man_path), "matched": int(matched.sum()),
                   "unmatched_documents": unmatched_docs, "unused_rows": len(unused)}
