"""The framework (codebook) objects: :class:`Framework`, :class:`Dimension`, :class:`Category`.

They are immutable values.  Sequences are stored as tuples so that a framework can be
shared between coders, hashed and cached without anyone changing it underneath; they
index, iterate and ``len()`` like the lists of the design contract.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .._io import stable_hash
from ..errors import FrameworkError

__all__ = ["Category", "Dimension", "Framework"]


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Category:
    """One category of a dimension, as a human coder reads it in the codebook.

    Parameters
    ----------
    id : str
        ASCII identifier, stable across translations (``"political"``).
    label : str
        The label written into codings and output columns (``"政治引领"``).
    definition : str
        What the category means.
    include, exclude : tuple of str
        Inclusion and exclusion notes for coders.
    seed_terms : tuple of str
        Words and short phrases that signal the category (for dictionary coders).
    exemplars : tuple of str
        Sentences that a coder following the codebook codes as this category.
    """

    id: str
    label: str
    definition: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seed_terms: tuple[str, ...] = ()
    exemplars: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The category as a plain dict with the keys of the TOML format."""
        return {"id": self.id, "label": self.label, "definition": self.definition,
                "include": list(self.include), "exclude": list(self.exclude),
                "seed_terms": list(self.seed_terms), "exemplars": list(self.exemplars)}

    def __repr__(self) -> str:
        return (f"Category(id={self.id!r}, label={self.label!r}, "
                f"{len(self.seed_terms)} seed terms, {len(self.exemplars)} exemplars)")


@dataclass(frozen=True)
class Dimension:
    """A coding dimension: each unit receives one of its category labels or ``none_label``.

    Parameters
    ----------
    id : str
        ASCII identifier; also the output column name (``"leadership"``).
    label : str
        Human-readable name (``"五个引领"``).
    description : str
        What the dimension asks of a unit.
    categories : tuple of Category
        The categories, in codebook order.
    none_label : str, default "无"
        The label for units that fit no category.
    tie_breaks : tuple of str
        Rules for units that seem to fit several categories.
    negative_exemplars : tuple of str
        Sentences coded ``none_label`` on this dimension.
    multi_label : bool, default False
        Whether a unit may carry several categories at once.
    """

    id: str
    label: str
    description: str
    categories: tuple[Category, ...]
    none_label: str = "无"
    tie_breaks: tuple[str, ...] = ()
    negative_exemplars: tuple[str, ...] = ()
    multi_label: bool = False

    @property
    def labels(self) -> list[str]:
        """Category labels in codebook order, followed by ``none_label``."""
        return [c.label for c in self.categories] + [self.none_label]

    @property
    def ids(self) -> list[str]:
        """Category ids in codebook order."""
        return [c.id for c in self.categories]

    def category(self, key: str) -> Category:
        """Return the category whose id or label is ``key``.

        Raises
        ------
        FrameworkError
            If no category has that id or label; the message lists the known ones.
        """
        for c in self.categories:
            if key == c.id or key == c.label:
                return c
        known = [f"{c.id} ({c.label})" for c in self.categories]
        hint = _did_you_mean(str(key), self.ids + [c.label for c in self.categories])
        raise FrameworkError(f"dimension {self.id!r} has no category {key!r}{hint}; "
                             f"known categories: {', '.join(known)}")

    def to_dict(self) -> dict[str, Any]:
        """The dimension as a plain dict with the keys of the TOML format."""
        return {"id": self.id, "label": self.label, "description": self.description,
                "none_label": self.none_label, "tie_breaks": list(self.tie_breaks),
                "negative_exemplars": list(self.negative_exemplars),
                "multi_label": self.multi_label,
                "categories": [c.to_dict() for c in self.categories]}

    def __repr__(self) -> str:
        return (f"Dimension(id={self.id!r}, label={self.label!r}, "
                f"categories={self.labels[:-1]!r}, none_label={self.none_label!r})")


