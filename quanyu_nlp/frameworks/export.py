"""Export a framework as a paper's appendix (Markdown) or a coding manual (XLSX).

Both writers go through :mod:`quanyu_nlp._io`, so a failed export never leaves a
half-written file behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._io import atomic_output, atomic_write
from ..errors import OutputError
from .loader import load_framework
from .model import Framework

__all__ = ["framework_to_markdown", "framework_to_xlsx"]

# Headings follow the codebook's language: a Chinese codebook becomes a Chinese appendix.
_TEXT = {
    "zh": {"dimension": "维度", "category": "类目", "id": "代码", "definition": "定义",
           "include": "包括", "exclude": "不包括", "seeds": "种子词（示例）", "seeds_all": "种子词",
           "exemplars": "例句", "tie_breaks": "裁决规则", "none": "不属于任何类目的单元编码为",
           "none_label": "“无”标签", "version": "版本",
           "hash": "内容哈希", "overview": "概览", "n_cat": "类目数", "multi": "可多选",
           "field": "项目", "value": "内容", "label": "名称", "description": "说明",
           "yes": "是", "no": "否", "sep": "；", "term_sep": "、",
           "appendix": "附录　编码框架", "citation": "文献来源", "none_row": "（以上皆非）",
           "colon": "：", "quote": "“”", "stop": "。"},
    "en": {"dimension": "Dimension", "category": "Category", "id": "ID",
           "definition": "Definition", "include": "Include", "exclude": "Exclude",
           "seeds": "Seed terms (examples)", "seeds_all": "Seed terms",
           "exemplars": "Exemplars",
           "tie_breaks": "Tie-breaks", "none": "Units fitting no category are coded",
           "none_label": "None label", "version": "Version", "hash": "Content hash",
           "overview": "overview",
           "n_cat": "Categories", "multi": "Multi-label", "field": "Field",
           "value": "Value", "label": "Label", "description": "Description", "yes": "yes",
           "no": "no", "sep": "; ", "term_sep": ", ", "appendix": "Appendix: coding framework",
           "citation": "Source", "none_row": "(none of the above)", "colon": ": ",
           "quote": "\u201c\u201d", "stop": "."},
}


def _text(fw: Framework) -> dict[str, str]:
    return _TEXT["zh" if fw.language.lower().startswith("zh") else "en"]


def _cell(text: str) -> str:
    """Make ``text`` safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def framework_to_markdown(fw: Framework | str | os.PathLike, path: str | os.PathLike | None = None,
                          *, n_seed_terms: int = 12, n_exemplars: int = 0) -> str:
    """Render a framework as Markdown for a paper's appendix.

    Per dimension: its description, a table of categories (label, id, definition,
    include / exclude notes, the first ``n_seed_terms`` seed terms), the none label and
    the tie-break rules; the citation of the codebook's source at the top.

    Parameters
    ----------
    fw : Framework, str or path-like
        A framework or anything :func:`load_framework` accepts.
    path : str or path-like, optional
        Write the Markdown there (atomically) as UTF-8.
    n_seed_terms : int, default 12
        How many seed terms per category to show (0 hides the column).
    n_exemplars : int, default 0
        How many exemplar sentences per category to list under the table.

    Returns
    -------
    str
        The Markdown text.

    Examples
    --------
    >>> md = framework_to_markdown("quanyu")
    >>> "| 政治引领 |" in md
    True
    """
    fw = load_framework(fw)
    t = _text(fw)
    colon, q = t["colon"], t["quote"]
    out: list[str] = [f"# {t['appendix']}{colon}{fw.title or fw.name}", ""]
    out.append(f"- {t['version']}{colon}{fw.version}")
    if fw.citation:
        out.append(f"- {t['citation']}{colon}{fw.citation}")
    out += [f"- {t['hash']}{colon}`{fw.hash[:12]}`", ""]
    if fw.description:
        out += [fw.description, ""]
    for n, d in enumerate(fw.dimensions, start=1):
        out += [f"## {t['dimension']} {n}{colon}{d.label} (`{d.id}`)", ""]
        if d.description:
            out += [d.description, ""]
        cols = [t["category"], t["id"], t["definition"], t["include"], t["exclude"]]
        if n_seed_terms:
            cols.append(t["seeds"])
        out.append("| " + " | ".join(cols) + " |")
        out.append("|" + "---|" * len(cols))
        for c in d.categories:
            row = [c.label, f"`{c.id}`", c.definition, t["sep"].join(c.include),
                   t["sep"].join(c.exclude)]
            if n_seed_terms:
                row.append(t["term_sep"].join(c.seed_terms[:n_seed_terms]))
            out.append("| " + " | ".join(_cell(x) for x in row) + " |")
        out += ["", f"{t['none']}{q[0]}{d.none_label}{q[1]}{t['stop']}", ""]
        if d.tie_breaks:
            out += [f"**{t['tie_breaks']}**", ""]
            out += [f"{k}. {_cell(rule)}" for k, rule in enumerate(d.tie_breaks, start=1)]
            out.append("")
        if n_exemplars:
            out += [f"**{t['exemplars']}**", ""]
            for c in d.categories:
                out += [f"- {c.label}{colon}{_cell(s)}" for s in c.exemplars[:n_exemplars]]
            out += [f"- {d.none_label}{colon}{_cell(s)}"
                    for s in d.negative_exemplars[:n_exemplars]]
            out.append("")
    text = "\n".join(out).rstrip() + "\n"
    if path is not None:
        atomic_write(path, text, suffix=".md")
    return text


