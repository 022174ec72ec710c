"""The shared part of every display: input checking, saving a figure bundle, provenance."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from .._io import atomic_output, atomic_write, sha256_bytes
from ..errors import ColumnError, OutputError, ParameterError
from .style import HATCHES, MARKERS, PALETTE, ensure_cjk_style, figure_size

__all__ = ["Display", "as_frame", "package_versions", "PROVENANCE_KEYS"]

#: Keys every caption file carries (``"not given"`` when the caller did not pass one).
PROVENANCE_KEYS = ("display", "run_id", "corpus_hash", "config_hash", "created", "packages",
                   "font", "data")

_PACKAGES = ("quanyu_nlp", "matplotlib", "numpy", "pandas", "scipy", "statsmodels",
             "networkx", "wordcloud", "fonttools", "mplfonts")


def package_versions(names: Iterable[str] = _PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` (plus Python), for captions and manifests."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def as_frame(obj: Any, required: Sequence[str], what: str) -> pd.DataFrame:
    """Return a copy of ``obj`` as a DataFrame and check that ``required`` columns exist.

    ``obj`` may be a DataFrame or any object with ``.to_frame()`` (e.g. ``Codings``).
    """
    if hasattr(obj, "to_frame") and not isinstance(obj, (pd.DataFrame, pd.Series)):
        obj = obj.to_frame()
    if not isinstance(obj, pd.DataFrame):
        raise ParameterError(f"{what} must be a pandas DataFrame (or have .to_frame()), "
                             f"got {type(obj).__name__}")
    missing = [c for c in required if c not in obj.columns]
    if missing:
        raise ColumnError(f"{what} has no column {', '.join(repr(m) for m in missing)}; "
                          f"columns are: {', '.join(map(str, obj.columns))} "
                          "(rename the column or pass its name)")
    return obj.copy()


def style_cycle(i: int) -> dict[str, str]:
    """Colour, hatch and marker of series ``i``: colour cycles fastest, then hatch."""
    return {"color": PALETTE[i % len(PALETTE)],
            "hatch": HATCHES[(i // len(PALETTE)) % len(HATCHES)],
            "marker": MARKERS[i % len(MARKERS)]}


def text_color_on(rgba) -> str:
    """Black or white, whichever reads better on a cell of colour ``rgba``."""
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


class Display:
    """Base of all displays (scikit-learn's Display pattern).

    ``from_*`` class methods compute :attr:`data_` (the plotted numbers, saved as CSV);
    :meth:`plot` draws and keeps :attr:`ax_` and :attr:`figure_`; :meth:`save` writes
    the figure bundle.
    """

    #: Short Chinese / English title used in the default caption.
    title_zh = "图"
    title_en = "Figure"

    def __init__(self, data: pd.DataFrame, **params: Any):
        self.data_ = data.reset_index(drop=True)
        self.params_ = params
        self.ax_ = None
        self.figure_ = None

    # -- to be filled by subclasses ---------------------------------------------------
    def plot(self, ax=None, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def caption(self) -> str:
        """A default caption (Chinese then English) describing what is plotted."""
        return f"{self.title_zh}。{self.title_en}."

    # -- helpers -----------------------------------------------------------------------
    def _new_axes(self, ax, preset: str = "single", height_cm: float | None = None):
        import matplotlib.pyplot as plt

        ensure_cjk_style()  # before any text artist exists: Chinese needs the CJK font

        if ax is None:
            # Constrained layout per figure, not through rcParams: matplotlib restores a
            # figure's engine from rcParams after savefig, which would switch it on for
            # figures that must not have one (the word cloud).
            fig, ax = plt.subplots(figsize=figure_size(preset, height_cm), layout="constrained")
        self.ax_ = ax
        self.figure_ = ax.figure
        return ax

    def _grid_axes(self, ax, n: int, ncols: int, preset: str = "double",
                   height_per_row_cm: float = 4.0, sharex: bool = False):
        """``n`` axes in a grid: new figure, a given sequence of Axes, or one Axes split."""
        import matplotlib.pyplot as plt

        ensure_cjk_style()
        nrows = int(np.ceil(n / ncols))
        if ax is None:
            fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=sharex,
                                     figsize=figure_size(preset, height_per_row_cm * nrows),
                                     layout="constrained")
            axes = axes.ravel()
        elif isinstance(ax, (list, tuple, np.ndarray)):
            axes = np.asarray(ax, dtype=object).ravel()
            if len(axes) < n:
                raise ParameterError(f"ax has {len(axes)} Axes but {n} panels are needed; "
                                     "pass at least that many or ax=None")
            fig = axes[0].figure
        else:
            # One Axes given: split its area into the grid, as scikit-learn's
            # PartialDependenceDisplay does.
            fig = ax.figure
            gs = ax.get_subplotspec().subgridspec(nrows, ncols)
            ax.remove()
            axes = np.array([fig.add_subplot(gs[i // ncols, i % ncols])
                             for i in range(nrows * ncols)], dtype=object)
        for extra in axes[n:]:
            extra.set_visible(False)
        self.ax_ = axes[:n]
        self.figure_ = fig
        return self.ax_

    # -- saving -------------------------------------------------------------------------
    def save(self, stem: str | Path, provenance: dict | None = None,
             caption: str | None = None,
             formats: Sequence[str] = ("pdf", "svg", "png", "csv", "caption")) -> dict:
        """Write the figure bundle ``stem.pdf/.svg/.png/.csv/.caption.txt``.

        Parameters
        ----------
        stem : str or Path
            Path without extension, e.g. ``"figures/fig3_heatmap"``.
        provenance : dict, optional
            ``run_id``, ``corpus_hash``, ``config_hash`` and any other keys to record;
            package versions and the time are added.
        caption : str, optional
            Caption text; default :meth:`caption`.
        formats : sequence of str
            Which of ``pdf``, ``svg``, ``png`` (300 dpi), ``csv`` (the plotted data,
            UTF-8 with BOM so Excel shows the Chinese) and ``caption`` to write.

        Returns
        -------
        dict
            Format -> written path.
        """
        unknown = set(formats) - {"pdf", "svg", "png", "csv", "caption"}
        if unknown:
            raise ParameterError(f"unknown format(s) {sorted(unknown)}; use pdf, svg, png, "
                                 "csv, caption")
        if self.figure_ is None:
            self.plot()
        stem = Path(stem)
        if stem.suffix.lower() in {".pdf", ".svg", ".png", ".csv"}:
            raise OutputError(f"save() takes a path without extension, got {stem}; "
                              f"use {stem.with_suffix('')}")
        text = caption if caption is not None else self.caption()
        csv_bytes = self.data_.to_csv(index=False).encode("utf-8-sig")
        prov = self.provenance(provenance, data_name=f"{stem.name}.csv",
                               data_sha256=sha256_bytes(csv_bytes))
        keywords = "; ".join(f"{k}={prov[k]}" for k in ("run_id", "corpus_hash", "config_hash"))
        meta = {
            # No creation dates in the files: same data -> byte-identical PDF/SVG.
            "pdf": {"Title": self.title_en, "Subject": text, "Keywords": keywords,
                    "Creator": f"quanyu_nlp {prov['quanyu_nlp']}", "CreationDate": None},
            "svg": {"Title": self.title_en, "Description": text, "Keywords": keywords,
                    "Creator": f"quanyu_nlp {prov['quanyu_nlp']}", "Date": None},
            "png": {"Title": self.title_en, "Description": text, "Comment": keywords,
                    "Software": f"quanyu_nlp {prov['quanyu_nlp']}"},
        }
        out: dict[str, Path] = {}
        for fmt in ("pdf", "svg", "png"):
            if fmt in formats:
                path = stem.with_name(f"{stem.name}.{fmt}")
                with atomic_output(path) as tmp:
                    self.figure_.savefig(tmp, format=fmt, dpi=300, metadata=meta[fmt])
                out[fmt] = path
        if "csv" in formats:
            out["csv"] = atomic_write(stem.with_name(f"{stem.name}.csv"), csv_bytes)
        if "caption" in formats:
            lines = [text, "", "provenance:"]
            lines += [f"{k}: {prov[k]}" for k in prov if k != "quanyu_nlp"]
            out["caption"] = atomic_write(stem.with_name(f"{stem.name}.caption.txt"),
                                          "\n".join(lines) + "\n")
        return out

    def provenance(self, given: dict | None = None, data_name: str = "",
                   data_sha256: str = "") -> dict:
        """The provenance record written into the caption file."""
        given = dict(given or {})
        versions = package_versions()
        prov = {
            "display": type(self).__name__,
            "run_id": given.pop("run_id", "not given"),
            "corpus_hash": given.pop("corpus_hash", "not given"),
            "config_hash": given.pop("config_hash", "not given"),
            "created": given.pop("created", _dt.datetime.now(_dt.timezone.utc)
                                 .replace(microsecond=0).isoformat().replace("+00:00", "Z")),
            "packages": "; ".join(f"{k} {v}" for k, v in versions.items()),
            "font": "Noto Sans/Serif CJK SC (SIL Open Font License 1.1) via mplfonts "
                    f"{versions.get('mplfonts')}",
            "data": f"{data_name} (sha256 {data_sha256})" if data_name else "not written",
            "parameters": "; ".join(f"{k}={v}" for k, v in self.params_.items()) or "none",
        }
        for k, v in given.items():
            prov[str(k)] = v if isinstance(v, str) else repr(v)
        prov["quanyu_nlp"] = versions.get("quanyu_nlp", "unknown")
        return prov
