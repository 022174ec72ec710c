"""Small helpers around :class:`quanyu_nlp.frameworks.Framework` used by the coders."""

from __future__ import annotations

import difflib
import math
import numbers
import unicodedata
from typing import Any, Sequence

from ..errors import ParameterError

__all__ = ["resolve_framework", "select_dimensions", "dimension_labels", "none_label",
           "normalise_label", "normalise_column", "check_number", "framework_meta"]


def check_number(name: str, value: Any, low: float, high: float, *,
                 high_open: bool = False, fix: str = "") -> float:
    """``value`` as a float in ``[low, high]`` (``[low, high)`` with ``high_open``).

    A string such as ``"0.3"`` (what a config or a notebook widget gives) is a mistake
    worth one clear line, not a ``TypeError`` from a comparison deep inside a coder.
    """
    closing = ")" if high_open else "]"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not ok or math.isnan(v) or v < low or v > high or (high_open and v >= high):
        got = f"{value!r} ({type(value).__name__})" if not ok else repr(value)
        raise ParameterError(f"{name}={got} must be a number in [{low:g}, {high:g}{closing}"
                             + (f"; {fix}" if fix else "")
                             + (f"; write {name}={value.strip()}" if isinstance(value, str)
                                and _is_float(value) else ""))
    return v


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def framework_meta(fw: Any, dims: Sequence[Any]) -> dict[str, Any]:
    """What a :class:`Codings` needs to show its dimensions the way the codebook does.

    ``labels`` (each dimension's categories in codebook order, the none label last),
    ``none_labels`` and ``dimension_labels`` (五个引领 for ``leadership``) let counts,
    evidence tables and exports follow the codebook instead of Unicode order, and keep
    a codebook whose none label is not 无 from having its none units quoted.
    """
    return {"framework": getattr(fw, "name", None),
            "framework_hash": getattr(fw, "hash", None),
            "labels": {d.id: dimension_labels(d) for d in dims},
            "none_labels": {d.id: none_label(d) for d in dims},
            "dimension_labels": {d.id: getattr(d, "label", d.id) or d.id for d in dims}}


def resolve_framework(framework: Any) -> Any:
    """Load ``framework`` when it is a name or a path; pass a Framework through."""
    if isinstance(framework, str) or hasattr(framework, "__fspath__"):
        from ..frameworks import load_framework

        return load_framework(framework)
    if framework is None or not hasattr(framework, "dimensions"):
        if isinstance(framework, (bytes, int, float, list, tuple, dict)):
            raise ParameterError(f"framework={framework!r} is not a framework; pass a built-in "
                                 "name such as 'quanyu', a path to a .toml codebook, or a "
                                 "Framework from load_framework()")
        raise ParameterError("framework must be a built-in name such as 'quanyu', a path to "
                             "a .toml codebook, or a Framework from load_framework()")
    return framework


def select_dimensions(fw: Any, dimension: str | Sequence[str] | None) -> list[Any]:
    """The framework's Dimension objects named by ``dimension`` (all when None)."""
    dims = list(fw.dimensions)
    if dimension is None:
        return dims
    wanted = [dimension] if isinstance(dimension, str) else list(dimension)
    by_id = {d.id: d for d in dims}
    out = []
    for w in wanted:
        if w not in by_id:
            # A researcher may well write the dimension's name (五个引领) for its id.
            named = [d.id for d in dims if getattr(d, "label", None) == w]
            close = named or difflib.get_close_matches(str(w), list(by_id), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(f"framework {getattr(fw, 'name', '')!r} has no dimension "
                                 f"{w!r}{hint}; dimensions are: {', '.join(by_id)}")
        out.append(by_id[w])
    return out


def none_label(dim: Any) -> str:
    """The label a unit gets when no category fits (无 by default)."""
    return getattr(dim, "none_label", None) or "无"


def dimension_labels(dim: Any) -> list[str]:
    """Category labels of ``dim`` in framework order, then the none label."""
    return [c.label for c in dim.categories] + [none_label(dim)]


def _fold(text: str) -> str:
    """A label as typed in Excel or WPS, reduced to what it means.

    NFKC turns full-width letters, digits and the ideographic space (U+3000) into their
    ordinary forms; all whitespace goes (政治 引领 with a stray space is 政治引领, and no
    label of a Chinese codebook has an inner space); case is ignored for ids.
    """
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def normalise_label(dim: Any, value: Any) -> str | None:
    """Map a user's label (label or id, any spaces, full-width forms) to the framework label.

    Returns None for an empty cell and raises KeyError for an unknown label.
    """
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    v = str(value).strip()
    if not v or v.lower() == "nan":
        return None
    nl = none_label(dim)
    if v in (nl, "无", "none", "None", "NONE"):
        return nl
    for c in dim.categories:
        if v == c.label or v == c.id:
            return c.label
    f = _fold(v)
    if f in (_fold(nl), "无", "none"):
        return nl
    for c in dim.categories:
        if f == _fold(c.label) or f == _fold(c.id):
            return c.label
    raise KeyError(v)


def label_hint(dim: Any, value: Any) -> str:
    """`` (did you mean '行动引领'?)`` for a near miss, else ``""``."""
    v = str(value).strip()
    labels = [c.label for c in dim.categories]
    close = difflib.get_close_matches(v, labels + [c.id for c in dim.categories], n=1,
                                      cutoff=0.4)
    if not close:
        # A truncated label (行动 for 行动引领) is the commonest slip in a sheet.
        close = [lab for lab in labels if v and (lab.startswith(v) or v in lab)][:1]
    if not close:
        return ""
    hit = close[0]
    for c in dim.categories:
        if hit == c.id:
            hit = c.label
    return f" (did you mean {hit!r}?)"


def normalise_column(dim: Any, values: Sequence[Any], file: str | None = None,
                     first_row: int = 2, rows: Sequence[int] | None = None,
                     where: str | None = None) -> list[str | None]:
    """Normalise one column of user labels, with a one-line error naming where the bad one is.

    With ``file``, the error names the file, spreadsheet row and column (``first_row`` is
    the row number of ``values[0]``, 2 under a header line; ``rows`` gives each value's
    row number instead, when blank rows were dropped); with ``where`` (e.g.
    ``"labelled"``), that name, the row counted from 1 and the column; otherwise the unit
    number (counted from 1) and the dimension.
    """
    out = []
    for i, v in enumerate(values):
        try:
            out.append(normalise_label(dim, v))
        except KeyError:
            row = rows[i] if rows is not None else i + first_row
            if file is not None:
                place = f"{file} row {row}, column {dim.id}"
            elif where is not None:
                place = f"{where} row {i + 1}, column {dim.id}"
            else:
                place = f"unit {i + 1}, dimension {dim.id}"
            raise ParameterError(
                f"{place}: {str(v).strip()!r} is not a category{label_hint(dim, v)}; use one of "
                f"{', '.join(dimension_labels(dim))} (or its id) or leave it empty") from None
    return out
