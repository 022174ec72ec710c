"""Validation of coding: coding sheets, agreement statistics, cross-validation, active sampling.

Content analysis asks two questions of an automatic coder: do people following the
codebook agree with each other (reliability: Cohen's kappa, Krippendorff's alpha,
percent agreement), and does the coder agree with them (validity: precision, recall,
F1 per category, kappa between model and humans)?  This module gives both, and the
coding sheets people fill in.
"""

from __future__ import annotations

import io
import math
import unicodedata
import warnings
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (cohen_kappa_score, confusion_matrix,
                             precision_recall_fscore_support)
from sklearn.model_selection import StratifiedKFold, KFold

from .._io import atomic_output
from ..errors import ColumnError, InputError, OutputError, ParameterError, QuanyuError
from ._framework import (dimension_labels, none_label, normalise_column, normalise_label,
                         resolve_framework, select_dimensions)
from ._units import as_texts, as_units, neighbour_context
from .codings import Codings
from .default import check_user_labels
from .supervised import labels_by_dimension

__all__ = ["sample_for_coding", "read_coding_sheet", "cohen_kappa", "krippendorff_alpha",
           "percent_agreement", "reliability_report", "cross_validate_coder",
           "CrossValidationReport", "suggest_units_to_code"]

_SHEET_FIXED = ["unit_id", "doc_id", "citation", "text"]