@dataclass(frozen=True)
class Framework:
    """A codebook: named, versioned, citable, made of dimensions of categories.

    Build one with :func:`quanyu_nlp.frameworks.load_framework`; :meth:`from_dict`
    validates a dict of the same shape as the TOML file.

    Attributes
    ----------
    hash : str
        A stable SHA-256 of the content (not of the file path or formatting): two
        files that encode the same codebook have the same hash, and any change to a
        definition, term or exemplar changes it.  Recorded in run manifests.

    Examples
    --------
    >>> from quanyu_nlp.frameworks import load_framework
    >>> fw = load_framework("quanyu")
    >>> fw.dimension("leadership").labels[:2]
    ['政治引领', '组织引领']
    """

    name: str
    version: str
    dimensions: tuple[Dimension, ...]
    title: str = ""
    citation: str = ""
    description: str = ""
    language: str = "zh"
    source: Path | None = field(default=None, compare=False)

    @cached_property
    def hash(self) -> str:  # noqa: A003 - the name is part of the design contract
        return stable_hash(self.to_dict())

    @property
    def dimension_ids(self) -> list[str]:
        """Dimension ids in codebook order."""
        return [d.id for d in self.dimensions]

    def dimension(self, id: str) -> Dimension:  # noqa: A002 - mirrors the TOML key
        """Return the dimension called ``id``.

        Raises
        ------
        FrameworkError
            If there is none; the message lists the known dimension ids.
        """
        for d in self.dimensions:
            if d.id == id:
                return d
        hint = _did_you_mean(str(id), self.dimension_ids)
        raise FrameworkError(f"framework {self.name!r} has no dimension {id!r}{hint}; "
                             f"known dimensions: {', '.join(self.dimension_ids)}")

    def labels(self, dim: str | Dimension) -> list[str]:
        """Labels of a dimension's categories plus its none label (e.g. ``'无'``)."""
        d = dim if isinstance(dim, Dimension) else self.dimension(dim)
        return d.labels

    def to_dict(self) -> dict[str, Any]:
        """The framework as a plain dict with the keys of the TOML format (no source)."""
        return {"name": self.name, "title": self.title, "version": self.version,
                "citation": self.citation, "description": self.description,
                "language": self.language,
                "dimensions": [d.to_dict() for d in self.dimensions]}

    def to_frame(self):
        """One row per category: dimension, id, label, definition and counts.

        Returns
        -------
        pandas.DataFrame
            Columns ``dimension, category_id, label, definition, n_include, n_exclude,
            n_seed_terms, n_exemplars``; a final row per dimension for the none label
            counts its negative exemplars.
        """
        import pandas as pd

        rows = []
        for d in self.dimensions:
            for c in d.categories:
                rows.append({"dimension": d.id, "category_id": c.id, "label": c.label,
                             "definition": c.definition, "n_include": len(c.include),
                             "n_exclude": len(c.exclude), "n_seed_terms": len(c.seed_terms),
                             "n_exemplars": len(c.exemplars)})
            rows.append({"dimension": d.id, "category_id": "", "label": d.none_label,
                         "definition": "", "n_include": 0, "n_exclude": 0,
                         "n_seed_terms": 0, "n_exemplars": len(d.negative_exemplars)})
        return pd.DataFrame(rows)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | Path | None = None) -> "Framework":
        """Validate ``data`` (shaped like the TOML file) and build a framework.

        Errors name ``source`` (or ``<dict>``) and the offending key, without line
        numbers; :func:`load_framework` adds line numbers for files.
        """
        from .loader import build_framework

        return build_framework(data, source=source)

    def __repr__(self) -> str:
        dims = ", ".join(f"{d.id}[{len(d.categories)}]" for d in self.dimensions)
        return f"Framework(name={self.name!r}, version={self.version!r}, dimensions: {dims})"

    def _repr_html_(self) -> str:
        """The codebook at a glance in Jupyter: per dimension, its categories and notes."""
        import html

        esc = html.escape
        out = [f"<div><p><b>{esc(self.title or self.name)}</b> "
               f"({esc(self.name)}, version {esc(self.version)}, "
               f"hash <code>{esc(self.hash[:12])}</code>)</p>"]
        if self.citation:
            out.append(f"<p>{esc(self.citation)}</p>")
        out.append("<table><thead><tr><th>dimension</th><th>category</th><th>id</th>"
                   "<th>definition</th><th>seed terms</th><th>exemplars</th></tr></thead><tbody>")
        for d in self.dimensions:
            rows = [(c.label, c.id, c.definition, len(c.seed_terms), len(c.exemplars))
                    for c in d.categories]
            rows.append((d.none_label, "", "（以上皆非 · none of the above）", 0,
                         len(d.negative_exemplars)))
            for k, (lab, cid, defin, n_s, n_e) in enumerate(rows):
                head = (f"<td rowspan='{len(rows)}'>{esc(d.label)}<br><code>{esc(d.id)}</code>"
                        "</td>") if k == 0 else ""
                short = defin if len(defin) <= 60 else defin[:59] + "…"
                out.append(f"<tr>{head}<td>{esc(lab)}</td><td><code>{esc(cid)}</code></td>"
                           f"<td>{esc(short)}</td><td>{n_s}</td><td>{n_e}</td></tr>")
        out.append("</tbody></table></div>")
        return "".join(out)
