"""Displays for framework codings, topic models, keyness, networks and reliability.

Every display follows scikit-learn's Display pattern: a ``from_*`` class method takes
plain pandas DataFrames / arrays (documented columns, so this module does not depend on
the coding or topic classes), computes the plotted numbers into ``data_``; ``plot(ax=)``
draws and keeps ``ax_`` / ``figure_``; ``save(stem, provenance=)`` writes PDF, SVG, PNG
(300 dpi), the plotted data as CSV and a caption file with provenance.

Call :func:`quanyu_nlp.viz.use_style` first so Chinese renders with the embedded Noto
CJK font.

Examples
--------
>>> import pandas as pd
>>> from quanyu_nlp.viz import use_style, FrameworkDistributionDisplay   # doctest: +SKIP
>>> use_style("single")                                                   # doctest: +SKIP
>>> codings = pd.DataFrame({"unit_id": ["u1", "u2"], "doc_id": ["d1", "d1"],
...     "dimension": ["引领", "引领"], "category": ["政治引领", "无"]})
>>> disp = FrameworkDistributionDisplay.from_codings(codings)              # doctest: +SKIP
>>> disp.plot().save("fig_distribution", provenance={"run_id": "demo"})   # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ColumnError, ParameterError
from ._base import Display, as_frame, style_cycle, text_color_on
from .style import PALETTE, SEQUENTIAL_CMAP, _register, cjk_font_source, figure_size

__all__ = ["FrameworkDistributionDisplay", "FrameworkHeatmapDisplay",
           "CategoryShareOverTimeDisplay", "TopicTermsDisplay", "TopicEffectsDisplay",
           "KSelectionDisplay", "KeynessDisplay", "CooccurrenceNetworkDisplay",
           "ConfusionMatrixDisplay", "ReliabilityTableDisplay", "WordCloudDisplay"]

CODING_COLUMNS = ("unit_id", "doc_id", "dimension", "category")


def _codings(codings, dimension: str | Sequence[str] | None, include_none: bool,
             none_label: str) -> pd.DataFrame:
    frame = as_frame(codings, CODING_COLUMNS, "codings")
    if dimension is not None:
        wanted = [dimension] if isinstance(dimension, str) else list(dimension)
        unknown = [d for d in wanted if d not in set(frame["dimension"])]
        if unknown:
            dims = ", ".join(map(str, frame["dimension"].unique()))
            raise ParameterError(f"dimension {unknown[0]!r} is not in the codings; "
                                 f"dimensions are: {dims}")
        frame = frame[frame["dimension"].isin(wanted)]
    if not include_none:
        frame = frame[frame["category"] != none_label]
    if frame.empty:
        raise ParameterError("no codings left to plot (check dimension= and include_none=)")
    return frame


def _coding_meta(codings) -> tuple[dict, list]:
    """Dimension names and codebook category order a ``Codings`` object carries.

    A plain frame has neither; then ids and frequency order are used as before.
    """
    meta = getattr(codings, "meta", None)
    if not isinstance(meta, Mapping):
        return {}, []
    names = {str(k): str(v) for k, v in (meta.get("dimension_labels") or {}).items()}
    order = [c for labels in (meta.get("labels") or {}).values() for c in labels]
    return names, order


def _with_docvar(frame: pd.DataFrame, docvars: pd.DataFrame | None, by: str) -> pd.DataFrame:
    """Attach document variable ``by`` to codings via ``doc_id`` (or use it if present)."""
    if by in frame.columns:
        return frame
    if docvars is None:
        raise ColumnError(f"codings have no column {by!r}; pass docvars= (a frame with "
                          f"doc_id and {by}, e.g. corpus.units)")
    dv = docvars.reset_index() if "doc_id" not in docvars.columns else docvars
    dv = as_frame(dv, ("doc_id", by), "docvars")
    dv = dv[["doc_id", by]].drop_duplicates("doc_id")
    out = frame.merge(dv, on="doc_id", how="left")
    if out[by].isna().any():
        missing = out.loc[out[by].isna(), "doc_id"].iloc[0]
        raise ColumnError(f"document {missing!r} has no value for {by!r} in docvars; "
                          "fill it in or drop those codings")
    return out


#: Chinese axis labels of the usual document variables.
VAR_LABELS = {"year": "年份", "region": "地区", "level": "层级", "genre": "体裁",
              "field": "领域", "source": "来源", "org": "机构", "author": "作者"}


def _ordered(values, order: Sequence | None) -> list:
    """The distinct ``values``, those named in ``order`` first and in its order.

    ``order`` may repeat a value (a run passes the labels of several dimensions, each
    with its own ``无``); every value still comes out once, or it would be drawn twice.
    """
    present = list(dict.fromkeys(values))
    if order is None:
        return present
    order = [v for v in dict.fromkeys(order) if v in present]
    return order + [v for v in present if v not in order]


def _cells(ax, grid: np.ndarray):
    """Draw a matrix as vector cells (row 0 at the top), like ``imshow`` but not raster.

    ``imshow`` puts the plot area into the PDF as a bitmap resampled at the save dpi,
    which journal preflight flags as a low-resolution image and which blurs in some
    viewers; a ``pcolormesh`` of filled rectangles stays vector.  The thin white
    borders also hide the hairline seams viewers draw between abutting filled cells.
    """
    nrows, ncols = grid.shape
    mesh = ax.pcolormesh(np.arange(ncols + 1) - 0.5, np.arange(nrows + 1) - 0.5, grid,
                         cmap=SEQUENTIAL_CMAP, edgecolors="white", linewidth=0.5)
    ax.set_xlim(-0.5, ncols - 0.5)
    ax.set_ylim(nrows - 0.5, -0.5)
    return mesh


def _vector_colorbar(cb) -> None:
    """Keep a colour bar vector: matplotlib rasterises bars of 50 or more colours."""
    cb.solids.set_rasterized(False)
    cb.solids.set_edgecolor("face")  # no seams between the bar's cells


# ----------------------------------------------------------------------------------------
class FrameworkDistributionDisplay(Display):
    """Counts of framework categories per dimension (horizontal bars).

    ``data_`` columns: ``dimension, category, count, share`` (share within dimension).
    """

    title_zh = "各维度框架类目的分布"
    title_en = "Distribution of framework categories by dimension"

    @classmethod
    def from_codings(cls, codings, dimension=None, include_none: bool = True,
                     none_label: str = "无", category_order: Sequence[str] | None = None,
                     dimension_labels: Mapping[str, str] | None = None):
        """Count codings per (dimension, category).

        Parameters
        ----------
        codings : DataFrame or object with ``.to_frame()``
            Columns ``unit_id, doc_id, dimension, category`` (``Codings`` layout).
        dimension : str or list of str, optional
            Restrict to these dimensions.
        include_none : bool
            Keep the "no category" rows (``none_label``).
        category_order : list of str, optional
            Category order within each dimension (e.g. the codebook order).
        dimension_labels : dict, optional
            Display label per dimension id (e.g. ``{"leadership": "引领方式"}``).
        """
        frame = _codings(codings, dimension, include_none, none_label)
        names, codebook = _coding_meta(codings)
        category_order = category_order if category_order is not None else codebook or None
        rows = []
        for dim in _ordered(frame["dimension"], None):
            sub = frame[frame["dimension"] == dim]
            counts = sub["category"].value_counts()
            cats = _ordered(sorted(counts.index, key=lambda c: (-counts[c], str(c))),
                            category_order)
            # The none label closes each dimension: a flat order over several
            # dimensions names it once, after the first dimension's categories.
            for cat in [c for c in cats if c != none_label] + \
                    [c for c in cats if c == none_label]:
                rows.append((dim, cat, int(counts[cat]), counts[cat] / counts.sum()))
        data = pd.DataFrame(rows, columns=["dimension", "category", "count", "share"])
        labels = dict(names, **dict(dimension_labels or {}))
        return cls(data, include_none=include_none, dimension_labels=labels)

    def plot(self, ax=None, value: str = "count", preset: str = "single"):
        """Draw bars; ``value`` is ``"count"`` or ``"share"``."""
        if value not in ("count", "share"):
            raise ParameterError("value must be 'count' or 'share'")
        d = self.data_
        height = max(4.0, 0.45 * len(d) + 1.5)
        ax = self._new_axes(ax, preset, height)
        labels = self.params_.get("dimension_labels", {})
        y = np.arange(len(d))[::-1]
        handles = {}
        for i, dim in enumerate(_ordered(d["dimension"], None)):
            sel = (d["dimension"] == dim).to_numpy()
            st = style_cycle(i)
            bars = ax.barh(y[sel], d.loc[sel, value], color=st["color"], hatch=st["hatch"],
                           edgecolor="black", linewidth=0.4, label=labels.get(dim, dim))
            handles[dim] = bars
            for yy, v in zip(y[sel], d.loc[sel, value]):
                ax.text(v, yy, f" {v:.0%}" if value == "share" else f" {v}",
                        va="center", ha="left", fontsize="small")
        ax.set_yticks(y, d["category"])
        ax.set_xlabel("编码单元数" if value == "count" else "占比")
        ax.margins(x=0.15)
        if len(handles) > 1:
            # Outside the plot area: inside, it covered the longest bars.
            ax.legend(title="维度", loc="upper left", bbox_to_anchor=(1.0, 1.0),
                      borderaxespad=0.2)
        return self

    def caption(self) -> str:
        n = int(self.data_["count"].sum())
        return (f"{self.title_zh}（编码单元 n = {n}）。"
                f"{self.title_en} (coded units n = {n}).")


# ----------------------------------------------------------------------------------------
class FrameworkHeatmapDisplay(Display):
    """Categories × a document variable (year, region, genre …) as a heatmap.

    ``data_`` columns: ``category, <by>, count, share``.
    """

    title_zh = "框架类目与文档变量的交叉分布"
    title_en = "Framework categories by document variable"

    @classmethod
    def from_codings(cls, codings, by: str = "year", docvars: pd.DataFrame | None = None,
                     dimension: str | None = None, normalize: str | None = "column",
                     include_none: bool = False, none_label: str = "无",
                     category_order: Sequence[str] | None = None,
                     dimension_label: str | None = None):
        """Cross-tabulate categories against document variable ``by``.

        Parameters
        ----------
        codings : DataFrame or object with ``.to_frame()``
            ``Codings`` layout; may already contain the column ``by``.
        by : str
            Document variable (column of ``docvars``) on the horizontal axis.
        docvars : DataFrame, optional
            Frame with ``doc_id`` and ``by`` (``corpus.units`` works).
        normalize : {"column", "row", None}
            ``share`` is the count divided by its column total (share of categories
            within a year), row total, or not computed (equal to count).
        dimension_label : str, optional
            Name of the dimension in the caption (e.g. ``"五个引领"``); default the
            dimension id.  Two dimensions' figures must not share one caption.
        """
        if normalize not in ("column", "row", None):
            raise ParameterError("normalize must be 'column', 'row' or None")
        frame = _with_docvar(_codings(codings, dimension, include_none, none_label),
                             docvars, by)
        table = pd.crosstab(frame["category"], frame[by])
        names, codebook = _coding_meta(codings)
        table = table.loc[_ordered(table.index, category_order if category_order is not None
                                   else codebook or None)]
        if normalize == "column":
            share = table / table.sum(axis=0)
        elif normalize == "row":
            share = table.div(table.sum(axis=1), axis=0)
        else:
            share = table.astype(float)
        data = (table.stack().rename("count").to_frame()
                .join(share.stack().rename("share")).reset_index())
        data.columns = ["category", by, "count", "share"]
        return cls(data, by=by, normalize=normalize, dimension=dimension,
                   dimension_label=dimension_label or names.get(str(dimension), dimension))

    def plot(self, ax=None, value: str = "share", preset: str = "double", annotate=True,
             colorbar: bool = True):
        """Draw the heatmap of ``value`` (``"share"`` or ``"count"``)."""
        import matplotlib.pyplot as plt

        by = self.params_["by"]
        d = self.data_
        cats = _ordered(d["category"], None)
        cols = _ordered(d[by], None)
        grid = d.pivot(index="category", columns=by, values=value).loc[cats, cols]
        ax = self._new_axes(ax, preset, max(5.0, 0.7 * len(cats) + 2.5))
        im = _cells(ax, grid.to_numpy(dtype=float))
        ax.set_xticks(range(len(cols)), [str(c) for c in cols])
        ax.set_yticks(range(len(cats)), cats)
        ax.set_xlabel(VAR_LABELS.get(by, by))
        ax.spines[:].set_visible(False)
        if annotate:
            for i in range(len(cats)):
                for j in range(len(cols)):
                    v = grid.iat[i, j]
                    txt = f"{v:.0%}" if value == "share" and self.params_["normalize"] \
                        else f"{v:g}"
                    ax.text(j, i, txt, ha="center", va="center", fontsize="small",
                            color=text_color_on(im.cmap(im.norm(v))))
        if colorbar:
            cb = plt.colorbar(im, ax=ax, fraction=0.04)
            cb.set_label("占比" if value == "share" else "编码单元数")
            _vector_colorbar(cb)
        self.image_ = im
        return self

    def caption(self) -> str:
        by = self.params_["by"]
        by_zh = VAR_LABELS.get(by, by)
        norm = {"column": f"各{by_zh}内类目占比", "row": "各类目内占比", None: "计数"}
        en = {"column": f"share within each {by}", "row": "share within each category",
              None: "counts"}
        n = self.params_["normalize"]
        dim = self.params_.get("dimension_label")
        return (f"{self.title_zh}（{dim + '；' if dim else ''}{norm[n]}）。{self.title_en} "
                f"({dim + '; ' if dim else ''}{en[n]}).")


# ----------------------------------------------------------------------------------------
class CategoryShareOverTimeDisplay(Display):
    """Share of units coded with each category per year, with confidence intervals.

    ``data_`` columns: ``<time>, category, count, total, share, ci_low, ci_high``.
    """

    title_zh = "框架类目占比的年度变化"
    title_en = "Share of framework categories over time"

    @classmethod
    def from_codings(cls, codings, time: str = "year", docvars: pd.DataFrame | None = None,
                     dimension: str | None = None, categories: Sequence[str] | None = None,
                     interval: str = "wilson", level: float = 0.95, n_boot: int = 1000,
                     random_state: int | None = 0, none_label: str = "无",
                     dimension_label: str | None = None):
        """Share = units of the category / all coded units of the dimension in that period.

        Parameters
        ----------
        codings : DataFrame or object with ``.to_frame()``
            ``Codings`` layout (one row per unit and dimension).
        time : str
            Period variable (column of codings or docvars).
        dimension : str, optional
            Needed when the codings hold several dimensions (shares are within one).
        categories : list of str, optional
            Categories to draw (default: all except ``none_label``).
        interval : {"wilson", "bootstrap"}
            Wilson score interval (units independent), or a cluster bootstrap that
            resamples documents within each period (units of one document are not
            independent).
        """
        if interval not in ("wilson", "bootstrap"):
            raise ParameterError("interval must be 'wilson' or 'bootstrap'")
        if not 0 < level < 1:
            raise ParameterError(f"level must be between 0 and 1, got {level}")
        frame = _codings(codings, dimension, True, none_label)
        if frame["dimension"].nunique() > 1:
            raise ParameterError("codings hold several dimensions; pass dimension= "
                                 f"(one of {', '.join(map(str, frame['dimension'].unique()))})")
        frame = _with_docvar(frame, docvars, time)
        names, codebook = _coding_meta(codings)
        cats = list(categories) if categories is not None else [
            c for c in _ordered(frame["category"], codebook or None) if c != none_label]
        rng = np.random.default_rng(random_state)
        rows = []
        for period in sorted(frame[time].unique()):
            sub = frame[frame[time] == period]
            total = len(sub)
            for cat in cats:
                count = int((sub["category"] == cat).sum())
                low, high = cls._interval(sub, cat, count, total, interval, level, n_boot, rng)
                rows.append((period, cat, count, total, count / total, low, high))
        data = pd.DataFrame(rows, columns=[time, "category", "count", "total", "share",
                                           "ci_low", "ci_high"])
        return cls(data, time=time, interval=interval, level=level,
                   dimension_label=dimension_label or names.get(
                       str(frame["dimension"].iloc[0]), str(frame["dimension"].iloc[0])),
                   n_boot=n_boot if interval == "bootstrap" else None,
                   random_state=random_state if interval == "bootstrap" else None)

    @staticmethod
    def _interval(sub, cat, count, total, interval, level, n_boot, rng):
        if interval == "wilson":
            from statsmodels.stats.proportion import proportion_confint

            low, high = proportion_confint(count, total, alpha=1 - level, method="wilson")
            return float(low), float(high)
        hits = (sub["category"] == cat).groupby(sub["doc_id"]).agg(["sum", "size"])
        k, n = hits["sum"].to_numpy(), hits["size"].to_numpy()
        idx = rng.integers(0, len(k), size=(n_boot, len(k)))
        shares = k[idx].sum(axis=1) / n[idx].sum(axis=1)
        a = (1 - level) / 2
        return float(np.quantile(shares, a)), float(np.quantile(shares, 1 - a))

    def plot(self, ax=None, preset: str = "single", band: bool = False):
        """Lines with markers per category; intervals as error bars, dodged sideways so
        they do not overlap (``band=True`` draws translucent bands instead)."""
        t = self.params_["time"]
        ax = self._new_axes(ax, preset)
        cats = _ordered(self.data_["category"], None)
        periods = np.sort(self.data_[t].unique())
        gap = float(np.min(np.diff(periods))) if len(periods) > 1 and \
            np.issubdtype(periods.dtype, np.number) else 1.0
        for i, cat in enumerate(cats):
            d = self.data_[self.data_["category"] == cat]
            st = style_cycle(i)
            x = d[t].to_numpy()
            if band:
                ax.plot(x, d["share"], color=st["color"], marker=st["marker"], label=cat)
                ax.fill_between(x, d["ci_low"], d["ci_high"], color=st["color"], alpha=0.15,
                                linewidth=0)
            else:
                if np.issubdtype(np.asarray(x).dtype, np.number):
                    x = x + (i - (len(cats) - 1) / 2) * 0.08 * gap
                # A bootstrap quantile can land a rounding error beyond the share
                # (share 0, ci_low 2.8e-17); matplotlib refuses negative error bars.
                share = d["share"].to_numpy(dtype=float)
                yerr = [np.clip(share - d["ci_low"].to_numpy(dtype=float), 0, None),
                        np.clip(d["ci_high"].to_numpy(dtype=float) - share, 0, None)]
                ax.errorbar(x, share, yerr=yerr,
                            color=st["color"], marker=st["marker"], capsize=2,
                            elinewidth=0.7, label=cat)
        ax.set_xlabel(VAR_LABELS.get(t, t))
        ax.set_ylabel("占比")
        ax.yaxis.set_major_formatter(_percent())
        if np.issubdtype(self.data_[t].dtype, np.integer):
            if len(periods) <= 12:
                # a tick at every year, a label at every year or every other one (the
                # auto locator left only 2020 and 2025; eight labels collide in a
                # single-column figure)
                every = 1 if len(periods) <= 5 else 2
                ax.set_xticks(periods[::every], [str(p) for p in periods[::every]])
                ax.set_xticks(periods, minor=True)
            else:
                ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylim(bottom=0)
        # Outside the plot area: inside, the legend covered points and intervals.
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), borderaxespad=0.2)
        return self

    def caption(self) -> str:
        lvl = f"{self.params_['level']:.0%}"
        how_zh = "Wilson 区间" if self.params_["interval"] == "wilson" else \
            f"按文档聚类的 bootstrap 区间（{self.params_['n_boot']} 次重抽样）"
        how_en = "Wilson score intervals" if self.params_["interval"] == "wilson" else \
            f"document-clustered bootstrap intervals ({self.params_['n_boot']} resamples)"
        dim = self.params_.get("dimension_label")
        return (f"{self.title_zh}（{dim}）；误差线为 {lvl} {how_zh}。"
                f"{self.title_en} ({dim}); error bars are {lvl} {how_en}.")


def _short_number():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:.6g}" if abs(v) > 1e-12 else "0")


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


# ----------------------------------------------------------------------------------------
class TopicTermsDisplay(Display):
    """A grid of small bar charts: each topic's top terms and weights.

    ``data_`` columns: ``topic, label, rank, term, weight``.
    """

    title_zh = "各主题的高权重词"
    title_en = "Top terms of each topic"

    @classmethod
    def from_topic_terms(cls, topic_terms: pd.DataFrame, n_terms: int = 8,
                         topics: Sequence | None = None,
                         labels: Mapping | None = None):
        """Take a tidy top-terms table.

        Parameters
        ----------
        topic_terms : DataFrame
            Columns ``topic, rank, term, weight`` (and optionally ``label``), as returned
            by the topic models' ``top_terms()``.
        n_terms : int
            Terms per topic (lowest ranks).
        topics : list, optional
            Topics to show, in this order.
        labels : dict, optional
            Topic -> label shown as the panel title (overrides a ``label`` column).
        """
        frame = as_frame(topic_terms, ("topic", "rank", "term", "weight"), "topic_terms")
        if n_terms < 1:
            raise ParameterError(f"n_terms must be >= 1, got {n_terms}")
        if topics is not None:
            frame = frame[frame["topic"].isin(list(topics))]
            order = list(topics)
        else:
            order = _ordered(frame["topic"], None)
        if frame.empty:
            raise ParameterError("no topics to plot (check topics=)")
        frame = frame.sort_values(["topic", "rank"], key=lambda s: s.map(
            {t: i for i, t in enumerate(order)}) if s.name == "topic" else s)
        frame = frame.groupby("topic", sort=False).head(n_terms)
        if labels:
            frame["label"] = frame["topic"].map(lambda t: labels.get(t, f"主题 {t}"))
        elif "label" not in frame.columns:
            frame["label"] = frame["topic"].map(lambda t: f"主题 {t}")
        data = frame[["topic", "label", "rank", "term", "weight"]]
        return cls(data, n_terms=n_terms)

    def plot(self, ax=None, ncols: int | None = None, preset: str = "double"):
        """One panel per topic; ``ax`` may be None, a list of Axes or one Axes to split."""
        topics = _ordered(self.data_["topic"], None)
        ncols = ncols or min(4, len(topics))
        axes = self._grid_axes(ax, len(topics), ncols, preset,
                               height_per_row_cm=0.42 * self.params_["n_terms"] + 1.6)
        for t, a in zip(topics, axes):
            d = self.data_[self.data_["topic"] == t]
            y = np.arange(len(d))[::-1]
            a.barh(y, d["weight"], color=PALETTE[1], edgecolor="black", linewidth=0.3)
            a.set_yticks(y, d["term"])
            a.set_title(str(d["label"].iloc[0]), fontsize="medium")
            a.tick_params(axis="x", labelsize="x-small")
            a.tick_params(axis="y", length=0)
        _wrap_wide_titles(self.figure_, axes)
        return self


def _wrap_wide_titles(fig, axes) -> None:
    """Break a panel title at its middle ``·`` when it is wider than the panel.

    Constrained layout does not make room for a title wider than its axes: it runs
    into the neighbouring title and past the figure edge, and the saved figure grows
    wider than the journal column.
    """
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    for a in axes:
        title = a.title
        text = title.get_text()
        if "·" not in text or "\n" in text:
            continue
        if title.get_window_extent(renderer).width <= a.get_window_extent(renderer).width:
            continue
        cuts = [i for i, ch in enumerate(text) if ch == "·"]
        cut = min(cuts, key=lambda i: abs(i - len(text) / 2))
        title.set_text(text[:cut + 1] + "\n" + text[cut + 1:])


# ----------------------------------------------------------------------------------------
_TERM_RE = re.compile(r"^(?:C\(\s*(?P<cvar>[^,)\s]+)(?:[^()]|\([^()]*\))*\)|(?P<var>[^\[]+))"
                      r"(?:\[T\.(?P<level>.+)\])?$")


def _var_title(var: str) -> str:
    """Chinese name of a variable (or of an interaction ``field:year``)."""
    return " × ".join(VAR_LABELS.get(v, v) for v in str(var).split(":"))


def _term_parts(term: str) -> tuple[str, str | None]:
    """``(variable, level)`` of a patsy column name: ``field[T.农村]`` -> (field, 农村),
    ``C(year)[T.2020]`` -> (year, 2020), ``year`` -> (year, None)."""
    if ":" in str(term):               # an interaction gets a panel of its own
        parts = [_term_parts(p) for p in str(term).split(":")]
        return ":".join(v for v, _ in parts), " × ".join(
            lv for _, lv in parts if lv is not None) or None
    m = _TERM_RE.match(str(term).strip())
    if not m:
        return str(term), None
    return (m.group("cvar") or m.group("var")).strip(), m.group("level")


def _term_label(term: str) -> str:
    """A Chinese reading of a patsy column name for axes and legends."""
    if ":" in str(term):               # an interaction: field[T.农村]:year
        parts = [_term_parts(p) for p in str(term).split(":")]
        return " × ".join(f"{VAR_LABELS.get(v, v)}：{lv}" if lv is not None
                          else VAR_LABELS.get(v, v) for v, lv in parts)
    var, level = _term_parts(term)
    name = VAR_LABELS.get(var, var)
    if level is not None:
        return f"{name}：{level}"
    return "年份（每年）" if var == "year" else f"{name}（每增加 1）"


class TopicEffectsDisplay(Display):
    """Coefficient plot of covariate effects on topic prevalence.

    One panel per document variable (a factor's levels are dodged within its panel,
    each against the reference level), topics on the vertical axis, so effects in
    different units (per year, per level) never share an axis.

    ``data_`` columns: ``topic, label, term, term_label, variable, estimate, ci_low,
    ci_high``.
    """

    title_zh = "文档变量对主题比例的影响"
    title_en = "Effects of document variables on topic prevalence"

    @classmethod
    def from_effects(cls, effects: pd.DataFrame, term: str | Sequence[str] | None = None,
                     topics: Sequence | None = None, labels: Mapping | None = None,
                     drop_intercept: bool = True, level: float | None = None,
                     link: str | None = None,
                     reference_levels: Mapping[str, str] | None = None):
        """Take a tidy effects frame (one row per topic and model term).

        Parameters
        ----------
        effects : DataFrame
            Columns ``topic, term, estimate, ci_low, ci_high``
            (:func:`quanyu_nlp.topics.topic_effects`).
        term : str or list of str, optional
            Model terms to show (default: all but the intercept).
        labels : dict, optional
            Topic -> label for the vertical axis.
        level, link : optional
            Interval level and link of the regression; default from ``effects.attrs``
            (set by ``topic_effects``), else 0.95 and identity.  They name the axis.
        reference_levels : dict, optional
            Variable -> reference level of each factor, for the caption; default
            ``effects.attrs["reference_levels"]``.
        """
        attrs = dict(getattr(effects, "attrs", {}) or {})
        frame = as_frame(effects, ("topic", "term", "estimate", "ci_low", "ci_high"),
                         "effects")
        if term is not None:
            wanted = [term] if isinstance(term, str) else list(term)
            unknown = [w for w in wanted if w not in set(frame["term"])]
            if unknown:
                raise ParameterError(f"term {unknown[0]!r} is not in effects; terms are: "
                                     f"{', '.join(map(str, frame['term'].unique()))}")
            frame = frame[frame["term"].isin(wanted)]
        elif drop_intercept:
            frame = frame[~frame["term"].astype(str).str.lower()
                          .isin(["intercept", "(intercept)", "const"])]
        if topics is not None:
            frame = frame[frame["topic"].isin(list(topics))]
        if frame.empty:
            raise ParameterError("no effects left to plot (check term= and topics=)")
        if labels:
            frame["label"] = frame["topic"].map(lambda t: labels.get(t, f"主题 {t}"))
        elif "label" not in frame.columns:
            frame["label"] = frame["topic"].map(lambda t: f"主题 {t}")
        frame["term_label"] = frame["term"].map(_term_label)
        frame["variable"] = frame["term"].map(lambda t: _term_parts(t)[0])
        level = float(level if level is not None else attrs.get("level", 0.95))
        if not 0 < level < 1:
            raise ParameterError(f"level must be between 0 and 1, got {level}")
        link = link or attrs.get("link", "identity")
        if link not in ("identity", "logit"):
            raise ParameterError(f"link={link!r} is unknown; use 'identity' or 'logit'")
        refs = dict(reference_levels if reference_levels is not None
                    else attrs.get("reference_levels", {}) or {})
        cols = ["topic", "label", "term", "term_label", "variable", "estimate", "ci_low",
                "ci_high"]
        return cls(frame[cols], level=level, link=link,
                   method=attrs.get("method", "not given"),
                   reference_levels={str(k): str(v) for k, v in refs.items()})

    def _axis_label(self) -> str:
        what = "主题比例的变化" if self.params_["link"] == "identity" else "主题对数几率的变化"
        # short enough for a single column; the caption says what points and lines are
        return f"{what}（{self.params_['level']:.0%} 区间）"

    def plot(self, ax=None, preset: str = "single"):
        """One panel per variable; levels of a factor are dodged vertically."""
        d = self.data_
        topics = _ordered(d["topic"], None)
        variables = _ordered(d["variable"], None)
        rows_per_topic = max(d.groupby("variable")["term"].nunique())
        # 0.16 cm per dodged point keeps ~40 rows on a page; the cap keeps the figure
        # inside a journal page (type area ~ 23 cm high).
        height = min(22.0, max(5.0, len(topics) * (0.35 + 0.16 * rows_per_topic) + 2.5))
        axes = self._grid_axes(ax, len(variables), min(len(variables), 3), preset,
                               height_per_row_cm=height) if len(variables) > 1 else \
            [self._new_axes(ax, preset, height)]
        ypos = {t: len(topics) - 1 - i for i, t in enumerate(topics)}
        labels = d.drop_duplicates("topic").set_index("topic")["label"]
        panel_cm = self.figure_.get_figwidth() * 2.54 / min(len(variables), 3)
        for n_panel, (var, a) in enumerate(zip(variables, axes)):
            sub_v = d[d["variable"] == var]
            terms = _ordered(sub_v["term"], None)
            step = 0.75 / max(1, len(terms))
            for j, term in enumerate(terms):
                sub = sub_v[sub_v["term"] == term]
                st = style_cycle(j)
                # dodged top to bottom in legend order
                y = sub["topic"].map(ypos).to_numpy() - (j - (len(terms) - 1) / 2) * step
                a.hlines(y, sub["ci_low"], sub["ci_high"], color=st["color"], linewidth=1.0)
                # the panel title names the variable; the legend only needs the level
                level = _term_parts(term)[1]
                a.plot(sub["estimate"], y, linestyle="none", marker=st["marker"],
                       markersize=3.5, color=st["color"],
                       label=level if level is not None else sub["term_label"].iloc[0])
            a.axvline(0, color="0.5", linewidth=0.6, linestyle="--")
            # narrow panels: few ticks, short labels (0.5, not 0.50), so labels never touch
            a.locator_params(axis="x", nbins=4 if panel_cm >= 5 else 3)
            a.xaxis.set_major_formatter(_short_number())
            a.set_yticks([ypos[t] for t in topics],
                         [labels[t] for t in topics] if n_panel == 0 else [])
            a.set_ylim(-0.6, len(topics) - 0.4)
            if len(variables) > 1 or len(terms) > 1:
                ref = self.params_["reference_levels"].get(var)
                title = _var_title(var) + (f"（参照：{ref}）" if ref else "")
                a.set_title(title, fontsize="medium")
            if len(variables) == 1:
                a.set_xlabel(self._axis_label())
        if len(variables) > 1:
            self.figure_.supxlabel(self._axis_label(), fontsize="medium")
        factors = [a for a, v in zip(axes, variables) if (d["variable"] == v).sum()
                   > len(topics)]
        own_figure = ax is None
        for a in factors:
            # Outside the plot area: a legend inside would cover estimates.  One factor
            # in a figure of our own: above the whole figure, where it never squeezes
            # the panels of a single-column figure to nothing; else beside its panel.
            if own_figure and len(factors) == 1:
                handles, labs = a.get_legend_handles_labels()
                wide = self.figure_.get_figwidth() * 2.54 > 12
                self.figure_.legend(handles, labs, loc="outside upper center",
                                    ncols=min(4 if wide else 2, len(labs)), fontsize="small",
                                    handlelength=1.0, columnspacing=0.8,
                                    title=a.get_title().split("（")[0])
            else:
                a.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small",
                         handlelength=1.0, borderaxespad=0.2)
        return self

    def caption(self) -> str:
        lvl = f"{self.params_['level']:.0%}"
        unit_zh = "主题比例" if self.params_["link"] == "identity" else "主题对数几率"
        unit_en = "topic share" if self.params_["link"] == "identity" else "log-odds of the topic"
        refs = self.params_["reference_levels"]
        ref_zh = "；".join(f"{VAR_LABELS.get(k, k)}以“{v}”为参照" for k, v in refs.items())
        ref_en = "; ".join(f"{k} relative to {v!r}" for k, v in refs.items())
        method = self.params_.get("method", "not given")
        return (f"{self.title_zh}：点为{unit_zh}的变化估计值，线为 {lvl} 区间（{method}）"
                + (f"；{ref_zh}" if ref_zh else "") + "。"
                f"{self.title_en}: points are estimated changes in {unit_en}, lines "
                f"{lvl} intervals ({method})" + (f"; {ref_en}" if ref_en else "") + ".")


# ----------------------------------------------------------------------------------------
#: Titles of ``select_k``'s criteria: what they are, and which direction is better.
METRIC_LABELS = {"npmi": "NPMI 一致性（越高越好）", "c_v": "C_V 一致性（越高越好）",
                 "exclusivity": "排他性（越高越好）", "stability": "稳定性（越高越好）",
                 "perplexity": "留出困惑度（越低越好）", "score": "综合得分（越高越好）"}


class KSelectionDisplay(Display):
    """Diagnostics against the number of topics K, one panel per metric.

    ``data_`` columns: ``k, metric, value, sd`` (``sd`` over replicates, 0 if one).
    """

    title_zh = "主题数 K 的选择诊断"
    title_en = "Diagnostics for choosing the number of topics K"

    @classmethod
    def from_select_k(cls, table: pd.DataFrame, metrics: Sequence[str] | None = None,
                      k: str = "k", best: int | None = None):
        """Take a ``select_k`` table: wide (``k`` + one column per metric) or long
        (``k, metric, value``); several rows per K (seeds) are averaged."""
        frame = as_frame(table, (k,), "select_k table")
        if {"metric", "value"} <= set(frame.columns):
            long = frame[[k, "metric", "value"]]
        else:
            numeric = [c for c in frame.columns if c != k
                       and pd.api.types.is_numeric_dtype(frame[c])
                       and c not in ("seed", "random_state", "replicate")
                       and not str(c).endswith("_sd") and frame[c].notna().any()]
            long = frame.melt(id_vars=[k], value_vars=numeric, var_name="metric")
            # A "<metric>_sd" column (select_k's summary table) gives the spread.
            sd_cols = {c: f"{c}_sd" for c in numeric if f"{c}_sd" in frame.columns}
            if sd_cols:
                sds = frame.melt(id_vars=[k], value_vars=list(sd_cols.values()),
                                 var_name="metric", value_name="given_sd")
                sds["metric"] = sds["metric"].str[:-3]
                long = long.merge(sds, on=[k, "metric"], how="left")
        if metrics is not None:
            unknown = [m for m in metrics if m not in set(long["metric"])]
            if unknown:
                raise ColumnError(f"select_k table has no metric {unknown[0]!r}; metrics "
                                  f"are: {', '.join(map(str, long['metric'].unique()))}")
            long = long[long["metric"].isin(list(metrics))]
        if long.empty:
            raise ParameterError("select_k table has no numeric metric columns to plot")
        order = list(metrics) if metrics is not None else _ordered(long["metric"], None)
        long = long.dropna(subset=["value"])
        agg = (long.groupby(["metric", k], sort=False)["value"]
               .agg(value="mean", sd=lambda s: float(s.std(ddof=1)) if len(s) > 1 else 0.0)
               .reset_index())
        if "given_sd" in long.columns:
            given = long.groupby(["metric", k], sort=False)["given_sd"].first().reset_index()
            agg = agg.merge(given, on=["metric", k], how="left")
            use = (agg["sd"] == 0) & agg["given_sd"].notna()
            agg.loc[use, "sd"] = agg.loc[use, "given_sd"]
        agg["metric"] = pd.Categorical(agg["metric"], order, ordered=True)
        agg = agg.sort_values(["metric", k]).rename(columns={k: "k"})
        agg["metric"] = agg["metric"].astype(str)
        return cls(agg[["k", "metric", "value", "sd"]], best=best)

    def plot(self, ax=None, ncols: int | None = None, preset: str = "double"):
        metrics = _ordered(self.data_["metric"], None)
        ncols = ncols or min(3, len(metrics))
        axes = self._grid_axes(ax, len(metrics), ncols, preset, height_per_row_cm=4.5)
        best = self.params_.get("best")
        for i, (m, a) in enumerate(zip(metrics, axes)):
            d = self.data_[self.data_["metric"] == m]
            a.errorbar(d["k"], d["value"], yerr=d["sd"] if d["sd"].any() else None,
                       color=PALETTE[i % 2], marker="o", capsize=2)
            a.set_title(METRIC_LABELS.get(m, m), fontsize="medium")
            a.set_xlabel("K")
            a.xaxis.get_major_locator().set_params(integer=True)
            if best is not None:
                a.axvline(best, color="0.4", linestyle="--", linewidth=0.8)
        return self

    def caption(self) -> str:
        best = self.params_.get("best")
        extra_zh = f"；虚线为选定的 K = {best}" if best is not None else ""
        extra_en = f"; dashed line marks the chosen K = {best}" if best is not None else ""
        return f"{self.title_zh}{extra_zh}。{self.title_en}{extra_en}."


# ----------------------------------------------------------------------------------------
class KeynessDisplay(Display):
    """Keyness bars: features most over-represented in the target vs the reference.

    ``data_`` columns: ``feature, <stat>, side`` (+ count columns passed through).
    """

    title_zh = "关键词性（目标语料与参照语料）"
    title_en = "Keyness of features, target vs reference"

    @classmethod
    def from_keyness(cls, keyness: pd.DataFrame, n: int = 15, stat: str = "G2",
                     feature: str = "feature", target_label: str = "目标",
                     reference_label: str = "参照", variable: str | None = None):
        """Take a keyness table.

        Parameters
        ----------
        keyness : DataFrame
            Columns ``feature`` and ``stat`` (signed as in quanteda: positive = key in
            the target, negative = key in the reference). If ``stat`` is unsigned, a
            column ``direction`` with values ``target`` / ``reference`` gives the side.
        n : int
            Features shown on each side.
        target_label, reference_label : str
            What the two sides are, for the legend, axis label and caption, e.g.
            ``"农村"`` and ``"其他"`` for ``textstat_keyness(toks, target=("field",
            "农村"))``; the defaults say only 目标 / 参照.
        variable : str, optional
            The document variable the sides are values of (``"field"``), named in the
            caption.
        """
        frame = as_frame(keyness, (feature, stat), "keyness")
        values = frame[stat].astype(float)
        if "direction" in frame.columns:
            bad = set(frame["direction"]) - {"target", "reference"}
            if bad:
                raise ColumnError(f"keyness column 'direction' has {sorted(bad)[0]!r}; use "
                                  "'target' or 'reference'")
            values = values.abs() * np.where(frame["direction"] == "reference", -1, 1)
        frame[stat] = values
        top = frame[frame[stat] > 0].nlargest(n, stat)
        bottom = frame[frame[stat] < 0].nsmallest(n, stat)
        data = pd.concat([top, bottom.iloc[::-1]])
        data["side"] = np.where(data[stat] > 0, target_label, reference_label)
        extra = [c for c in data.columns if c not in (feature, stat, "side", "direction")]
        data = data[[feature, stat, "side"] + extra].rename(columns={feature: "feature"})
        return cls(data, stat=stat, n=n, target_label=target_label,
                   reference_label=reference_label, variable=variable)

    def caption(self) -> str:
        t, r = self.params_["target_label"], self.params_["reference_label"]
        if (t, r) == ("目标", "参照"):
            return f"{self.title_zh}。{self.title_en}."
        var = self.params_.get("variable")
        var_zh = f"{VAR_LABELS.get(var, var)}：" if var else ""
        var_en = f"{var}: " if var else ""
        return (f"关键词性（{var_zh}{t} 与 {r}；正值为{t}的关键词）。Keyness of features "
                f"({var_en}{t} vs {r}; positive = key in {t}).")

    def plot(self, ax=None, preset: str = "single"):
        d = self.data_
        stat = self.params_["stat"]
        ax = self._new_axes(ax, preset, max(5.0, 0.38 * len(d) + 1.5))
        y = np.arange(len(d))[::-1]
        pos = (d[stat] > 0).to_numpy()
        for sel, i, lab in ((pos, 1, self.params_["target_label"]),
                            (~pos, 2, self.params_["reference_label"])):
            if sel.any():
                st = style_cycle(i)
                ax.barh(y[sel], d.loc[sel, stat], color=st["color"], edgecolor="black",
                        linewidth=0.3, hatch="" if i == 1 else "///", label=lab)
        for yy, v, f in zip(y, d[stat], d["feature"]):
            ax.text(0, yy, f"{f} " if v > 0 else f" {f}", ha="right" if v > 0 else "left",
                    va="center", fontsize="small")
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_xlabel(f"{stat}（正值：{self.params_['target_label']}；"
                      f"负值：{self.params_['reference_label']}）")
        ax.legend(loc="lower right")
        lim = float(np.abs(d[stat]).max()) * 1.3
        ax.set_xlim(-lim if (~pos).any() else -0.35 * lim, lim if pos.any() else 0.35 * lim)
        return self


# ----------------------------------------------------------------------------------------
class CooccurrenceNetworkDisplay(Display):
    """A co-occurrence network of terms drawn with networkx.

    ``data_`` columns: ``source, target, weight, community_source, community_target``.
    """

    title_zh = "词语共现网络"
    title_en = "Term co-occurrence network"

    @classmethod
    def from_cooccurrence(cls, counts, min_count: int = 1, top_n: int | None = 40,
                          source: str = "source", target: str = "target",
                          weight: str = "weight", random_state: int = 0):
        """Build the graph from co-occurrence counts.

        Parameters
        ----------
        counts : DataFrame
            Either an edge list (``source, target, weight`` columns; names settable) or a
            square feature × feature matrix (index = columns = terms, e.g. an fcm).
        min_count : int
            Drop edges with weight below this.
        top_n : int, optional
            Keep the ``top_n`` heaviest edges.
        random_state : int
            Seed of the spring layout (same seed -> same picture).
        """
        import networkx as nx

        if not isinstance(counts, pd.DataFrame):
            raise ParameterError("counts must be a DataFrame (edge list or square matrix)")
        if {source, target, weight} <= set(counts.columns):
            edges = counts[[source, target, weight]].copy()
            edges.columns = ["source", "target", "weight"]
        elif list(counts.index) == list(counts.columns):
            m = counts.to_numpy(dtype=float)
            i, j = np.triu_indices_from(m, k=1)
            edges = pd.DataFrame({"source": counts.index[i], "target": counts.columns[j],
                                  "weight": m[i, j]})
        else:
            raise ColumnError(f"counts needs columns {source!r}, {target!r}, {weight!r} or "
                              "must be a square matrix with the same terms as index and "
                              f"columns; columns are: {', '.join(map(str, counts.columns))}")
        edges = edges[(edges["weight"] >= min_count) & (edges["source"] != edges["target"])]
        edges = edges.sort_values(["weight", "source", "target"],
                                  ascending=[False, True, True], kind="mergesort")
        if top_n is not None:
            edges = edges.head(top_n)
        if edges.empty:
            raise ParameterError(f"no co-occurrence edges with weight >= {min_count}; "
                                 "lower min_count")
        graph = nx.Graph()
        for s, t, w in edges.itertuples(index=False):
            graph.add_edge(s, t, weight=float(w))
        comms = nx.community.greedy_modularity_communities(graph, weight="weight")
        member = {n: c for c, nodes in enumerate(comms) for n in sorted(nodes)}
        edges = edges.assign(community_source=edges["source"].map(member),
                             community_target=edges["target"].map(member))
        disp = cls(edges, min_count=min_count, top_n=top_n, random_state=random_state)
        disp.graph_ = graph
        disp.communities_ = member
        # A larger optimal distance than networkx's 1/sqrt(n) spreads dense hubs apart.
        disp.pos_ = nx.spring_layout(graph, weight="weight", seed=random_state,
                                     k=2.5 / np.sqrt(graph.number_of_nodes()), iterations=200)
        return disp

    def plot(self, ax=None, preset: str = "single"):
        import networkx as nx

        ax = self._new_axes(ax, preset, 8.0)
        g = self.graph_
        strength = dict(g.degree(weight="weight"))
        smax = max(strength.values())
        nodes = list(g.nodes)
        sizes = [60 + 340 * strength[n] / smax for n in nodes]
        colors = [PALETTE[1:][self.communities_[n] % (len(PALETTE) - 1)] for n in nodes]
        wmax = max(d["weight"] for _, _, d in g.edges(data=True))
        widths = [0.4 + 2.2 * d["weight"] / wmax for _, _, d in g.edges(data=True)]
        nx.draw_networkx_edges(g, self.pos_, ax=ax, width=widths, edge_color="0.55")
        # Light fills with a coloured rim keep the black labels readable on every node.
        nx.draw_networkx_nodes(g, self.pos_, ax=ax, nodelist=nodes, node_size=sizes,
                               node_color=colors, alpha=0.35, linewidths=0)
        nx.draw_networkx_nodes(g, self.pos_, ax=ax, nodelist=nodes, node_size=sizes,
                               node_color="none", edgecolors=colors, linewidths=1.0)
        # Labels use the rcParams font families (the CJK fonts, with their fallback);
        # networkx would otherwise force "sans-serif", which resolves to one font only.
        import matplotlib as mpl

        nx.draw_networkx_labels(g, self.pos_, ax=ax, font_size=mpl.rcParams["font.size"] - 1,
                                font_family=mpl.rcParams["font.family"])
        ax.set_axis_off()
        ax.margins(0.08)
        return self

    def caption(self) -> str:
        g = self.graph_
        return (f"{self.title_zh}（{g.number_of_nodes()} 个词，{g.number_of_edges()} 条边；"
                f"节点大小为加权度，颜色为模块度社群）。{self.title_en} "
                f"({g.number_of_nodes()} terms, {g.number_of_edges()} edges; node size = "
                "weighted degree, colour = modularity community).")


# ----------------------------------------------------------------------------------------
class ConfusionMatrixDisplay(Display):
    """Confusion matrix of coder output against gold labels.

    ``data_`` columns: ``true, predicted, count, share`` (share within the true row).
    """

    title_zh = "混淆矩阵（行：人工编码；列：自动编码）"
    title_en = "Confusion matrix (rows: human coding; columns: automatic coding)"

    @classmethod
    def from_matrix(cls, matrix, labels: Sequence[str]):
        """From a square count matrix (rows = true, columns = predicted) and labels."""
        m = np.asarray(matrix)
        if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] != len(labels):
            raise ParameterError(f"matrix must be square with one row per label; got shape "
                                 f"{m.shape} for {len(labels)} labels")
        rows = []
        for i, t in enumerate(labels):
            tot = m[i].sum()
            for j, p in enumerate(labels):
                rows.append((t, p, int(m[i, j]), m[i, j] / tot if tot else 0.0))
        return cls(pd.DataFrame(rows, columns=["true", "predicted", "count", "share"]),
                   labels=list(labels))

    @classmethod
    def from_predictions(cls, y_true, y_pred, labels: Sequence[str] | None = None):
        """From two label sequences (scikit-learn's ``confusion_matrix``)."""
        from sklearn.metrics import confusion_matrix

        if len(y_true) != len(y_pred):
            raise ParameterError(f"y_true has {len(y_true)} labels but y_pred has "
                                 f"{len(y_pred)}; pass one prediction per unit")
        if labels is None:
            labels = sorted(set(y_true) | set(y_pred), key=str)
        return cls.from_matrix(confusion_matrix(y_true, y_pred, labels=list(labels)), labels)

    def plot(self, ax=None, value: str = "count", preset: str = "single", colorbar=False):
        labels = self.params_["labels"]
        grid = self.data_.pivot(index="true", columns="predicted", values=value) \
            .loc[labels, labels].to_numpy(dtype=float)
        ax = self._new_axes(ax, preset, 0.9 * len(labels) + 3)
        im = _cells(ax, grid)
        ax.set_aspect("equal")
        for i in range(len(labels)):
            for j in range(len(labels)):
                v = grid[i, j]
                ax.text(j, i, f"{v:.0%}" if value == "share" else f"{int(v)}", ha="center",
                        va="center", fontsize="small", color=text_color_on(im.cmap(im.norm(v))))
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right",
                      rotation_mode="anchor")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("自动编码")
        ax.set_ylabel("人工编码")
        ax.spines[:].set_visible(False)
        if colorbar:
            import matplotlib.pyplot as plt

            _vector_colorbar(plt.colorbar(im, ax=ax, fraction=0.04))
        self.image_ = im
        return self


