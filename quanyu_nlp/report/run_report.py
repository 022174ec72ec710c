"""The HTML report of an experiment run, assembled from the run's tables and figures.

The runner hands over what it made (tables, figure bundles, the manifest); this module
decides what a reader of the report sees and in which order.  It reads nothing else, so
the report shows exactly the numbers in ``tables/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .html import Report

__all__ = ["build_run_report"]


def _caption(svg: Path) -> str:
    cap = svg.with_suffix(".caption.txt")
    if cap.exists():
        first = cap.read_text(encoding="utf-8").strip().split("\n\n")[0]
        return " ".join(first.split())
    return svg.stem


def _topic_summary(topics: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """One row per topic: its label and top terms joined, easier to read than long form.

    The label matters most for seeded topics, where it is the framework category the
    topic was seeded with; without it the reader cannot tell which topic is which.
    """
    t = topics.sort_values(["topic", "rank"])
    rows = []
    for topic, g in t.groupby("topic", sort=True):
        terms = "、".join(map(str, g["term"].head(n)))
        row = {"topic": topic}
        if "label" in g.columns:
            row["标签 label"] = str(g["label"].iloc[0])
        row["高权重词 top terms"] = terms
        rows.append(row)
    return pd.DataFrame(rows)


_INTERCEPT = ("intercept", "(intercept)", "const")

# Where each figure of a run goes, in reading order: (file-name prefix, section).
_FIGURE_PLACES = [("keyness", "segmentation"), ("wordcloud", "segmentation"),
                  ("framework_distribution", "coding"), ("framework_by_", "coding"),
                  ("share_over_time_", "coding"), ("k_selection", "topics"),
                  ("topic_terms", "topics"), ("topic_effects", "topics"),
                  ("reliability", "reliability")]


def _figures_by_section(figures_dir: Path) -> dict[str, list[Path]]:
    """The run's SVGs grouped by the section they illustrate (others: ``figures``)."""
    out: dict[str, list[Path]] = {}
    svgs = sorted(Path(figures_dir).glob("*.svg"))
    placed: set[Path] = set()
    for prefix, section in _FIGURE_PLACES:
        for svg in svgs:
            if svg.name.startswith(prefix) and svg not in placed:
                out.setdefault(section, []).append(svg)
                placed.add(svg)
    rest = [svg for svg in svgs if svg not in placed]
    if rest:
        out["figures"] = rest
    return out


