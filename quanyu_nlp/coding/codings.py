"""The :class:`Codings` value: tidy rows of coded units."""

from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["Codings", "CODING_COLUMNS", "codings_from_predictions", "codings_from_proba",
           "sort_by_codebook"]

CODING_COLUMNS = ["unit_id", "doc_id", "start", "end", "dimension", "category", "score",
                  "method"]


class Codings:
    """Coded units: one row per unit and dimension.

    Parameters
    ----------
    frame : DataFrame
        Columns ``unit_id, doc_id, start, end, dimension, category, score, method``;
        ``category`` is the label as written in the framework (e.g. 政治引领) or the
        dimension's none label (无); ``score`` is the coder's confidence in [0, 1].
    units : DataFrame, optional
        The coded units (unit_id, doc_id, start, end, text and document variables),
        kept so that :meth:`wide` can show the text.
    proba : dict of str to DataFrame, optional
        Per dimension, the probability of every category (rows in unit order); used by
        :func:`~quanyu_nlp.coding.suggest_units_to_code`.
    meta : dict, optional
        Framework name and hash, coder settings, threshold.

    Examples
    --------
    >>> c = code(["社区党委组建党建联合体。"])          # doctest: +SKIP
    >>> c.wide()[["leadership", "leadership_score"]]    # doctest: +SKIP
    """

    def __init__(self, frame: pd.DataFrame, units: pd.DataFrame | None = None,
                 proba: Mapping[str, pd.DataFrame] | None = None,
                 meta: Mapping[str, Any] | None = None):
        missing = [c for c in CODING_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"Codings frame lacks columns {missing}")
        f = frame[CODING_COLUMNS].reset_index(drop=True).copy()
        f["start"] = f["start"].astype("int64")
        f["end"] = f["end"].astype("int64")
        f["score"] = f["score"].astype(float)
        self._frame = f
        self._units = None if units is None else units.reset_index(drop=True).copy()
        self._proba = {k: v.copy() for k, v in (proba or {}).items()}
        self.meta = dict(meta or {})

    # -- access --------------------------------------------------------------------
    @property
    def frame(self) -> pd.DataFrame:
        """A copy of the tidy rows."""
        return self._frame.copy()

    def to_frame(self) -> pd.DataFrame:
        """The tidy rows as a new DataFrame."""
        return self._frame.copy()

    @property
    def units(self) -> pd.DataFrame | None:
        """A copy of the coded units table (with text), if known."""
        return None if self._units is None else self._units.copy()

    @property
    def proba(self) -> dict[str, pd.DataFrame]:
        """Per dimension, category probabilities (one row per unit, in unit order)."""
        return {k: v.copy() for k, v in self._proba.items()}

    @property
    def dimensions(self) -> list[str]:
        """Dimension ids in the order they were coded."""
        return list(dict.fromkeys(self._frame["dimension"]))

    def __len__(self) -> int:
        return len(self._frame)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codings) and self._frame.equals(other._frame)

    def __repr__(self) -> str:
        n_units = self._frame["unit_id"].nunique()
        names = self.meta.get("dimension_labels") or {}
        dims = ", ".join(f"{d} {names[d]}" if names.get(d) else d for d in self.dimensions)
        fw = self.meta.get("framework")
        return (f"<Codings: {n_units} units × {len(self.dimensions)} dimensions ({dims})"
                + (f", framework {fw!r}" if fw else "") + ">")

    def wide(self, text: bool = True) -> pd.DataFrame:
        """One row per unit; for each dimension D the columns ``D`` and ``D_score``.

        Parameters
        ----------
        text : bool
            Include the unit's text (when known).
        """
        f = self._frame
        keys = ["unit_id", "doc_id", "start", "end"]
        base = f[keys].drop_duplicates("unit_id").reset_index(drop=True)
        if text and self._units is not None and "text" in self._units.columns:
            u = self._units[["unit_id", "text"]].drop_duplicates("unit_id")
            u = u.assign(unit_id=u["unit_id"].astype(str))
            base = base.assign(unit_id=base["unit_id"].astype(str)).merge(u, on="unit_id",
                                                                         how="left")
        for d in self.dimensions:
            sub = f[f["dimension"] == d].set_index("unit_id")
            base[d] = base["unit_id"].map(sub["category"])
            base[f"{d}_score"] = base["unit_id"].map(sub["score"])
        return base

    def category_order(self, dimension: str) -> list[str]:
        """The categories of ``dimension`` in codebook order, the none label last.

        Taken from the framework the coder used (``meta["labels"]``), else from the
        probability table's columns, else in order of first appearance.
        """
        labels = (self.meta.get("labels") or {}).get(dimension)
        if labels:
            return list(labels)
        if dimension in self._proba:
            return [str(c) for c in self._proba[dimension].columns]
        seen = self._frame.loc[self._frame["dimension"] == dimension, "category"]
        return list(dict.fromkeys(seen))

    def counts(self, dimension: str | None = None) -> pd.DataFrame:
        """Number and share of units per category (and dimension), in codebook order."""
        f = self._frame if dimension is None else self._frame[self._frame["dimension"] == dimension]
        out = f.groupby(["dimension", "category"], sort=False).size().rename("n").reset_index()
        out["share"] = (out["n"] / out.groupby("dimension")["n"].transform("sum")).round(6)
        return sort_by_codebook(out, self)

    def _repr_html_(self) -> str:
        w = self.wide()
        n = len(w)
        head = w.head(20).drop(columns=["start", "end"])
        # Scores are confidences: three decimals read well and hide float noise.
        for c in head.columns:
            if c.endswith("_score"):
                head[c] = head[c].round(3)
        more = "" if n <= 20 else f"<p>… {n - 20} more units (<code>.wide()</code> has all)</p>"
        return (f"<div><p><b>{html.escape(repr(self))}</b></p>"
                + head.to_html(index=False, na_rep="") + more + "</div>")