# ---------------------------------------------------------------------------------
# coding sheets
# ---------------------------------------------------------------------------------
def _stratified_sample(units: pd.DataFrame, n: int, stratify: Sequence[str] | None,
                       random_state: int) -> pd.DataFrame:
    if n >= len(units):
        return units.copy()
    rng = np.random.RandomState(random_state)
    if not stratify:
        idx = rng.choice(len(units), size=n, replace=False)
        return units.iloc[np.sort(idx)]
    missing = [c for c in stratify if c not in units.columns]
    if missing:
        raise ColumnError(f"cannot stratify by {', '.join(missing)}: no such document "
                          f"variable; available: {', '.join(map(str, units.columns))}")
    key = units[list(stratify)].astype(str).agg(" | ".join, axis=1)
    groups = {k: np.flatnonzero((key == k).to_numpy()) for k in sorted(key.unique())}
    # Proportional allocation with at least one unit per stratum (when n allows), the
    # remainder given to the largest fractional parts (Hamilton's method).
    sizes = {k: len(v) for k, v in groups.items()}
    total = sum(sizes.values())
    quota = {k: n * s / total for k, s in sizes.items()}
    alloc = {k: min(sizes[k], max(1 if n >= len(groups) else 0, int(math.floor(q))))
             for k, q in quota.items()}
    left = n - sum(alloc.values())
    for k in sorted(quota, key=lambda k: (-(quota[k] - math.floor(quota[k])), k)):
        if left <= 0:
            break
        if alloc[k] < sizes[k]:
            alloc[k] += 1
            left -= 1
    while left > 0:  # strata too small: fill from any with room
        moved = False
        for k in groups:
            if left > 0 and alloc[k] < sizes[k]:
                alloc[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    while sum(alloc.values()) > n:  # min-1 rule overshot: trim the largest
        k = max(alloc, key=lambda k: (alloc[k], k))
        alloc[k] -= 1
    chosen = []
    for k, idx in groups.items():
        if alloc[k]:
            chosen.extend(rng.choice(idx, size=alloc[k], replace=False).tolist())
    return units.iloc[np.sort(chosen)]


def _codebook_frame(fw: Any, dims: Sequence[Any]) -> pd.DataFrame:
    rows = []
    for d in dims:
        for c in d.categories:
            rows.append({"dimension": d.id, "label": c.label, "id": c.id,
                         "definition": c.definition,
                         "include": "；".join(getattr(c, "include", ()) or ()),
                         "exclude": "；".join(getattr(c, "exclude", ()) or ())})
        rows.append({"dimension": d.id, "label": none_label(d), "id": "none",
                     "definition": "没有合适的类目（见编码手册）", "include": "", "exclude": ""})
        for tb in getattr(d, "tie_breaks", ()) or ():
            rows.append({"dimension": d.id, "label": "（判别规则）", "id": "tie-break",
                         "definition": tb, "include": "", "exclude": ""})
    return pd.DataFrame(rows, columns=["dimension", "label", "id", "definition", "include",
                                       "exclude"])


def _write_sheet_xlsx(path: Path, sheet: pd.DataFrame, codebook: pd.DataFrame,
                      dims: Sequence[Any]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "coding"
    ws.append(list(sheet.columns))
    for row in sheet.itertuples(index=False):
        ws.append(["" if (isinstance(v, float) and math.isnan(v)) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = len(sheet) + 1
    for d in dims:
        col = list(sheet.columns).index(d.id) + 1
        letter = get_column_letter(col)
        dv = DataValidation(type="list", formula1='"' + ",".join(dimension_labels(d)) + '"',
                            allow_blank=True, showErrorMessage=True,
                            errorTitle="不是本维度的类目",
                            error=f"请从下拉列表选择：{'、'.join(dimension_labels(d))}")
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{max(n, 2)}")
    widths = {"unit_id": 18, "doc_id": 12, "citation": 40, "text": 70}
    for i, c in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(c, 14)
    text_col = list(sheet.columns).index("text") + 1
    for r in range(2, n + 1):
        ws.cell(row=r, column=text_col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    cb = wb.create_sheet("codebook")
    cb.append(list(codebook.columns))
    for row in codebook.itertuples(index=False):
        cb.append(list(row))
    for cell in cb[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate([14, 12, 16, 60, 40, 40], start=1):
        cb.column_dimensions[get_column_letter(i)].width = w
    wb.save(path)


def sample_for_coding(corpus: Any, n: int, stratify: Sequence[str] | None = None,
                      framework: Any = "quanyu", path: str | Path | None = None,
                      unit: str = "sentence", dimension: str | Sequence[str] | None = None,
                      random_state: int = 0, overwrite: bool = False) -> pd.DataFrame:
    """Draw units for human coding and write a coding sheet.

    Parameters
    ----------
    corpus : Corpus or list of str
        Where to sample from; documents are cut into ``unit`` first.
    n : int
        How many units.
    stratify : list of str, optional
        Document variables to stratify by (proportional allocation, at least one unit
        per stratum when ``n`` allows).
    framework : str or Framework
        Its dimensions become the empty coding columns (with drop-down lists of the
        labels in the XLSX) and its codebook the second sheet.
    path : str or Path, optional
        Where to write the sheet: ``x.xlsx`` writes ``x.xlsx`` and ``x.csv`` (and ``x.csv``
        the same pair); both written atomically.
    unit : {"sentence", "paragraph", "as-is"}
    dimension : str or list of str, optional
        Dimensions to code (all by default).
    random_state : int
    overwrite : bool, default False
        Replace a sheet at ``path`` that already has labels filled in.  Without it such a
        sheet is kept and an :class:`~quanyu_nlp.errors.OutputError` says so: re-running
        a notebook cell must not wipe out an afternoon of coding.  A sheet with no label
        yet is replaced either way.

    Returns
    -------
    DataFrame
        The sheet: unit_id, doc_id, citation, text, then one empty column per dimension
        (plus title, year, section, sent_no when known).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ParameterError(f"n={n!r}: ask for a whole number of units, at least 1")
    if isinstance(stratify, str):
        stratify = [stratify]
    if path is not None and Path(path).is_dir():
        raise OutputError(f"path={str(path)!r} is a folder; give the sheet's file name, e.g. "
                          f"{Path(path) / 'coding_sheet.xlsx'}")
    from ..evidence import citation_line

    fw = resolve_framework(framework)
    dims = select_dimensions(fw, dimension)
    units = as_units(corpus, unit)
    picked = _stratified_sample(units, int(n), stratify, random_state)
    sheet = pd.DataFrame({
        "unit_id": picked["unit_id"].astype(str).values,
        "doc_id": picked["doc_id"].astype(str).values,
        "citation": [citation_line(r) for _, r in picked.iterrows()],
        "text": picked["text"].astype(str).values,
    })
    for extra in ("section", "sent_no") + tuple(stratify or ()):
        if extra in picked.columns and extra not in sheet.columns:
            sheet[extra] = picked[extra].values
    for d in dims:
        sheet[d.id] = ""
    if path is not None:
        p = Path(path)
        stem = p.with_suffix("") if p.suffix.lower() in (".xlsx", ".csv") else p
        xlsx, csv_path = stem.with_suffix(".xlsx"), stem.with_suffix(".csv")
        if not overwrite:
            for old in (xlsx, csv_path):
                n_coded = _coded_cells(old, fw)
                if n_coded:
                    raise OutputError(f"{old} already has {n_coded} coded cells; it is kept. "
                                      "Read it with read_coding_sheet, write the new sheet "
                                      "elsewhere, or pass overwrite=True to replace it")
        # Both files or neither: a failure writing one leaves the old pair as it was.
        with atomic_output(xlsx) as tmp_x, atomic_output(csv_path) as tmp_c:
            _write_sheet_xlsx(tmp_x, sheet, _codebook_frame(fw, dims), dims)
            sheet.to_csv(tmp_c, index=False, encoding="utf-8-sig")
    return sheet


def _coded_cells(path: Path, fw: Any) -> int:
    """How many label cells of an existing sheet are filled in (0 if none or unreadable)."""
    if not path.is_file():
        return 0
    try:
        frame, _rows = _read_sheet_table(path)
    except QuanyuError:
        return 0
    cols = [d.id for d in fw.dimensions if d.id in frame.columns]
    return int((~frame[cols].map(_is_missing)).to_numpy().sum()) if cols else 0


def read_coding_sheet(path: str | Path, framework: Any = "quanyu",
                      dimension: str | Sequence[str] | None = None) -> pd.DataFrame:
    """Read a filled-in coding sheet (XLSX or CSV) and check its labels.

    Parameters
    ----------
    path : str or Path
        The sheet written by :func:`sample_for_coding` (or any table with ``unit_id``
        and one column per dimension).  As people return it: XLSX (the worksheet with
        a ``unit_id`` column; a title row above the header is passed over) or CSV in
        UTF-8 or the GBK / GB18030 that Excel writes on a Chinese Windows (``.tsv`` and
        ``.txt``: tab-separated).  Blank rows are skipped; spaces around headers and
        labels, full-width ones too, are ignored.
    framework : str or Framework
    dimension : str or list of str, optional
        Dimensions to read; default every dimension column present.

    Returns
    -------
    DataFrame
        unit_id, text (when present) and one column per dimension, with the framework's
        labels (ids are accepted and mapped to labels); empty cells are None.

    Raises
    ------
    InputError
        Unreadable file (missing, ``.xls``, a broken ``.xlsx``, undecodable text).
    ColumnError
        No ``unit_id`` or no dimension column (a column named by the dimension's
        Chinese name is pointed out), or a header given twice.
    ParameterError
        A label that is not a category (with a did-you-mean), a coded row without a
        unit_id, or a unit coded twice: the message names the file, the row as Excel
        shows it and the column.
    """
    p = Path(path)
    frame, rows = _read_sheet_table(p)
    if "unit_id" not in frame.columns:
        raise ColumnError(f"no column 'unit_id' in {p.name}; columns are: "
                          f"{', '.join(frame.columns)} (keep the unit_id column of the sheet)")
    fw = resolve_framework(framework)
    if dimension is None:
        dims = [d for d in fw.dimensions if d.id in frame.columns]
        if not dims:
            named = [d for d in fw.dimensions if d.label in frame.columns]
            hint = (f" (rename column {named[0].label!r} to {named[0].id!r})" if named else "")
            raise ColumnError(f"{p.name} has no column for any dimension of framework "
                              f"{getattr(fw, 'name', '')!r} "
                              f"({', '.join(d.id for d in fw.dimensions)}){hint}; "
                              f"columns are: {', '.join(frame.columns)}")
    else:
        dims = select_dimensions(fw, dimension)
        for d in dims:
            if d.id not in frame.columns:
                raise ColumnError(f"no column {d.id!r} in {p.name}; columns are: "
                                  f"{', '.join(frame.columns)}")
    # Rows left blank (Excel keeps formatted empty rows; people leave gaps) are not units.
    cells = frame[["unit_id"] + [d.id for d in dims]].map(_is_missing)
    keep = ~cells.all(axis=1).to_numpy()
    frame, rows = frame[keep].reset_index(drop=True), [r for r, k in zip(rows, keep) if k]
    uid = frame["unit_id"].map(lambda v: "" if _is_missing(v) else str(v).strip())
    if (uid == "").any():
        i = int(np.flatnonzero((uid == "").to_numpy())[0])
        raise ParameterError(f"{p.name} row {rows[i]}, column unit_id: empty, but the row is "
                             "coded; fill in the unit's id (copy it from the sheet you were "
                             "given) or clear the row")
    out = pd.DataFrame({"unit_id": uid})
    if "text" in frame.columns:
        out["text"] = frame["text"].to_numpy()
    for d in dims:
        out[d.id] = pd.Series(normalise_column(d, frame[d.id].tolist(), p.name, rows=rows),
                              dtype=object)
    dup = out["unit_id"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        first = rows[int(np.flatnonzero((out["unit_id"] == out["unit_id"].iloc[i]).to_numpy())[0])]
        raise ParameterError(f"{p.name} row {rows[i]}, column unit_id: "
                             f"{out['unit_id'].iloc[i]!r} appears twice (also row {first}); "
                             "code each unit once")
    out.attrs["source"] = str(p)
    return out


def _read_sheet_table(p: Path) -> tuple[pd.DataFrame, list[int]]:
    """The sheet's table as strings, and each row's number as the user sees it.

    XLSX: the worksheet that has a ``unit_id`` column (people add instruction sheets or
    move sheets around in Excel and WPS), the first one otherwise.  CSV: UTF-8, or the
    GB18030 / GBK that Excel on a Chinese Windows writes when saving "CSV"; tab-separated
    files (``.tsv``, ``.txt``) too.  Row numbers are spreadsheet rows (the header is row 1).
    """
    if not p.exists():
        raise InputError(f"coding sheet {p} does not exist; check the path")
    if p.is_dir():
        raise InputError(f"coding sheet {p} is a folder; pass the .xlsx or .csv file in it")
    suffix = p.suffix.lower()
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise InputError(f"{p.name}: {suffix} sheets are not read; in Excel or WPS choose "
                         "Save As → .xlsx (or CSV UTF-8) and read that file")
    if suffix in (".xlsx", ".xlsm"):
        import zipfile

        try:
            sheets = pd.read_excel(p, sheet_name=None, dtype=str, engine="openpyxl")
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise InputError(f"cannot read coding sheet {p.name}: not a valid .xlsx file "
                             f"({type(exc).__name__}); open it in Excel or WPS and save it "
                             "again as .xlsx") from None
        if not sheets:
            raise InputError(f"{p.name} has no worksheet; save the coding sheet as .xlsx")
        frames = {name: f.rename(columns=lambda c: _header(c)) for name, f in sheets.items()}
        with_id = [n for n, f in frames.items() if "unit_id" in _find_header(f)[0].columns]
        name = "coding" if "coding" in with_id else (with_id[0] if with_id else next(iter(frames)))
        frame = frames[name]
    else:
        from ..corpus.encoding import decode_bytes

        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read coding sheet {p} ({exc.strerror or exc}); check "
                             "its permissions") from None
        text, _enc = decode_bytes(raw, p.name)
        sep = "\t" if suffix in (".tsv", ".tab", ".txt") else ","
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, sep=sep, keep_default_na=False,
                                skip_blank_lines=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot read coding sheet {p.name} as a table ({first}); save "
                             "it from Excel or WPS as .xlsx or CSV UTF-8") from None
        frame = frame.rename(columns=lambda c: _header(c))
    frame, rows = _find_header(frame)
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise ColumnError(f"{p.name}: column {dup!r} appears twice in the header row; keep one")
    return frame, rows


def _find_header(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The table under its real header row, and each row's spreadsheet row number.

    People type a title row above the header (编码表（第一轮）); the header is then one of
    the next rows, the one with a ``unit_id`` cell.
    """
    rows = list(range(2, len(frame) + 2))
    if "unit_id" in frame.columns:
        return frame, rows
    for k in range(min(10, len(frame))):
        cells = [_header(v) if not _is_missing(v) else "" for v in frame.iloc[k]]
        if "unit_id" in cells:
            names = [c or f"Unnamed: {i}" for i, c in enumerate(cells)]
            body = frame.iloc[k + 1:].set_axis(names, axis=1).reset_index(drop=True)
            return body, list(range(k + 3, k + 3 + len(body)))
    return frame, rows


def _header(c: Any) -> str:
    """A header cell as written, less spaces (also full-width ones) around it."""
    return unicodedata.normalize("NFKC", str(c)).strip()


# ---------------------------------------------------------------------------------
# agreement statistics
# ---------------------------------------------------------------------------------
def _is_missing(v: Any) -> bool:
    return (v is None or (isinstance(v, float) and math.isnan(v))
            or (isinstance(v, str) and not v.strip()))


def _pairs(a: Sequence, b: Sequence) -> tuple[list, list]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ParameterError(f"the two codings have {len(a)} and {len(b)} units; code the "
                             "same units")
    keep = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    return [str(x) for x, _ in keep], [str(y) for _, y in keep]


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units (coded by both) on which two coders agree."""
    x, y = _pairs(a, b)
    if not x:
        return float("nan")
    return float(np.mean([p == q for p, q in zip(x, y)]))


def cohen_kappa(a: Sequence, b: Sequence, labels: Sequence[str] | None = None) -> float:
    """Cohen's kappa of two coders over the units both coded.

    Uses :func:`sklearn.metrics.cohen_kappa_score`; 1.0 when both coders used one and
    the same label throughout (perfect agreement with no chance correction possible).
    """
    x, y = _pairs(a, b)
    if not x:
        return float("nan")
    if len(set(x) | set(y)) == 1:
        return 1.0
    return float(cohen_kappa_score(x, y, labels=list(labels) if labels else None))


def krippendorff_alpha(data: Any, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, missing values allowed.

    Parameters
    ----------
    data : 2-D array-like or DataFrame
        Coders × units (a DataFrame may be units × coders: one column per coder).
        None / NaN / "" mark a unit a coder did not code.
    level : {"nominal", "ordinal", "interval", "ratio"}

    Notes
    -----
    Computed by the maintained ``krippendorff`` package (coincidence-matrix formula),
    after mapping labels to integer codes.
    """
    import krippendorff

    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ParameterError(f"level={level!r}: use 'nominal' (categories, as in a codebook), "
                             "'ordinal', 'interval' or 'ratio'")
    if isinstance(data, pd.DataFrame):
        rows = [data[c].tolist() for c in data.columns]
    else:
        rows = [list(r) for r in data]
    if len({len(r) for r in rows}) > 1:
        raise ParameterError(f"the coders have {', '.join(str(len(r)) for r in rows)} units; "
                             "give every coder a value (or None) for every unit")
    # Only units that two or more coders coded carry information about agreement.
    pairable = [k for k in range(len(rows[0]) if rows else 0)
                if sum(not _is_missing(r[k]) for r in rows) >= 2]
    if not pairable:
        raise ParameterError("no unit is coded by two or more coders, so there is no "
                             "agreement to measure; check that the coders coded the same units")
    values = sorted({str(r[k]) for r in rows for k in pairable if not _is_missing(r[k])})
    if len(values) == 1:
        return 1.0  # one label throughout: the same convention as cohen_kappa
    code = {v: i for i, v in enumerate(values)}
    arr = np.array([[code[str(r[k])] if not _is_missing(r[k]) else np.nan for k in pairable]
                    for r in rows], dtype=float)
    return float(krippendorff.alpha(reliability_data=arr, level_of_measurement=level,
                                    value_domain=list(range(len(values)))))


def _sheet_frame(s: Any, fw: Any, name: str) -> pd.DataFrame:
    """One coder's codings as unit_id + one column of framework labels per dimension."""
    if isinstance(s, Codings):
        return s.wide(text=False)
    if isinstance(s, (str, Path)):
        return read_coding_sheet(s, fw)
    if not isinstance(s, pd.DataFrame):
        raise ParameterError(f"coder {name}: got {type(s).__name__}; pass the path of a coding "
                             "sheet, a DataFrame with unit_id and dimension columns, or the "
                             "Codings from code()")
    cols = {str(c).strip(): c for c in s.columns}
    if "unit_id" not in cols:
        raise ColumnError(f"coder {name}: the table has no unit_id column (columns: "
                          f"{', '.join(map(str, s.columns))}); keep the unit_id of each unit "
                          "so coders are matched unit by unit")
    out = pd.DataFrame({"unit_id": s[cols["unit_id"]].map(
        lambda v: "" if _is_missing(v) else str(v).strip()).to_numpy()})
    for d in fw.dimensions:
        if d.id in cols:
            # People's tables are checked like sheets: 机制 is not 机制引领.
            out[d.id] = normalise_column(d, s[cols[d.id]].tolist(), where=f"coder {name}")
    return out


def _coder_names(sheets: Sequence[Any], names: Sequence[str] | None) -> list[str]:
    if names is not None:
        names = [str(n) for n in names]
        if len(names) != len(sheets):
            raise ParameterError(f"names has {len(names)} names for {len(sheets)} codings; give "
                                 "one name per coding (in the same order)")
        dup = [n for n in names if names.count(n) > 1]
        if dup:
            raise ParameterError(f"names: {dup[0]!r} is given twice; give each coder their own "
                                 "name")
        return names
    out: list[str] = []
    for i, s in enumerate(sheets):
        if isinstance(s, (str, Path)):
            n = Path(s).name
        elif isinstance(s, Codings):
            n = "model"
        else:
            n = f"coder{i + 1}"
        if n in out:  # two sheets called coding.xlsx in different folders
            n = f"{Path(s).parent.name}/{n}" if isinstance(s, (str, Path)) else n
            k = 2
            base = n
            while n in out:
                n, k = f"{base}#{k}", k + 1
        out.append(n)
    return out


def reliability_report(sheets: Sequence[Any], framework: Any = "quanyu",
                       names: Sequence[str] | None = None, model: Any = None) -> pd.DataFrame:
    """Agreement between coders (and between a model and the coders) per dimension.

    Parameters
    ----------
    sheets : list of path, DataFrame or Codings
        Two or more codings of the same units, matched on ``unit_id``.  A
        :class:`Codings` (a model) is compared with the people like any coder.  Labels
        in sheets and DataFrames are checked against the framework (ids accepted).
    framework : str or Framework
    names : list of str, optional
        Coder names, one per coding (default: file names, or coder1, coder2, …; a
        :class:`Codings` is "model").
    model : Codings, optional
        A model's codings, added as one more coder named "model" (the same as passing
        it in ``sheets``).

    Returns
    -------
    DataFrame
        One row per dimension and coder pair: dimension, coder_a, coder_b, n_units
        (coded by both), percent_agreement, cohen_kappa, krippendorff_alpha; plus one row
        per dimension with coder_a and coder_b "all" holding Krippendorff's alpha over all
        coders (and the mean pairwise values; n_units: coded by two or more).  Dimensions
        that no two coders coded are left out.

    Raises
    ------
    ParameterError
        Fewer than two codings, names that do not match them, a bad label (naming the
        file, row and column), or two codings that share no unit.

    Warns
    -----
    UserWarning
        When a person coded units that another coder did not: the statistics use the
        units both coded, and the warning says how many each has alone.  Units only a
        model (:class:`Codings`) coded are expected and not warned about.
    """
    sheets = list(sheets)
    if model is not None:
        sheets.append(model)
        if names is not None:
            names = list(names) + ["model"]
    if len(sheets) < 2:
        raise ParameterError("reliability needs at least two codings of the same units")
    names = _coder_names(sheets, names)
    fw = resolve_framework(framework)
    frames = [_sheet_frame(s, fw, n) for s, n in zip(sheets, names)]
    # Units matched by id: two sheets of different samples share none, and a sheet one
    # coder did not finish shares some.  Said once per pair, not per dimension.
    ids = [set(f["unit_id"]) - {""} for f in frames]
    # A model codes the whole corpus and people a sample of it: units only the model has
    # are expected, units a person coded that another coder lacks are not.
    person = [not isinstance(s, Codings) for s in sheets]
    for i in range(len(frames)):
        for j in range(i + 1, len(frames)):
            both = ids[i] & ids[j]
            if not both:
                raise ParameterError(
                    f"coders {names[i]} and {names[j]} share no unit_id (e.g. "
                    f"{sorted(ids[i])[:1]} vs {sorted(ids[j])[:1]}); they must code the same "
                    "units: give both the same coding sheet")
            only_a = len(ids[i] - both) if person[i] else 0
            only_b = len(ids[j] - both) if person[j] else 0
            if only_a or only_b:
                warnings.warn(f"coders {names[i]} and {names[j]} coded {len(both)} units in "
                              f"common; {only_a} units only in {names[i]}, {only_b} only in "
                              f"{names[j]} are left out of their agreement", UserWarning,
                              stacklevel=2)
    rows = []
    for d in fw.dimensions:
        have = [(n, f) for n, f in zip(names, frames) if d.id in f.columns]
        if len(have) < 2:
            continue
        merged = None
        for n, f in have:
            part = f[["unit_id", d.id]].rename(columns={d.id: n})
            part = part.assign(unit_id=part["unit_id"].astype(str))
            merged = part if merged is None else merged.merge(part, on="unit_id", how="outer")
        coded = merged[[n for n, _ in have]].map(lambda v: not _is_missing(v))
        if int((coded.sum(axis=1) >= 2).sum()) == 0:
            continue  # an empty column in every sheet but one: not coded, not disagreement
        labels = dimension_labels(d)
        pa, pk = [], []
        for i in range(len(have)):
            for j in range(i + 1, len(have)):
                a, b = merged[have[i][0]].tolist(), merged[have[j][0]].tolist()
                n_units = len(_pairs(a, b)[0])
                if n_units == 0:
                    pct = kap = alpha = float("nan")
                else:
                    pct, kap = percent_agreement(a, b), cohen_kappa(a, b, labels)
                    alpha = krippendorff_alpha([a, b])
                    pa.append(pct)
                    pk.append(kap)
                rows.append({"dimension": d.id, "coder_a": have[i][0], "coder_b": have[j][0],
                             "n_units": n_units, "percent_agreement": pct, "cohen_kappa": kap,
                             "krippendorff_alpha": alpha})
        rows.append({"dimension": d.id, "coder_a": "all", "coder_b": "all",
                     "n_units": int((coded.sum(axis=1) >= 2).sum()),
                     "percent_agreement": float(np.mean(pa)),
                     "cohen_kappa": float(np.mean(pk)),
                     "krippendorff_alpha": krippendorff_alpha(merged[[n for n, _ in have]])})
    if not rows:
        raise ColumnError("no dimension is coded by two or more of the coders; columns must "
                          f"be named by dimension id ({', '.join(d.id for d in fw.dimensions)}) "
                          "and have labels filled in")
    return pd.DataFrame(rows, columns=["dimension", "coder_a", "coder_b", "n_units",
                                       "percent_agreement", "cohen_kappa", "krippendorff_alpha"])


# ---------------------------------------------------------------------------------
# cross-validation
# ---------------------------------------------------------------------------------
class CrossValidationReport:
    """The result of :func:`cross_validate_coder`.

    Attributes
    ----------
    summary : DataFrame
        One row per dimension: n_units, macro_f1, kappa, accuracy.
    per_category : DataFrame
        dimension, category, precision, recall, f1, support.
    confusion : dict of str to DataFrame
        Per dimension, true labels (rows) × predicted labels (columns).
    predictions : DataFrame
        unit (position), dimension, fold, true, predicted.
    """

    def __init__(self, summary, per_category, confusion, predictions):
        self.summary = summary
        self.per_category = per_category
        self.confusion = confusion
        self.predictions = predictions

    def macro_f1(self, dimension: str) -> float:
        """Macro-averaged F1 of ``dimension``."""
        return float(self.summary.set_index("dimension").loc[dimension, "macro_f1"])

    def kappa(self, dimension: str) -> float:
        """Cohen's kappa between the coder and the labels on ``dimension``."""
        return float(self.summary.set_index("dimension").loc[dimension, "kappa"])

    def __repr__(self) -> str:
        return "CrossValidationReport\n" + self.summary.to_string(index=False)

    def _repr_html_(self) -> str:
        k = int(self.predictions["fold"].max()) + 1 if len(self.predictions) else 0
        return (f"<h4>Cross-validation ({k} folds)</h4>"
                + self.summary.round(3).to_html(index=False)
                + self.per_category.round(3).to_html(index=False))


def score_predictions(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str],
                      dimension: str = "label") -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """Per-category precision/recall/F1, macro-F1, kappa and the confusion matrix.

    Macro-F1 averages over the categories that occur in ``y_true`` or ``y_pred``.
    """
    present = [l for l in labels if l in set(y_true) | set(y_pred)]
    extra = sorted((set(y_true) | set(y_pred)) - set(labels))
    present += extra
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present,
                                                 zero_division=0)
    per = pd.DataFrame({"dimension": dimension, "category": present, "precision": p,
                        "recall": r, "f1": f, "support": s})
    summ = {"dimension": dimension, "n_units": len(y_true),
            "macro_f1": float(np.mean(f)) if len(f) else float("nan"),
            "kappa": cohen_kappa(y_true, y_pred),
            "accuracy": float(np.mean([a == b for a, b in zip(y_true, y_pred)]))}
    cm = pd.DataFrame(confusion_matrix(y_true, y_pred, labels=present), index=present,
                      columns=present)
    cm.index.name, cm.columns.name = "true", "predicted"
    return summ, per, cm


def _takes_context(coder: Any) -> bool:
    """Whether ``coder.predict_proba`` reads units' neighbours (a ``context`` argument)."""
    import inspect

    try:
        return "context" in inspect.signature(coder.predict_proba).parameters
    except (TypeError, ValueError):
        return False


def cross_validate_coder(coder: Any, texts: Any, labels: Any, k: int = 5,
                         random_state: int = 0, context: Any = None) -> CrossValidationReport:
    """k-fold cross-validation of a coder against labels people gave.

    The coder is cloned and fitted on k−1 folds (``coder.fit(texts, labels)``) and
    predicts the held-out fold; the folds are stratified by the first dimension's
    labels.  For :class:`FrameworkCoder` this measures the default coder *trained*
    on your labels (on top of the exemplars).

    Parameters
    ----------
    coder : estimator
        Anything with ``fit(texts, labels_by_dimension)`` and ``predict(texts)``
        returning a DataFrame with one column per dimension.
    texts : list of str or Corpus
    labels : dict, DataFrame or sequence
        Labels per dimension; empty cells are left out of that dimension's scores.
    k : int, default 5
    random_state : int, default 0
    context : list of (str, str), optional
        Each unit's (previous, next) text in its document, passed to the coder's
        ``predict`` for the held-out units (coders that read neighbours, such as
        :class:`FrameworkCoder`).  The neighbours' labels are never used, so a held-out
        unit's context may be a training unit's text without leaking its label.

    Returns
    -------
    CrossValidationReport
    """
    X = np.array(as_texts(texts), dtype=object)
    if context is not None:
        if not _takes_context(coder):
            raise ParameterError(f"{type(coder).__name__} does not read neighbours; pass "
                                 "context= only with a coder that does (FrameworkCoder)")
        context = list(context)
        if len(context) != len(X):
            raise ParameterError(f"context has {len(context)} pairs for {len(X)} texts; give "
                                 "one (previous, next) pair per unit")
    dims_hint = getattr(coder, "dimension", None)
    dims_hint = [dims_hint] if isinstance(dims_hint, str) else dims_hint
    fw_given = getattr(coder, "framework", None)
    if fw_given is not None:
        # Check every label once, numbered as the user gave them, before any fold is
        # fitted: a fold's coder would number the units of its own training subset.
        fw0 = resolve_framework(fw_given)
        dims0 = select_dimensions(fw0, dims_hint)
        X_list, ybd = check_user_labels(list(X), labels, dims0)
        X = np.array(X_list, dtype=object)
    else:
        ybd = labels_by_dimension(labels, dims_hint)
    for d, v in ybd.items():
        if len(v) != len(X):
            raise ParameterError(f"{len(v)} labels for dimension {d!r} but {len(X)} texts")
    if k < 2 or k > len(X):
        raise ParameterError(f"k={k} folds for {len(X)} units; use 2 <= k <= n_units")
    first = next(iter(ybd))
    strat = np.array(["" if _is_missing(v) else str(v) for v in ybd[first]])
    _, counts = np.unique(strat, return_counts=True)
    if counts.min() >= k:
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
        splits = list(splitter.split(X, strat))
    else:  # a rare label: plain shuffled folds
        splits = list(KFold(n_splits=k, shuffle=True, random_state=random_state).split(X))
    preds = []
    for fold, (tr, te) in enumerate(splits):
        model = clone(coder)
        model.fit(list(X[tr]), {d: [v[i] for i in tr] for d, v in ybd.items()})
        if context is None:
            pr = model.predict(list(X[te]))
        else:
            pr = model.predict(list(X[te]), context=[context[i] for i in te])
        for d in ybd:
            if d not in pr.columns:
                continue
            for pos, i in enumerate(te):
                t = ybd[d][i]
                if _is_missing(t):
                    continue
                preds.append((int(i), d, fold, str(t).strip(), str(pr[d].iloc[pos])))
    pred = pd.DataFrame(preds, columns=["unit", "dimension", "fold", "true", "predicted"])
    fw = getattr(coder, "framework", None)
    try:
        fw = resolve_framework(fw) if fw is not None else None
    except Exception:
        fw = None
    summaries, pers, cms = [], [], {}
    for d in ybd:
        sub = pred[pred["dimension"] == d]
        if sub.empty:
            continue
        if fw is not None and d in [x.id for x in fw.dimensions]:
            dim = select_dimensions(fw, d)[0]
            order = dimension_labels(dim)
            true = [normalise_label(dim, v) for v in sub["true"]]
        else:
            order = sorted(set(sub["true"]) | set(sub["predicted"]))
            true = sub["true"].tolist()
        s, p, cm = score_predictions(true, sub["predicted"].tolist(), order, d)
        summaries.append(s)
        pers.append(p)
        cms[d] = cm
    return CrossValidationReport(pd.DataFrame(summaries), pd.concat(pers, ignore_index=True),
                                 cms, pred)


# ---------------------------------------------------------------------------------
# uncertainty sampling
# ---------------------------------------------------------------------------------
def suggest_units_to_code(codings_or_coder: Any, corpus: Any = None, n: int = 20,
                          dimension: str | None = None, strategy: str = "margin",
                          unit: str = "sentence", exclude: Iterable[str] = ()) -> pd.DataFrame:
    """The units whose coding is least certain: code these next.

    Parameters
    ----------
    codings_or_coder : Codings or fitted coder
        Codings carry their probabilities; a coder (with ``predict_proba``) is applied
        to ``corpus``.
    corpus : Corpus or list of str, optional
        Needed with a coder; with Codings it is only used to add the text.
    n : int
        How many units.
    dimension : str, optional
        Rank by this dimension; default: the mean uncertainty over all dimensions.
    strategy : {"margin", "entropy"}
        Smallest gap between the two most probable labels, or highest entropy.
    unit : str
        How to cut ``corpus`` when a coder is given.
    exclude : iterable of str
        unit_ids already coded.

    Returns
    -------
    DataFrame
        unit_id, doc_id, text, uncertainty, and per dimension the current best label.
    """
    if strategy not in ("margin", "entropy"):
        raise ParameterError(f"strategy={strategy!r}: use 'margin' or 'entropy'")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r}: ask for a whole number of units, at least 1")
    if isinstance(codings_or_coder, Codings):
        proba = codings_or_coder.proba
        units = codings_or_coder.units
        if not proba or units is None:
            raise ParameterError("these Codings carry no probabilities; pass the coder and the "
                                 "corpus instead")
    else:
        if corpus is None:
            raise ParameterError("pass the corpus to code when giving a coder")
        units = as_units(corpus, unit)
        if _takes_context(codings_or_coder):  # read each unit with its neighbours, as code() does
            proba = codings_or_coder.predict_proba(units["text"].tolist(),
                                                   context=neighbour_context(units))
        else:
            proba = codings_or_coder.predict_proba(units["text"].tolist())
        if isinstance(proba, pd.DataFrame):
            proba = {dimension or "label": proba}
    dims = [dimension] if dimension else list(proba)
    unc = np.zeros(len(units))
    for d in dims:
        if d not in proba:
            raise ParameterError(f"no probabilities for dimension {d!r}; have {', '.join(proba)}")
        p = np.clip(proba[d].to_numpy(dtype=float), 0, 1)
        if strategy == "margin":
            top = -np.sort(-p, axis=1)
            u = 1.0 - (top[:, 0] - (top[:, 1] if p.shape[1] > 1 else 0.0))
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                u = -np.nansum(np.where(p > 0, p * np.log(p), 0.0), axis=1)
        unc += u / len(dims)
    out = pd.DataFrame({"unit_id": units["unit_id"].astype(str).values,
                        "doc_id": units["doc_id"].astype(str).values,
                        "text": units["text"].astype(str).values,
                        "uncertainty": np.round(unc, 6)})
    # The label each unit has now: the coded one (after the threshold: a unit whose best
    # category is too weak is 无), not merely the most probable column.
    if isinstance(codings_or_coder, Codings):
        w = codings_or_coder.wide(text=False).set_index("unit_id")
        for d in dims:
            out[d] = w[d].reindex(out["unit_id"]).to_numpy()
    else:
        decide = getattr(codings_or_coder, "_decide", None)
        for d in dims:
            out[d] = (decide(proba[d])[0] if decide is not None
                      else proba[d].idxmax(axis=1).to_numpy())
    out = out[~out["unit_id"].isin(set(map(str, exclude)))]
    out = out.sort_values(["uncertainty", "unit_id"], ascending=[False, True], kind="mergesort")
    return out.head(int(n)).reset_index(drop=True)
