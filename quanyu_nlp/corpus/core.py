"""The :class:`Corpus`: an immutable, pandas-backed table of text units.

A corpus is a table of *units*.  At the document level a unit is a whole document; after
:func:`corpus_reshape` a unit is a paragraph or a sentence that remembers where it came
from: ``parent_id`` (the root document) and ``start`` / ``end``, character offsets into
the root document's text.  The invariant

    ``corpus.documents.doc_text(u.doc_id)[u.start:u.end] == u.text``

holds for every sub-unit, so every quote can be traced to exact characters of the
original document.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._io import sha256_text, stable_hash
from ..errors import ColumnError, InputError, ParameterError

__all__ = ["Corpus", "corpus_from_frame", "corpus_from_texts", "corpus_subset",
           "corpus_sample", "STRUCTURAL_COLUMNS", "LEVELS"]

LEVELS = ("documents", "paragraphs", "sentences")

#: Columns that describe the unit itself rather than the document it belongs to.
STRUCTURAL_COLUMNS = ("unit_id", "doc_id", "text", "parent_id", "start", "end", "section",
                      "para_no", "sent_no", "part", "source_path", "content_hash")


class Corpus:
    """An immutable table of text units with document variables.

    Do not call the constructor directly; use :func:`read_corpus`,
    :func:`corpus_from_texts` or :func:`corpus_from_frame`.

    Attributes
    ----------
    level : {"documents", "paragraphs", "sentences"}
        What one unit is.
    units : pandas.DataFrame
        A copy of the unit table.
    texts, unit_ids, doc_ids : list of str
    docvars : pandas.DataFrame
        The document variables (title, author, region, level, year, genre, …), one row
        per unit; for sentences and paragraphs led by ``doc_id``.
    documents : Corpus
        The document-level corpus these units were cut from.
    meta : dict
        Provenance: how the corpus was read and transformed (``steps``, ``skipped``).

    Examples
    --------
    >>> from quanyu_nlp.corpus import corpus_from_texts, corpus_reshape
    >>> c = corpus_from_texts(["一是政治引领。二是组织引领。"], docvars={"year": [2020]})
    >>> s = corpus_reshape(c, to="sentences")
    >>> s.texts
    ['一是政治引领。', '二是组织引领。']
    >>> c.doc_text(s.doc_ids[1])[s.units.start[1]:s.units.end[1]]
    '二是组织引领。'
    """

    __slots__ = ("_units", "_docs", "_level", "_meta", "_hash")

    def __init__(self, units: pd.DataFrame, *, level: str = "documents",
                 documents: "Corpus | None" = None, meta: Mapping[str, Any] | None = None):
        if level not in LEVELS:
            raise ParameterError(f"unknown corpus level {level!r}; use one of {', '.join(LEVELS)}")
        units = units.reset_index(drop=True)
        for col in ("unit_id", "doc_id", "text"):
            if col not in units.columns:
                raise ColumnError(f"corpus table has no {col!r} column; "
                                  f"columns are: {', '.join(map(str, units.columns))}")
        if units["unit_id"].duplicated().any():
            dup = units.loc[units["unit_id"].duplicated(), "unit_id"].iloc[0]
            raise ParameterError(f"duplicate unit id {dup!r}; unit ids must be unique")
        object.__setattr__(self, "_units", units)
        object.__setattr__(self, "_level", level)
        object.__setattr__(self, "_docs", documents)
        object.__setattr__(self, "_meta", dict(meta or {}))
        object.__setattr__(self, "_hash", None)

    # immutability ------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Corpus is immutable; transforms return a new Corpus")

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state: dict) -> None:
        # Unpickling (process pools, --resume) must bypass the immutability guard.
        for k, v in state.items():
            object.__setattr__(self, k, v)

    # basic access --------------------------------------------------------------------
    @property
    def level(self) -> str:
        return self._level

    @property
    def units(self) -> pd.DataFrame:
        return self._units.copy()

    @property
    def texts(self) -> list[str]:
        return self._units["text"].tolist()

    @property
    def unit_ids(self) -> list[str]:
        return self._units["unit_id"].tolist()

    @property
    def doc_ids(self) -> list[str]:
        return self._units["doc_id"].tolist()

    @property
    def docvar_names(self) -> list[str]:
        return [c for c in self._units.columns if c not in STRUCTURAL_COLUMNS]

    @property
    def docvars(self) -> pd.DataFrame:
        # For sentences and paragraphs the document a unit belongs to is itself a
        # variable (downstream tables such as KWIC and Tokens carry it along).
        cols = self.docvar_names if self._level == "documents" else ["doc_id", *self.docvar_names]
        return self._units[cols].copy()

    @property
    def documents(self) -> "Corpus":
        return self if self._docs is None else self._docs

    @property
    def meta(self) -> dict:
        import copy
        return copy.deepcopy(self._meta)

    @property
    def content_hash(self) -> str:
        """SHA-256 over unit ids, texts and document variables (order-sensitive)."""
        if self._hash is None:
            h = stable_hash({
                "level": self._level,
                "ids": self.unit_ids,
                "texts": [sha256_text(t) for t in self.texts],
                "docvars": self._units[self.docvar_names].astype(str).values.tolist(),
                "offsets": (self._units[["start", "end"]].values.tolist()
                            if "start" in self._units else None),
            })
            object.__setattr__(self, "_hash", h)
        return self._hash

    def doc_text(self, doc_id: str) -> str:
        """The full text of the root document ``doc_id``."""
        docs = self.documents._units
        hit = docs.index[docs["doc_id"] == doc_id]
        if len(hit) == 0:
            raise ColumnError(f"no document with doc_id {doc_id!r} in this corpus")
        return docs.at[hit[0], "text"]

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Any]:
        return self._units.itertuples(index=False, name="Unit")

    def __getitem__(self, i: int) -> pd.Series:
        return self._units.iloc[i].copy()

    def summary(self, max_levels: int = 30) -> dict:
        """Counts for a quick look: units, documents, characters, counts per variable."""
        u = self._units
        out: dict[str, Any] = {
            "level": self._level,
            "units": len(u),
            "documents": int(u["doc_id"].nunique()),
            "characters": int(u["text"].str.len().sum()),
            "han_characters": int(u["text"].str.count(r"[\u4e00-\u9fff]").sum()),
            "variables": {},
        }
        for col in self.docvar_names:
            values = u[col]
            missing = int(values.isna().sum())
            counts = values.dropna().value_counts().sort_index()
            short = counts.index.astype(str).str.len().max() <= 20 if len(counts) else True
            if 0 < len(counts) <= max_levels and short:
                entry = {str(k): int(v) for k, v in counts.items()}
            else:
                entry = {"distinct values": int(len(counts))}
            if missing:
                entry["(missing)"] = missing
            out["variables"][col] = entry
        if self._meta.get("skipped"):
            out["skipped"] = len(self._meta["skipped"])
        return out

    def __repr__(self) -> str:
        s = self.summary()
        vars_ = ", ".join(self.docvar_names) or "none"
        return (f"<Corpus: {self._counts(s, ', ')}, {s['characters']:,} characters; "
                f"variables: {vars_}>")

    def _counts(self, s: dict, sep: str) -> str:
        """"1455 paragraphs, 66 documents", or "66 documents" once at document level."""
        def n(k: int, what: str) -> str:
            return f"{k} {what if k != 1 else what[:-1]}"

        if self._level == "documents":
            return n(s["units"], "documents")
        return f"{n(s['units'], self._level)}{sep}{n(s['documents'], 'documents')}"

    def _repr_html_(self) -> str:
        s = self.summary()
        head = self._units.head(8).copy()
        head["text"] = head["text"].map(lambda t: t if len(t) <= 60 else t[:60] + "…")
        show = [c for c in head.columns if c not in ("source_path", "content_hash")]
        var_rows = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(_fmt_counts(v))}</td></tr>"
            for k, v in s["variables"].items())
        steps = "; ".join(st.get("step", "?") for st in self._meta.get("steps", [])) or "none"
        return (
            "<div class='quanyu-corpus'>"
            f"<p><b>Corpus</b> · {self._counts(s, ' · ')} · "
            f"{s['characters']:,} characters ({s['han_characters']:,} Han) · "
            f"steps: {html.escape(steps)}</p>"
            f"<table>{var_rows}</table>"
            + head[show].to_html(index=False, escape=True, max_rows=8)
            + "</div>")

    # construction helpers ------------------------------------------------------------
    def _derive(self, units: pd.DataFrame, *, level: str | None = None,
                step: dict | None = None, documents: "Corpus | None | bool" = True) -> "Corpus":
        meta = self.meta
        if step is not None:
            meta.setdefault("steps", []).append(step)
        docs = self._docs if documents is True else documents
        return Corpus(units, level=level or self._level, documents=docs, meta=meta)


def _fmt_counts(v: dict) -> str:
    items = list(v.items())
    text = ", ".join(f"{k}: {n}" for k, n in items[:12])
    return text + (" …" if len(items) > 12 else "")


def _check_years_in_memory(frame: pd.DataFrame, source: str) -> None:
    """Refuse a year the analysis cannot read, naming the row's doc id and the value.

    The file readers refuse 二〇二一, 2021年 or "n/a" at the file and line; a DataFrame
    or a list of texts gets the same check (the readers' ``_check_years``, so both
    accept and word the same) with the row and doc id as the place.  Without it
    ``_coerce_docvars`` would turn such a cell into a missing value and the document
    would drop out of every table by year.
    """
    # a late import: readers imports this module
    from .readers import YEAR_COLUMNS, _check_years

    cols = [c for c in frame.columns
            if c not in STRUCTURAL_COLUMNS and str(c).lower() in YEAR_COLUMNS]
    if not cols:
        return
    # pandas' own missing values (pd.NA of an Int64 column, NaT) are missing, as
    # None and NaN are.
    years = frame[cols].astype(object)
    years = years.where(years.notna(), None)
    ids = frame["doc_id"].tolist()
    try:
        _check_years(years, lambda i: f"{source} row {i} (doc_id {ids[i]!r})")
    except InputError as exc:
        # The same wording, but the mistake is in a column the caller passed.
        raise ColumnError(exc.message) from None


def _coerce_docvars(frame: pd.DataFrame) -> pd.DataFrame:
    """Make numeric-looking year columns integers so grouping and models work."""
    for col in frame.columns:
        if col in STRUCTURAL_COLUMNS:
            continue
        if str(col).lower() in ("year", "年份", "年度"):
            num = pd.to_numeric(frame[col], errors="coerce")
            if num.notna().sum() and (num.dropna() % 1 == 0).all():
                frame[col] = num.astype("Int64")
    return frame


def corpus_from_frame(frame: pd.DataFrame, text_column: str = "text",
                      id_column: str | None = None, source: str = "<DataFrame>") -> Corpus:
    """Build a document-level corpus from a DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per document.
    text_column : str
        The column holding the text.
    id_column : str, optional
        The column holding document ids; ``doc_id`` or ``id`` are used when present,
        otherwise ids ``d0001``, ``d0002``, … are made.
    source : str
        Where the frame came from, for error messages and provenance.

    Raises
    ------
    ColumnError
        A missing text or id column, a duplicate id, or a year column (``year``,
        ``年份``, ``年度``) with a value that is not a year in digits (二〇二一, 2021年,
        "n/a"): it would otherwise become a missing year.  Ints, digit strings, whole
        floats (2021.0) and missing values (None, NaN, "") are accepted.
    """
    if text_column not in frame.columns:
        raise ColumnError(f"no text column {text_column!r} in {source}; columns are: "
                          f"{', '.join(map(str, frame.columns))} (pass text_column=)")
    df = frame.copy().reset_index(drop=True)
    if id_column is None:
        id_column = next((c for c in ("doc_id", "id") if c in df.columns and c != text_column),
                         None)
    elif id_column not in df.columns:
        raise ColumnError(f"no id column {id_column!r} in {source}; columns are: "
                          f"{', '.join(map(str, df.columns))}")
    width = max(4, len(str(len(df))))
    ids = (df[id_column].astype(str) if id_column
           else pd.Series([f"d{i + 1:0{width}d}" for i in range(len(df))]))
    if ids.duplicated().any():
        raise ColumnError(f"id column {id_column!r} in {source} has duplicate value "
                          f"{ids[ids.duplicated()].iloc[0]!r}; ids must be unique")
    text = df[text_column].fillna("").astype(str)
    rest = df.drop(columns=[c for c in (text_column, id_column) if c], errors="ignore")
    rest = rest.drop(columns=[c for c in rest.columns if c in ("unit_id", "doc_id", "text")],
                     errors="ignore")
    units = pd.concat([pd.DataFrame({"unit_id": ids.values, "doc_id": ids.values,
                                     "text": text.values}), rest], axis=1)
    if "content_hash" not in units:
        units["content_hash"] = [sha256_text(t) for t in units["text"]]
    _check_years_in_memory(units, source)
    units = _coerce_docvars(units)
    return Corpus(units, level="documents",
                  meta={"steps": [{"step": "corpus_from_frame", "source": source,
                                   "documents": len(units)}], "skipped": []})


def corpus_from_texts(texts: Sequence[str], doc_ids: Sequence[str] | None = None,
                      docvars: Mapping[str, Sequence] | pd.DataFrame | None = None) -> Corpus:
    """Build a document-level corpus from a list of strings.

    Parameters
    ----------
    texts : sequence of str
    doc_ids : sequence of str, optional
        Default ``d0001``, ``d0002``, …
    docvars : mapping of column -> values, or DataFrame, optional
        One value per text.  Year columns are checked as in :func:`corpus_from_frame`.

    Examples
    --------
    >>> c = corpus_from_texts(["党建引领。", "组织覆盖。"], docvars={"region": ["甲", "乙"]})
    >>> len(c), c.doc_ids
    (2, ['d0001', 'd0002'])
    """
    if isinstance(texts, str):
        raise ParameterError("texts must be a list of strings, not one string; wrap it: [text]")
    frame = pd.DataFrame({"text": list(texts)})
    if docvars is not None:
        dv = pd.DataFrame(docvars).reset_index(drop=True)
        if len(dv) != len(frame):
            raise ParameterError(f"docvars have {len(dv)} rows but there are {len(frame)} texts")
        frame = pd.concat([frame, dv], axis=1)
    if doc_ids is not None:
        if len(doc_ids) != len(frame):
            raise ParameterError(f"{len(doc_ids)} doc_ids for {len(frame)} texts")
        frame.insert(0, "doc_id", [str(d) for d in doc_ids])
    return corpus_from_frame(frame, source="<texts>")


def corpus_subset(corpus: Corpus, condition: Any = None, **equals: Any) -> Corpus:
    """Keep the units that satisfy a condition.

    Parameters
    ----------
    condition : str, boolean array or callable, optional
        A pandas query string (``"year >= 2020 and field == '农村'"``), a boolean mask
        of length ``len(corpus)``, or a function of the unit table returning a mask.
    **equals
        Shorthand equality filters: ``corpus_subset(c, field="农村")``; a list or set
        value keeps any of its members.
    """
    df = corpus._units
    mask = np.ones(len(df), dtype=bool)
    if condition is not None:
        if isinstance(condition, str):
            try:
                mask &= df.eval(condition).to_numpy(dtype=bool)
            except Exception as exc:  # pandas raises many types here
                raise ColumnError(f"cannot evaluate subset condition {condition!r}: {exc}; "
                                  f"variables are: {', '.join(corpus.docvar_names)}") from None
        elif callable(condition):
            mask &= np.asarray(condition(df), dtype=bool)
        else:
            arr = np.asarray(condition, dtype=bool)
            if arr.shape != (len(df),):
                raise ParameterError(f"subset mask has length {arr.size}, corpus has "
                                     f"{len(df)} units")
            mask &= arr
    for col, val in equals.items():
        if col not in df.columns:
            raise ColumnError(f"no variable {col!r} in the corpus; variables are: "
                              f"{', '.join(corpus.docvar_names)}")
        if isinstance(val, (list, tuple, set, frozenset)):
            mask &= df[col].isin(list(val)).to_numpy()
        else:
            mask &= (df[col] == val).fillna(False).to_numpy(dtype=bool)
    step = {"step": "corpus_subset", "condition": None if condition is None or not
            isinstance(condition, str) else condition,
            "equals": {k: (sorted(map(str, v)) if isinstance(v, (set, frozenset)) else v)
                       for k, v in equals.items()},
            "kept": int(mask.sum()), "of": len(df)}
    return corpus._derive(df[mask], step=step)


def corpus_sample(corpus: Corpus, n: int | None = None, frac: float | None = None,
                  random_state: int | None = None, by: str | None = None,
                  replace: bool = False) -> Corpus:
    """A random sample of units, reproducible through ``random_state``.

    Parameters
    ----------
    n, frac : int or float
        How many units (or which share) to draw; with ``by``, per group.
    by : str, optional
        Stratify: draw within each value of this document variable.
    """
    df = corpus._units
    if n is None and frac is None:
        raise ParameterError("corpus_sample needs n= or frac=")
    if n is not None and not replace and by is None and n > len(df):
        raise ParameterError(f"cannot sample {n} units without replacement from {len(df)}; "
                             "lower n or pass replace=True")
    if by is not None:
        if by not in df.columns:
            raise ColumnError(f"no variable {by!r} to stratify by; variables are: "
                              f"{', '.join(corpus.docvar_names)}")
        parts = []
        for _, g in df.groupby(by, sort=True, dropna=False):
            k = None if n is None else min(n, len(g)) if not replace else n
            parts.append(g.sample(n=k, frac=None if n is not None else frac,
                                  random_state=random_state, replace=replace))
        out = pd.concat(parts) if parts else df.iloc[:0]
    else:
        out = df.sample(n=n, frac=frac, random_state=random_state, replace=replace)
    if replace:
        out = out.copy()
        out["unit_id"] = [f"{u}#{i}" for i, u in enumerate(out["unit_id"])]
    step = {"step": "corpus_sample", "n": n, "frac": frac, "by": by,
            "random_state": random_state, "replace": replace}
    return corpus._derive(out, step=step)