def sort_by_codebook(table: pd.DataFrame, codings: "Codings | None",
                     keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Sort rows by ``keys``, then dimension (coding order), then category (codebook order)."""
    if table.empty:
        return table.reset_index(drop=True)
    dims = list(dict.fromkeys(table["dimension"]))
    if codings is not None:
        dims = [d for d in codings.dimensions if d in set(dims)] + \
               [d for d in dims if d not in set(codings.dimensions)]
    rank = {}
    for d in dims:
        order = codings.category_order(d) if codings is not None else []
        for j, c in enumerate(order):
            rank[(d, c)] = j
    t = table.assign(_d=table["dimension"].map({d: i for i, d in enumerate(dims)}),
                     _c=[rank.get((d, c), len(rank) + 1) for d, c in
                         zip(table["dimension"], table["category"])])
    t = t.sort_values(list(keys) + ["_d", "_c", "category"], kind="mergesort")
    return t.drop(columns=["_d", "_c"]).reset_index(drop=True)


def codings_from_proba(units: pd.DataFrame, proba: Mapping[str, pd.DataFrame], method: str,
                       meta: Mapping[str, Any] | None = None) -> "Codings":
    """Codings that give each unit its most probable label, scored by that probability.

    The dictionary and supervised coders decide this way; the default coder adds a
    threshold below which a unit is 无 and uses :func:`codings_from_predictions`.
    """
    labels = {d: p.idxmax(axis=1).to_numpy() if len(p) else np.array([], dtype=object)
              for d, p in proba.items()}
    scores = {d: p.max(axis=1).to_numpy() for d, p in proba.items()}
    return codings_from_predictions(units, labels, scores, method, proba=proba, meta=meta)


def codings_from_predictions(units: pd.DataFrame, labels: Mapping[str, np.ndarray],
                             scores: Mapping[str, np.ndarray], method: Mapping[str, str] | str,
                             proba: Mapping[str, pd.DataFrame] | None = None,
                             meta: Mapping[str, Any] | None = None) -> Codings:
    """Assemble :class:`Codings` from per-dimension label and score arrays."""
    parts = []
    for dim, lab in labels.items():
        m = method if isinstance(method, str) else method[dim]
        parts.append(pd.DataFrame({
            "unit_id": units["unit_id"].astype(str).values,
            "doc_id": units["doc_id"].astype(str).values,
            "start": units["start"].astype(int).values,
            "end": units["end"].astype(int).values,
            "dimension": dim,
            "category": np.asarray(lab, dtype=object),
            "score": np.round(np.asarray(scores[dim], dtype=float), 6),
            "method": m,
        }))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CODING_COLUMNS)
    return Codings(frame, units=units, proba=proba, meta=meta)