def _sheet_names(fw: Framework, overview: str) -> dict[str, str]:
    """Excel sheet names: at most 31 characters, unique, none equal to the overview."""
    names: dict[str, str] = {}
    used = {overview.lower()}
    for d in fw.dimensions:
        base = d.id[:31]
        name, k = base, 2
        while name.lower() in used:
            suffix = f"_{k}"
            name, k = base[: 31 - len(suffix)] + suffix, k + 1
        used.add(name.lower())
        names[d.id] = name
    return names


def framework_to_xlsx(fw: Framework | str | os.PathLike, path: str | os.PathLike) -> Path:
    """Write a framework as a coding manual workbook for human coders.

    The first sheet (``概览`` / ``overview``) holds the name, title, version, citation,
    hash and a table of dimensions.  Then one sheet per dimension (named by its id):
    a row per category with label, id, definition, include / exclude notes, all seed
    terms and all exemplars, a last row for the none label with the negative
    exemplars, and below it the tie-break rules.

    Parameters
    ----------
    fw : Framework, str or path-like
        A framework or anything :func:`load_framework` accepts.
    path : str or path-like
        The ``.xlsx`` file to write (atomically).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> framework_to_xlsx("quanyu", "quanyu-codebook.xlsx")   # doctest: +SKIP
    >>> pd.read_excel("quanyu-codebook.xlsx", sheet_name="leadership")   # doctest: +SKIP
    """
    import pandas as pd
    from openpyxl.styles import Alignment, Font

    fw = load_framework(fw)
    t = _text(fw)
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(f"cannot write the coding manual to {target}: the file name must end "
                          "in .xlsx; choose e.g. codebook.xlsx")
    overview = t["overview"]
    sheets = _sheet_names(fw, overview)
    meta = pd.DataFrame({t["field"]: ["name", "title", "version", "citation", "description",
                                      "language", "hash"],
                         t["value"]: [fw.name, fw.title, fw.version, fw.citation,
                                      fw.description, fw.language, fw.hash]})
    dims = pd.DataFrame({
        t["dimension"]: [d.id for d in fw.dimensions],
        t["label"]: [d.label for d in fw.dimensions],
        t["description"]: [d.description for d in fw.dimensions],
        t["n_cat"]: [len(d.categories) for d in fw.dimensions],
        t["none_label"]: [d.none_label for d in fw.dimensions],
        t["multi"]: [t["yes"] if d.multi_label else t["no"] for d in fw.dimensions],
    })
    columns = [t["category"], t["id"], t["definition"], t["include"], t["exclude"],
               t["seeds_all"], t["exemplars"]]
    with atomic_output(target, hint_suffix=".xlsx") as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            meta.to_excel(writer, sheet_name=overview, index=False)
            dims.to_excel(writer, sheet_name=overview, index=False, startrow=len(meta) + 2)
            for d in fw.dimensions:
                rows = [[c.label, c.id, c.definition, "\n".join(c.include),
                         "\n".join(c.exclude), t["term_sep"].join(c.seed_terms),
                         "\n".join(c.exemplars)] for c in d.categories]
                rows.append([d.none_label, "", t["none_row"], "", "", "",
                             "\n".join(d.negative_exemplars)])
                frame = pd.DataFrame(rows, columns=columns)
                frame.to_excel(writer, sheet_name=sheets[d.id], index=False)
                if d.tie_breaks:
                    rules = pd.DataFrame({t["tie_breaks"]: list(d.tie_breaks)})
                    rules.to_excel(writer, sheet_name=sheets[d.id], index=False,
                                   startrow=len(frame) + 2)
            # Column widths and wrapping make the manual readable when opened in Excel/WPS.
            wrap = Alignment(wrap_text=True, vertical="top")
            for name, ws in writer.sheets.items():
                widths = ([12, 90] if name == overview
                          else [12, 14, 50, 36, 36, 50, 70])
                for k, w in enumerate(widths):
                    ws.column_dimensions[chr(ord("A") + k)].width = w
                for row in ws.iter_rows():
                    for cell in row:
                        cell.alignment = wrap
                for cell in ws[1]:
                    cell.font = Font(bold=True)
    return target