# ----------------------------------------------------------------------------------------
class ReliabilityTableDisplay(Display):
    """Inter-coder reliability per dimension as a table figure.

    ``data_``: the reliability frame (``dimension`` plus metric columns such as
    ``kappa``, ``alpha``, ``agreement``, ``n_units``).
    """

    title_zh = "编码信度（各维度）"
    title_en = "Inter-coder reliability by dimension"

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, columns: Sequence[str] | None = None,
                   column_labels: Mapping[str, str] | None = None, digits: int = 2,
                   dimension_labels: Mapping[str, str] | None = None):
        """Take a reliability table; ``columns`` selects and orders the metric columns.

        ``dimension_labels`` maps dimension ids to the names a reader knows
        (``{"leadership": "五个引领"}``, e.g. ``{d.id: d.label for d in
        framework.dimensions}``); ids not in it are shown as they are.
        """
        frame = as_frame(frame, ("dimension",), "reliability table")
        if dimension_labels:
            frame["dimension"] = frame["dimension"].map(
                lambda v: dimension_labels.get(v, v))
        if columns is not None:
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise ColumnError(f"reliability table has no column {missing[0]!r}; columns "
                                  f"are: {', '.join(map(str, frame.columns))}")
            frame = frame[["dimension"] + [c for c in columns if c != "dimension"]]
        labels = {"dimension": "维度", "kappa": "Cohen's κ", "alpha": "Krippendorff's α",
                  "agreement": "一致率", "n_units": "单元数", "n": "单元数",
                  "fleiss_kappa": "Fleiss' κ"}
        labels.update(column_labels or {})
        return cls(frame, column_labels=labels, digits=digits)

    def plot(self, ax=None, preset: str = "single"):
        d = self.data_
        ax = self._new_axes(ax, preset, 0.7 * (len(d) + 1) + 1.0)
        digits = self.params_["digits"]
        def fmt(v):
            if isinstance(v, (float, np.floating)):
                return "—" if np.isnan(v) else f"{v:.{digits}f}"
            return str(v)

        cells = [[fmt(v) for v in row] for row in d.itertuples(index=False)]
        labels = [self.params_["column_labels"].get(c, c) for c in d.columns]
        table = ax.table(cellText=cells, colLabels=labels, loc="center", cellLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(max(6.0, _font_size() - 1))
        table.auto_set_column_width(list(range(len(labels))))
        table.scale(1, 1.4)
        for (r, _c), cell in table.get_celld().items():
            cell.set_linewidth(0.4)
            if r == 0:
                cell.set_facecolor("0.9")
        ax.set_axis_off()
        self.table_ = table
        return self


def _font_size() -> float:
    import matplotlib as mpl

    return float(mpl.rcParams["font.size"])


# ----------------------------------------------------------------------------------------
class WordCloudDisplay(Display):
    """A word cloud laid out by the ``wordcloud`` package with the Noto CJK font.

    The words are drawn as matplotlib text at wordcloud's positions, so in PDF and SVG
    they stay text (copyable, searchable); ``raster=True`` draws wordcloud's bitmap.
    ``data_`` columns: ``word, frequency, font_px, x, y, vertical``.
    """

    title_zh = "词云（字号与词频成正比）"
    title_en = "Word cloud (font size proportional to frequency)"

    @classmethod
    def from_frequencies(cls, frequencies, max_words: int = 80, width: int = 800,
                         height: int = 500, prefer_horizontal: float = 0.9,
                         random_state: int = 0, font: str = "sans",
                         word: str = "feature", frequency: str = "frequency"):
        """Lay out a word cloud.

        Parameters
        ----------
        frequencies : dict or DataFrame
            ``{word: count}`` or a frame with ``feature`` and ``frequency`` columns
            (``textstat_frequency`` layout; names settable).
        random_state : int
            Layout seed (same seed -> same cloud).
        """
        from wordcloud import WordCloud

        if isinstance(frequencies, pd.DataFrame):
            f = as_frame(frequencies, (word, frequency), "frequencies")
            freq = dict(zip(f[word].astype(str), f[frequency].astype(float)))
        elif isinstance(frequencies, Mapping):
            freq = {str(k): float(v) for k, v in frequencies.items()}
        else:
            raise ParameterError("frequencies must be a dict or a DataFrame")
        freq = {k: v for k, v in freq.items() if v > 0 and k.strip()}
        if not freq:
            raise ParameterError("no positive frequencies to draw")
        # Layout uses the original OpenType font: same design and metrics as the
        # TrueType conversion used for drawing, and FreeType opens it ~6x faster.
        wc = WordCloud(font_path=str(cjk_font_source(font)), width=width, height=height,
                       max_words=max_words, prefer_horizontal=prefer_horizontal,
                       random_state=random_state, background_color="white",
                       color_func=_wc_color, collocations=False)
        wc.generate_from_frequencies(freq)
        rows = []
        for (w, _rel), size, (y, x), orient, _color in wc.layout_:
            rows.append((w, freq[w], int(size), int(x), int(y), orient is not None))
        data = pd.DataFrame(rows, columns=["word", "frequency", "font_px", "x", "y",
                                           "vertical"])
        disp = cls(data, max_words=max_words, width=width, height=height,
                   random_state=random_state, font=font)
        disp.wordcloud_ = wc
        return disp

    def plot(self, ax=None, preset: str = "single", raster: bool = False):
        """Draw the cloud; with ``ax=None`` the axes fill a figure of the cloud's shape,
        so font sizes map exactly onto wordcloud's layout."""
        import matplotlib.pyplot as plt
        from matplotlib.font_manager import FontProperties

        w, h = self.params_["width"], self.params_["height"]
        if ax is None:
            width_in = figure_size(preset)[0]     # an unknown preset is a one-line error
            fig = plt.figure(figsize=(width_in, width_in * h / w), layout="none")
            ax = fig.add_axes((0, 0, 1, 1))
        self.ax_, self.figure_ = ax, ax.figure
        ax.set_xlim(0, w)
        ax.set_ylim(h, 0)
        ax.set_axis_off()
        if raster:
            ax.imshow(self.wordcloud_.to_array(), extent=(0, w, h, 0))
            return self
        # wordcloud sizes are pixels of a w-pixel canvas; the axes are bbox.width inches
        # wide, so one canvas pixel is bbox.width * 72 / w points.
        ax.set_aspect("equal")
        self.figure_.canvas.draw()
        bbox = ax.get_window_extent()
        pt_per_px = min(bbox.width / w, bbox.height / h) / self.figure_.dpi * 72
        # the common cut first, the full font for rarer characters (as use_style does)
        fp = FontProperties(family=_register(self.params_["font"]))
        # Pillow's TransposedFont (used by wordcloud) puts the top-left of each word's
        # ink box at the layout position; matplotlib's "left/top" alignment of the
        # (rotated) text box does the same.
        for i, r in enumerate(self.data_.itertuples(index=False)):
            ax.text(r.x, r.y, r.word, fontproperties=fp, fontsize=r.font_px * pt_per_px,
                    rotation=90 if r.vertical else 0, ha="left", va="top",
                    color=_rank_color(i, len(self.data_)))
        return self


def _rank_color(i: int, n: int) -> str:
    # Frequent words darkest: readable and ordered in grayscale too.
    return PALETTE[0] if i < max(1, n // 5) else PALETTE[1] if i < n // 2 else PALETTE[2]


def _wc_color(word, font_size, position, orientation, random_state=None, **kw):
    return "rgb(0, 114, 178)"