def _effects_table(eff: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Topics × model terms, each cell ``estimate [low, high]``: all topics on one
    screen, patsy names in words, the intercept (a share at year 0) left out."""
    from ..viz.displays import _term_label
    from .html import _number

    e = eff[~eff["term"].astype(str).str.lower().isin(_INTERCEPT)].copy()
    e["cell"] = [f"{_number(a, digits)} [{_number(b, digits)}, {_number(c, digits)}]"
                 for a, b, c in zip(e["estimate"], e["ci_low"], e["ci_high"])]
    e["term_label"] = e["term"].map(_term_label)
    order = list(dict.fromkeys(e["term_label"]))
    index = ["topic", "label"] if "label" in e.columns else ["topic"]
    wide = e.pivot_table(index=index, columns="term_label", values="cell", aggfunc="first",
                         sort=False)
    return wide[order].reset_index().rename(columns={"label": "标签 label"})


def _effects_caption(eff: pd.DataFrame) -> str:
    a = dict(getattr(eff, "attrs", {}) or {})
    level = a.get("level", 0.95)
    unit = "主题比例的变化" if a.get("link", "identity") == "identity" else "主题对数几率的变化"
    unit_en = "change in topic share" if a.get("link", "identity") == "identity" \
        else "change in log-odds"
    how = a.get("method", "")
    if a.get("n_boot"):
        how += f"，{a['n_boot']} 次"
    refs = "；".join(f"{k} 以“{v}”为参照" for k, v in (a.get("reference_levels") or {}).items())
    parts = [f"估计值 [{level:.0%} 区间]，单位：{unit}"]
    if how:
        parts.append(f"方法 {how}")
    if a.get("formula"):
        parts.append(f"公式 {a['formula']}")
    if refs:
        parts.append(refs)
    return ("文档变量对主题比例的效应（" + "；".join(parts) + "）/ Effects of document "
            f"variables: estimate [{level:.0%} interval], {unit_en}; full table "
            "tables/topic_effects.csv")


def _keyness_caption(explore: Mapping | None) -> str:
    """Say what the keyness table compares: one value of a variable vs the rest."""
    e = explore or {}
    if not e.get("keyness_by"):
        return "关键词性 / Keyness (target vs reference)"
    stat = e.get("keyness_measure") or "G2"
    target = f"{e['keyness_by']} = {e.get('keyness_target')}"
    return (f"关键词性：{target} 的文档与其余全部文档，按 {stat} 降序 / Keyness: documents "
            f"with {target} vs all other documents, by descending {stat}")


def _topic_unit_note(topics: Mapping | None) -> str:
    """The units the topic model was fit on, which may differ from the coding units."""
    t = topics or {}
    unit, n = t.get("unit"), t.get("n_units")
    if not unit:
        return ""
    zh = {"documents": "篇文档", "paragraphs": "个段落"}.get(unit, unit)
    count = f"{n} " if n is not None else ""
    return f"（建模单元：{count}{zh} / fit on {count}{unit}）"


def _reliability_rows(rel: pd.DataFrame) -> pd.DataFrame:
    """Drop pooled ``all`` rows that only repeat the single coder pair of a dimension."""
    if not {"coder_a", "coder_b", "dimension"} <= set(rel.columns):
        return rel
    pooled = (rel["coder_a"] == "all") & (rel["coder_b"] == "all")
    pairs = rel[~pooled].groupby("dimension")["coder_a"].size()
    single = rel["dimension"].map(pairs).fillna(0) <= 1
    return rel[~(pooled & single)].reset_index(drop=True)


_RELIABILITY_HEADERS = {"dimension": "维度 dimension", "coder_a": "编码者 A",
                        "coder_b": "编码者 B", "n_units": "单元数 units",
                        "percent_agreement": "一致率 agreement", "cohen_kappa": "Cohen's κ",
                        "krippendorff_alpha": "Krippendorff's α"}


def _crosstabs(counts: pd.DataFrame, order: list[str] | None = None
               ) -> list[tuple[str, pd.DataFrame]]:
    """Category × each document variable, as readers of a paper expect to see it.

    ``counts`` is the long evidence-count table (variables…, dimension, category, n).
    """
    if "n" not in counts.columns or "category" not in counts.columns:
        return [("", counts.head(40))]
    by = list(counts.columns[:list(counts.columns).index("dimension")]) \
        if "dimension" in counts.columns else []
    out = []
    for var in by:
        t = counts.pivot_table(index=var, columns="category", values="n", aggfunc="sum",
                               fill_value=0, observed=True)
        if order:  # codebook order, as in the figures
            t = t[[c for c in order if c in t.columns] + [c for c in t.columns
                                                         if c not in order]]
        share = t.div(t.sum(axis=1), axis=0)
        pct = (share * 100).round(0).astype(int).astype(str)
        cells = t.astype(int).astype(str) + " (" + pct + "%)"
        out.append((var, cells.reset_index()))
    return out or [("", counts.head(40))]


def build_run_report(tables: Mapping[str, pd.DataFrame], figures_dir: Path,
                     manifest: Mapping[str, Any], path: Path, title: str = "") -> Path:
    """Write ``report.html`` for a run.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        The run's tables, by name (``codings``, ``topics``, ``evidence_quotes_<dim>`` …).
    figures_dir : Path
        The run's ``figures/`` folder with the figure bundles.
    manifest : mapping
        The run manifest (for the methods paragraph and the corpus summary).
    path : Path
        Where to write the page (atomically).
    title : str
        Page title.
    """
    T = tables
    corpus = manifest.get("corpus") or {}
    fw = manifest.get("framework") or {}
    dim_labels = dict(fw.get("dimension_labels") or {})

    def dim(d) -> str:
        return str(dim_labels.get(d, d))

    figures = _figures_by_section(Path(figures_dir))

    def add_figures(sec, section: str) -> None:
        for svg in figures.pop(section, []):
            sec.figure(svg, caption=_caption(svg))

    rep = Report(title or f"运行报告 · {manifest.get('experiment', '')}",
                 subtitle=f"run {manifest.get('run_id', '')} · config "
                          f"{str(manifest.get('config_hash', ''))[:12]} · corpus "
                          f"{str(corpus.get('hash', ''))[:12]}")

    sec = rep.section("corpus")
    sec.items({"文档数 documents": corpus.get("n_documents"),
               "分析单元 units": f"{corpus.get('n_units')} {corpus.get('level', '')}",
               "语料位置 path": corpus.get("path"),
               "语料哈希 content hash": corpus.get("hash")}, caption="语料 / Corpus")
    if "corpus_summary" in T:
        sec.table(T["corpus_summary"], caption="各文档变量的文档数 / Documents by variable")

    seg = manifest.get("segment") or {}
    sec = rep.section("segmentation")
    lex = "启用" if seg.get("lexicon") else "未启用"
    sec.text(f"分词引擎 {seg.get('backend', '')}；党建词典 {lex}"
             f"（版本 {seg.get('lexicon_version', '')}）。"
             "领域术语（如 组织力、两个维护、党建联合体）"
             "作为整词保留。")
    if "frequency" in T:
        freq = T["frequency"]
        if "group" in freq.columns and set(freq["group"].astype(str)) == {"all"}:
            freq = freq.drop(columns="group")      # one group: the column says nothing
        sec.table(freq.head(30), caption="高频词 / Most frequent terms")
    if "keyness" in T:
        sec.table(T["keyness"].head(15), caption=_keyness_caption(manifest.get("explore")))
    for name in sorted(k for k in T if k.startswith("kwic_")):
        cols = [c for c in ("doc_id", "pre", "keyword", "post") if c in T[name].columns]
        words = "、".join(dict.fromkeys(T[name]["keyword"].astype(str))) \
            if "keyword" in T[name].columns and len(T[name]) else name
        sec.table(T[name][cols].head(10), caption=f"关键词语境：{words}（前 10 条；完整表 "
                                                  f"tables/{name}.csv）/ KWIC: {words}")
    add_figures(sec, "segmentation")

    if "coding_counts" in T:
        sec = rep.section("coding")
        counts = T["coding_counts"]
        if "dimension" in counts.columns and dim_labels:
            counts = counts.assign(dimension=counts["dimension"].map(dim))
        sec.table(counts, caption="各类目的单元数 / Units per category")
        for name in sorted(k for k in T if k.startswith("evidence_counts_")):
            d = name[16:]
            order = (fw.get("labels") or {}).get(d)
            for var, wide in _crosstabs(T[name], order):
                sec.table(wide, caption=f"{dim(d)} × {var}：单元数（行内占比）/ units "
                                        f"(share within {var}); 完整表 tables/{name}.csv")
        add_figures(sec, "coding")
        for name in sorted(k for k in T if k.startswith("evidence_quotes_")):
            q = T[name]
            if len(q):
                if "dimension" in q.columns and dim_labels:
                    q = q.assign(dimension=q["dimension"].map(dim))
                sec.text(f"引文（{dim(name[16:])}）/ Quotes ({name[16:]})")
                sec.quotes(q, max_quotes=30)

    if "topics" in T:
        sec = rep.section("topics")
        chosen = (manifest.get("topics") or {}).get("k", manifest.get("topics_k"))
        if "k_selection" in T:
            from ..viz.displays import METRIC_LABELS

            ks = T["k_selection"].rename(columns=dict(
                METRIC_LABELS, **{f"{m}_sd": f"{m.upper()} 标准差 sd" for m in ("npmi", "c_v")}))
            note = f"；本次选定 K = {chosen}" if chosen is not None else ""
            sec.table(ks, caption=f"主题数选择（各随机种子的均值{note}）/ Choosing K (means "
                                  f"over seeds{'; chosen K = ' + str(chosen) if note else ''})")
        sec.table(_topic_summary(T["topics"]), caption="主题与高权重词 / Topics and top terms"
                  + _topic_unit_note(manifest.get("topics")))
        if "seeded_topics" in T:
            sec.table(_topic_summary(T["seeded_topics"]),
                      caption="框架种子主题 / Framework-seeded topics")
        if "topic_effects" in T:
            eff = T["topic_effects"]
            sec.table(_effects_table(eff), caption=_effects_caption(eff))
        add_figures(sec, "topics")

    if figures.get("figures"):
        sec = rep.section("figures")
        add_figures(sec, "figures")

    sec = rep.section("reliability")
    if "reliability" in T:
        rel = _reliability_rows(T["reliability"])
        if "dimension" in rel.columns and dim_labels:
            rel = rel.assign(dimension=rel["dimension"].map(dim))
        sec.table(rel.rename(columns=_RELIABILITY_HEADERS),
                  caption="编码信度（模型与人工编码者）/ Reliability: model vs human coders")
        add_figures(sec, "reliability")
    else:
        sec.text("本次运行未提供人工编码表，未计算信度。可用 sample_for_coding 生成编码表，"
                 "人工编码后在配置 [coding] human_sheets 中给出。 / No hand-coded sheets were "
                 "given, so no reliability was computed.")
    for section, rest in figures.items():   # a figure whose section had no tables
        for svg in rest:
            rep.section(section).figure(svg, caption=_caption(svg))

    rep.section("methods").methods(manifest)
    return rep.write(path)
