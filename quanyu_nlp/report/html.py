"""One self-contained HTML file per run.

Everything is inside the file: figures as inline SVG (or base64 PNG), tables as HTML,
the CSS, and a subset of Noto Sans CJK SC (WOFF2 in a ``data:`` URL) cut to exactly
the characters of the page, so the Chinese renders on a machine with no CJK font and
nothing is fetched from the network.  No JavaScript.

Examples
--------
>>> from quanyu_nlp.report import Report                     # doctest: +SKIP
>>> r = Report("演示运行报告")                               # doctest: +SKIP
>>> r.section("corpus").text("语料包含 10 篇文献。")          # doctest: +SKIP
>>> r.section("methods").methods(manifest)                  # doctest: +SKIP
>>> r.write("runs/demo/report.html")                        # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from .._io import atomic_write
from ..errors import ParameterError
from .fonts import REPORT_FONT_FAMILY, font_face_css
from .methods import methods_paragraph

__all__ = ["Report", "Section", "build_report", "STANDARD_SECTIONS"]

#: Standard sections of a run report: id -> (Chinese title, English title), in order.
STANDARD_SECTIONS: dict[str, tuple[str, str]] = {
    "corpus": ("语料概况", "Corpus summary"),
    "segmentation": ("分词说明", "Segmentation notes"),
    "coding": ("框架编码与证据", "Framework coding and evidence"),
    "topics": ("主题模型", "Topics"),
    "figures": ("图", "Figures"),
    "reliability": ("编码信度", "Reliability"),
    "methods": ("方法说明", "Methods"),
}

_CSS = """
:root{--ink:#1a1a1a;--muted:#5a5a5a;--rule:#d0d0d0;--accent:#0072B2}
html{font-family:'%(family)s','DejaVu Sans','Liberation Sans',sans-serif;color:var(--ink);
 background:#fff;line-height:1.7;font-size:16px}
body{max-width:60rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}
h1{font-size:1.7rem;margin:.2rem 0 .4rem;font-weight:700}
h2{font-size:1.3rem;border-bottom:1px solid var(--rule);padding-bottom:.2rem;margin-top:2.2rem}
h2 .en,h1 .en{color:var(--muted);font-size:.8em;font-weight:400;margin-left:.5em}
.meta{color:var(--muted);font-size:.9rem}
nav ol{columns:2;padding-left:1.2rem}
nav a{color:var(--accent);text-decoration:none}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.92rem}
th,td{border-top:1px solid var(--rule);border-bottom:1px solid var(--rule);padding:.25rem .6rem;
 text-align:left;vertical-align:top}
thead th{border-bottom:2px solid var(--ink);background:#f4f4f4}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
caption,figcaption{caption-side:top;text-align:left;color:var(--muted);font-size:.9rem;
 padding:.2rem 0}
figure{margin:1rem 0 1.6rem}
figure svg,figure img{max-width:100%%;height:auto}
svg text{font-family:'%(family)s','DejaVu Sans',sans-serif !important}
blockquote{margin:.6rem 0;padding:.3rem .9rem;border-left:3px solid var(--accent);
 background:#f7f9fb}
blockquote p{margin:.2rem 0}
blockquote footer{color:var(--muted);font-size:.85rem}
.tag{display:inline-block;font-size:.8rem;border:1px solid var(--rule);border-radius:3px;
 padding:0 .35rem;margin-right:.3rem;color:var(--muted)}
.methods p{text-align:justify}
footer.page{margin-top:3rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--rule);
 padding-top:.6rem}
@media print{nav{display:none}body{max-width:none}}
"""


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _number(v: float, digits: int) -> str:
    """A float for a table cell: ``digits`` decimals without trailing zeros, and no
    rounding artefacts a reader would misread.

    Rounding made -0.0003 read "-0" and a p-value of 1e-12 read "0", as if exact; such
    values read "<0.001" (or ">-0.001"), as in a paper, and infinities read ∞.
    """
    if pd.isna(v):
        return ""
    if v in (float("inf"), float("-inf")):
        return "∞" if v > 0 else "-∞"
    if v == 0:
        return "0"
    if abs(v) < 0.5 * 10 ** -digits:
        bound = f"{10 ** -digits:.{digits}f}"
        return f"<{bound}" if v > 0 else f">-{bound}"
    out = f"{v:.{digits}f}"
    return out.rstrip("0").rstrip(".") if "." in out else out


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make the ids of one inline SVG unique within the page.

    matplotlib ids (figure_1, axes_1, clip paths, hatch patterns) repeat across
    figures; two inline figures sharing an id is invalid HTML and lets one figure's
    ``url(#…)`` pick up another's clip path or pattern.
    """
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)


def _svg_of(fig, prefix: str) -> str:
    """Inline SVG of a matplotlib figure with ids made unique within the page."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return _prefix_ids(svg, prefix)



def _png_of(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class Section:
    """One section of a report; methods append blocks and return the section."""

    def __init__(self, report: "Report", id: str, title: str, title_en: str = ""):
        self.report = report
        self.id = id
        self.title = title
        self.title_en = title_en
        self.blocks: list[str] = []

    def text(self, *paragraphs: str) -> "Section":
        """Plain-text paragraphs (escaped; blank lines split paragraphs)."""
        for para in paragraphs:
            for p in re.split(r"\n\s*\n", str(para).strip()):
                if p:
                    self.blocks.append(f"<p>{_esc(p)}</p>")
        return self

    def items(self, mapping: Mapping[str, Any], caption: str | None = None) -> "Section":
        """A two-column key/value table (e.g. corpus summary numbers)."""
        rows = "".join(f"<tr><th scope='row'>{_esc(k)}</th><td>{_esc(v)}</td></tr>"
                       for k, v in mapping.items())
        cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
        self.blocks.append(f"<table class='kv'>{cap}<tbody>{rows}</tbody></table>")
        return self

    def table(self, frame: pd.DataFrame, caption: str | None = None, max_rows: int = 200,
              digits: int = 3, index: bool = False) -> "Section":
        """A DataFrame as an HTML table (numbers right-aligned, at most ``max_rows``)."""
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError("table() takes a pandas DataFrame")
        shown = frame.head(max_rows)
        if index:
            shown = shown.reset_index()
        num = [pd.api.types.is_numeric_dtype(shown[c]) for c in shown.columns]
        head = "".join(f"<th class='{'num' if n else ''}'>{_esc(c)}</th>"
                       for c, n in zip(shown.columns, num))
        body = []
        for row in shown.itertuples(index=False):
            cells = []
            for v, n in zip(row, num):
                if n and isinstance(v, float):
                    v = _number(v, digits)
                cells.append(f"<td class='{'num' if n else ''}'>{_esc(v)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        note = (f"<p class='meta'>显示前 {max_rows} 行，共 {len(frame)} 行 / first {max_rows} "
                f"of {len(frame)} rows</p>") if len(frame) > max_rows else ""
        cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
        self.blocks.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>"
                           f"{''.join(body)}</tbody></table>{note}")
        return self

    def figure(self, fig, caption: str | None = None, fmt: str = "svg",
               alt: str | None = None) -> "Section":
        """Inline a figure: a display (uses ``figure_``, plotting if needed), a
        matplotlib Figure, or a path to an ``.svg`` / ``.png`` file."""
        if fmt not in ("svg", "png"):
            raise ParameterError("fmt must be 'svg' or 'png'")
        if caption is None and hasattr(fig, "caption"):
            caption = fig.caption()
        if hasattr(fig, "plot") and hasattr(fig, "figure_"):
            if fig.figure_ is None:
                fig.plot()
            fig = fig.figure_
        n = self.report._next_figure()
        if isinstance(fig, (str, Path)):
            path = Path(fig)
            if path.suffix.lower() == ".svg":
                svg = path.read_text(encoding="utf-8")
                body = _prefix_ids(svg[svg.index("<svg"):], f"f{n}")
            elif path.suffix.lower() == ".png":
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                body = (f"<img src='data:image/png;base64,{data}' "
                        f"alt='{_esc(alt or caption or path.stem)}'>")
            else:
                raise ParameterError(f"figure file {path} must be .svg or .png")
        elif fmt == "svg":
            body = _svg_of(fig, f"f{n}")
        else:
            body = f"<img src='{_png_of(fig)}' alt='{_esc(alt or caption or '')}'>"
        cap = f"<figcaption>图 {n}　{_esc(caption)}</figcaption>" if caption else ""
        self.blocks.append(f"<figure id='fig-{n}'>{cap}{body}</figure>")
        return self

    def quotes(self, evidence: pd.DataFrame, quote: str = "quote",
               citation: str = "citation", tags: Sequence[str] = ("dimension", "category"),
               max_quotes: int = 50) -> "Section":
        """Evidence quotes as block quotes with their citation and category tags.

        ``evidence`` needs columns ``quote`` and ``citation``; ``tags`` columns that
        exist are shown as small labels.
        """
        from ..viz._base import as_frame

        ev = as_frame(evidence, (quote, citation), "evidence")
        for row in ev.head(max_quotes).to_dict("records"):
            tag_html = "".join(f"<span class='tag'>{_esc(row[t])}</span>" for t in tags
                               if t in row and pd.notna(row[t]))
            self.blocks.append(f"<blockquote><p>{tag_html}“{_esc(row[quote])}”</p>"
                               f"<footer>—— {_esc(row[citation])}</footer></blockquote>")
        return self

    def methods(self, manifest: Mapping) -> "Section":
        """The methods paragraph (Chinese and English) written from a run manifest."""
        zh, en = methods_paragraph(manifest)
        self.blocks.append(f"<div class='methods'><p lang='zh-CN'>{_esc(zh)}</p>"
                           f"<p lang='en'>{_esc(en)}</p></div>")
        return self

    def html(self, fragment: str) -> "Section":
        """Append a trusted HTML fragment as is (no scripts: the page has no JS)."""
        if re.search(r"<\s*script|\bsrc\s*=\s*['\"]?https?:", fragment, re.I):
            raise ParameterError("html() fragments may not contain scripts or remote "
                                 "resources: the report is self-contained")
        self.blocks.append(fragment)
        return self

    def render(self) -> str:
        en = f"<span class='en'>{_esc(self.title_en)}</span>" if self.title_en else ""
        return (f"<section id='{_esc(self.id)}'><h2>{_esc(self.title)}{en}</h2>"
                + "\n".join(self.blocks) + "</section>")


class Report:
    """An HTML report of a run, built section by section.

    Parameters
    ----------
    title : str
        Page title (shown as the heading).
    lang : str
        ``lang`` attribute of the page (``"zh-CN"`` by default).
    subtitle : str, optional
        A line under the title (e.g. run id and date).
    """

    def __init__(self, title: str = "运行报告", lang: str = "zh-CN",
                 subtitle: str | None = None):
        self.title = title
        self.lang = lang
        self.subtitle = subtitle
        self.sections: dict[str, Section] = {}
        self._figures = 0

    def _next_figure(self) -> int:
        self._figures += 1
        return self._figures

    def section(self, id: str, title: str | None = None, title_en: str | None = None
                ) -> Section:
        """Return the section ``id``, creating it (standard ids get standard titles)."""
        if id in self.sections:
            return self.sections[id]
        if not re.fullmatch(r"[A-Za-z][\w-]*", id):
            raise ParameterError(f"section id {id!r} must be letters, digits, '-' or '_' "
                                 "and start with a letter")
        std = STANDARD_SECTIONS.get(id, (id, ""))
        sec = Section(self, id, title or std[0], title_en if title_en is not None else std[1])
        self.sections[id] = sec
        return sec

    def _ordered_sections(self) -> list[Section]:
        std = [self.sections[k] for k in STANDARD_SECTIONS if k in self.sections]
        extra = [s for k, s in self.sections.items() if k not in STANDARD_SECTIONS]
        # Custom sections go before the methods section, which always closes the page.
        if std and std[-1].id == "methods":
            return std[:-1] + extra + std[-1:]
        return std + extra

    def to_html(self) -> str:
        """The complete page as a string."""
        from .. import __version__

        secs = self._ordered_sections()
        nav = "".join(f"<li><a href='#{_esc(s.id)}'>{_esc(s.title)}</a></li>" for s in secs)
        sub = f"<p class='meta'>{_esc(self.subtitle)}</p>" if self.subtitle else ""
        body = (f"<header><h1>{_esc(self.title)}</h1>{sub}</header>"
                f"<nav aria-label='目录'><ol>{nav}</ol></nav>"
                + "\n".join(s.render() for s in secs)
                + f"<footer class='page'>由 quanyu_nlp {_esc(__version__)} 生成 · "
                  f"Generated by quanyu_nlp {_esc(__version__)} · 字体 Font: Noto Sans CJK "
                  "SC (SIL Open Font License 1.1), subset embedded</footer>")
        # The font is cut to the characters of the page; markup characters are ASCII
        # and always kept, so taking the unescaped text of the whole body is enough.
        chars = html.unescape(re.sub(r"<[^>]+>", " ", body)) + self.title
        css = font_face_css(chars) + _CSS % {"family": REPORT_FONT_FAMILY}
        return ("<!DOCTYPE html>\n"
                f"<html lang='{_esc(self.lang)}'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
                "style-src 'unsafe-inline'; img-src data:; font-src data:\">"
                f"<title>{_esc(self.title)}</title><style>{css}</style></head>"
                f"<body>{body}</body></html>\n")

    def write(self, path: str | Path) -> Path:
        """Write the page atomically to ``path`` and return the path."""
        return atomic_write(path, self.to_html())


_BLOCKS = ("text", "items", "table", "figure", "quotes", "methods", "html")


def build_report(sections: Iterable[Mapping] | Mapping[str, Sequence], path: str | Path,
                 title: str = "运行报告", lang: str = "zh-CN",
                 subtitle: str | None = None) -> Path:
    """Build and write a report from a plain description of its sections.

    Parameters
    ----------
    sections : list of dict, or dict
        Each section is ``{"id": "coding", "title": ..., "blocks": [(kind, value, {opts}),
        ...]}`` where kind is one of ``text, items, table, figure, quotes, methods,
        html`` and the value is what the :class:`Section` method of that name takes.
        A dict ``{id: blocks}`` is accepted too.
    path : str or Path
        Output file (written atomically).

    Returns
    -------
    pathlib.Path
    """
    report = Report(title, lang=lang, subtitle=subtitle)
    items = ([{"id": k, "blocks": v} for k, v in sections.items()]
             if isinstance(sections, Mapping) else list(sections))
    for spec in items:
        sec = report.section(spec["id"], spec.get("title"), spec.get("title_en"))
        for block in spec.get("blocks", []):
            kind, value, *rest = block
            if kind not in _BLOCKS:
                raise ParameterError(f"section {spec['id']!r}: unknown block kind {kind!r}; "
                                     f"use one of {', '.join(_BLOCKS)}")
            opts = rest[0] if rest else {}
            getattr(sec, kind)(value, **opts)
    return report.write(path)
