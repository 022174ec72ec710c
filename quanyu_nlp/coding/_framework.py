"""Small helpers around :class:`quanyu_nlp.frameworks.Framework` used by the coders."""

from __future__ import annotations

from typing import Any, Sequence

from ..errors import ParameterError

__all__ = ["resolve_framework", "select_dimensions", "dimension_labels", "none_label",
           "normalise_label", "normalise_column"]


def resolve_framework(framework: Any) -> Any:
    """Load ``framework`` when it is a name or a path; pass a Framework through."""
    if isinstance(framework, str) or hasattr(framework, "__fspath__"):
        from ..frameworks import load_framework

        return load_framework(framework)
    if framework is None or not hasattr(framework, "dimensions"):
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
            raise ParameterError(f"framework {getattr(fw, 'name', '')!r} has no dimension "
                                 f"{w!r}; dimensions are: {', '.join(by_id)}")
        out.append(by_id[w])
    return out


def none_label(dim: Any) -> str:
    """The label a unit gets when no category fits (无 by default)."""
    return getattr(dim, "none_label", None) or "无"


def dimension_labels(dim: Any) -> list[str]:
    """Category labels of ``dim`` in framework order, then the none label."""
    return [c.label for c in dim.categories] + [none_label(dim)]


def normalise_label(dim: Any, value: Any) -> str | None:
    """Map a user's label (label or id, any surrounding spaces) to the framework label.

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
    raise KeyError(v)


def normalise_column(dim: Any, values: Sequence[Any], file: str | None = None,
                     first_row: int = 2) -> list[str | None]:
    """Normalise one column of user labels, with a one-line error naming where the bad one is.

    With ``file``, the error names the file, spreadsheet row and column (``first_row`` is
    the row number of ``values[0]``, 2 under a header line); without, the unit number
    (counted from 1) and the dimension.
    """
    out = []
    for i, v in enumerate(values):
        try:
            out.append(normalise_label(dim, v))
        except KeyError:
            where = (f"{file} row {i + first_row}, column {dim.id}" if file is not None
                     else f"unit {i + 1}, dimension {dim.id}")
            raise ParameterError(
                f"{where}: {str(v).strip()!r} is not a category; use one of "
                f"{', '.join(dimension_labels(dim))} or leave it empty") from None
    return out
