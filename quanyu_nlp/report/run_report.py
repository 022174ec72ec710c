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
    """One row per topic: its label and top terms joined, easier to read than long form."""
    t = topics.sort_values(["topic", "rank"])
    rows = []
    for topic, g in t.groupby("topic", sort=True):
        terms = "、".join(map(str, g["term"].head(n)))
        rows.append({"topic": topic, "top terms / 高权重词": terms})
    return pd.DataFrame(rows)


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
        sec.table(T["frequency"].head(30), caption="高频词 / Most frequent terms")
    if "keyness" in T:
        sec.table(T["keyness"].head(15), caption="关键性 / Keyness (target vs reference)")
    for name in sorted(k for k in T if k.startswith("kwic_")):
        cols = [c for c in ("doc_id", "pre", "keyword", "post") if c in T[name].columns]
        sec.table(T[name][cols].head(10), caption=f"关键词语境 / KWIC ({name})")

    if "coding_counts" in T:
        sec = rep.section("coding")
        sec.table(T["coding_counts"], caption="各类目的单元数 / Units per category")
        for name in sorted(k for k in T if k.startswith("evidence_counts_")):
            dim = name[16:]
            order = ((manifest.get("framework") or {}).get("labels") or {}).get(dim)
            for var, wide in _crosstabs(T[name], order):
                sec.table(wide, caption=f"{name[16:]} × {var}：单元数（行内占比）/ units "
                                        f"(share within {var}); 完整表 tables/{name}.csv")
        for name in sorted(k for k in T if k.startswith("evidence_quotes_")):
            q = T[name]
            if len(q):
                sec.text(f"引文（{name[16:]}）/ Quotes ({name[16:]})")
                sec.quotes(q, max_quotes=30)

    if "topics" in T:
        sec = rep.section("topics")
        if "k_selection" in T:
            sec.table(T["k_selection"], caption="主题数选择 / Choosing K")
        sec.table(_topic_summary(T["topics"]), caption="主题与高权重词 / Topics and top terms")
        if "seeded_topics" in T:
            sec.table(_topic_summary(T["seeded_topics"]),
                      caption="框架种子主题 / Framework-seeded topics")
        if "topic_effects" in T:
            sec.table(T["topic_effects"].head(60),
                      caption="文档变量对主题比例的效应 / Effects of document variables")

    svgs = sorted(Path(figures_dir).glob("*.svg"))
    if svgs:
        sec = rep.section("figures")
        for svg in svgs:
            sec.figure(svg, caption=_caption(svg))

    sec = rep.section("reliability")
    if "reliability" in T:
        sec.table(T["reliability"], caption="编码信度 / Reliability (kappa, alpha, agreement)")
    else:
        sec.text("本次运行未提供人工编码表，未计算信度。可用 sample_for_coding 生成编码表，"
                 "人工编码后在配置 [coding] human_sheets 中给出。 / No hand-coded sheets were "
                 "given, so no reliability was computed.")

    rep.section("methods").methods(manifest)
    return rep.write(path)
