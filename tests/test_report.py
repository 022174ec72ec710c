"""Tests of quanyu_nlp.report: a self-contained page, its font subset, the methods text."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from quanyu_nlp.errors import ParameterError  # noqa: E402
from quanyu_nlp.report import (REPORT_FONT_FAMILY, Report, build_report,  # noqa: E402
                               methods_paragraph, subset_woff2)
from quanyu_nlp.viz import FrameworkDistributionDisplay, use_style  # noqa: E402

MANIFEST = {
    "run_id": "demo-001", "config_hash": "9f8e7d",
    "versions": {"python": "3.11.7", "quanyu_nlp": "0.1.0", "rjieba": "0.2.0",
                 "tomotopy": "0.12.7"},
    "corpus": {"name": "演示语料", "n_documents": 10, "n_units": 84, "level": "paragraphs",
               "hash": "c0ffee1234567890"},
    "segment": {"backend": "rjieba", "lexicon": True, "stopwords": "party"},
    "framework": {"name": "全域党建", "version": "1.0", "citation": "示例作者，2024"},
    "coding": {"method": "dictionary", "min_hits": 1},
    "topics": {"model": "LDA", "backend": "tomotopy", "k": 6, "random_state": 42,
               "iterations": 500},
    "reliability": {"kappa": {"引领方式": 0.812}},
}

CODINGS = pd.DataFrame({"unit_id": ["u1", "u2", "u3"], "doc_id": ["d1", "d1", "d2"],
                        "dimension": ["引领方式"] * 3,
                        "category": ["政治引领", "组织引领", "政治引领"]})

EVIDENCE = pd.DataFrame({"quote": ["支部建在网格上，党员亮身份、作表率。"],
                         "citation": ["示例作者：《网格党建的实践》，2022 年，第 3 页"],
                         "dimension": ["引领方式"], "category": ["组织引领"]})


def make_report() -> Report:
    use_style("single")
    r = Report("演示运行报告", subtitle="运行编号 demo-001")
    r.section("corpus").items({"文献数": 10, "分析单元": "84 个段落"}).text("示例语料。")
    r.section("segmentation").text("分词采用 rjieba，加载党建词表。")
    r.section("coding").quotes(EVIDENCE)
    r.section("topics").table(pd.DataFrame({"topic": [0, 0], "term": ["网格", "党员"],
                                            "weight": [0.12, 0.08]}))
    disp = FrameworkDistributionDisplay.from_codings(CODINGS).plot()
    r.section("figures").figure(disp)
    r.section("figures").figure(FrameworkDistributionDisplay.from_codings(CODINGS).plot(),
                                fmt="png", caption="同一图的 PNG 版本")
    r.section("reliability").table(pd.DataFrame({"dimension": ["引领方式"], "kappa": [0.812]}))
    r.section("methods").methods(MANIFEST)
    plt.close("all")
    return r


@pytest.fixture(scope="module")
def page() -> str:
    return make_report().to_html()


def _font_from(page: str):
    from fontTools.ttLib import TTFont

    m = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", page)
    assert m, "no inline WOFF2 font"
    return TTFont(io.BytesIO(base64.b64decode(m.group(1))))


def test_page_is_self_contained(page):
    # Nothing is fetched: no http(s) URLs in src/href/url(), no scripts.
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", page)
    assert not re.search(r"url\(\s*['\"]?https?:", page)
    assert "<script" not in page.lower()
    assert "Content-Security-Policy" in page
    assert page.count("<svg") == 1 and page.count("data:image/png;base64,") == 1


def test_sections_in_order_with_chinese(page):
    ids = re.findall(r"<section id='([^']+)'>", page)
    assert ids == ["corpus", "segmentation", "coding", "topics", "figures", "reliability",
                   "methods"]
    for text in ("语料概况", "框架编码与证据", "支部建在网格上", "示例作者：《网格党建的实践》",
                 "政治引领", "方法说明", "K = 6"):
        assert text in page
    assert "<figcaption>图 1" in page and "<figcaption>图 2" in page


def test_font_subset_is_exactly_the_page_characters(page):
    font = _font_from(page)
    cmap = font.getBestCmap()
    visible = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    for ch in set(re.findall(r"[\u4e00-\u9fff]", visible)):
        assert ord(ch) in cmap, f"{ch} missing from the subset"
    assert ord("鼎") not in cmap and ord("龙") not in cmap  # not on the page
    cjk = [c for c in cmap if 0x4E00 <= c <= 0x9FFF]
    assert len(cjk) < 400
    assert "SIL Open Font License" in (font["name"].getDebugName(13) or "")
    assert f"font-family:'{REPORT_FONT_FAMILY}'" in page


def test_subset_woff2_small():
    data = subset_woff2("党建引领基层治理")
    assert data[:4] == b"wOF2"
    assert len(data) < 60_000


def _assert_ids_unique_and_resolved(page: str) -> None:
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r"url\(#([^)]+)\)", page):
        assert ref in ids


def test_inline_svg_ids_are_unique():
    use_style("single")
    r = Report("两幅图")
    for _ in range(2):
        r.section("figures").figure(FrameworkDistributionDisplay.from_codings(CODINGS).plot())
    _assert_ids_unique_and_resolved(r.to_html())
    plt.close("all")


def test_write_is_atomic_and_build_report(tmp_path):
    out = build_report(
        [{"id": "corpus", "blocks": [("text", "语料包含三篇文献。")]},
         {"id": "extra", "title": "附录", "blocks": [("table", pd.DataFrame({"a": [1]}))]},
         {"id": "methods", "blocks": [("methods", MANIFEST)]}],
        tmp_path / "report.html", title="小报告")
    text = out.read_text(encoding="utf-8")
    assert re.findall(r"<section id='([^']+)'>", text) == ["corpus", "extra", "methods"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp files left
    with pytest.raises(ParameterError, match="unknown block kind"):
        build_report({"corpus": [("chart", 1)]}, tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_user_mistakes():
    r = Report()
    with pytest.raises(ParameterError, match="section id"):
        r.section("语料")
    with pytest.raises(ParameterError, match="scripts or remote"):
        r.section("x").html("<script>alert(1)</script>")
    with pytest.raises(ParameterError, match="DataFrame"):
        r.section("x").table([1, 2])


def test_html_escapes_text():
    r = Report("转义")
    r.section("corpus").text("<b>不是标签</b> & 符号")
    page = r.to_html()
    assert "&lt;b&gt;不是标签&lt;/b&gt; &amp; 符号" in page


def test_methods_paragraph_names_tools_versions_parameters():
    zh, en = methods_paragraph(MANIFEST)
    for s in ("quanyu_nlp 0.1.0", "rjieba 0.2.0", "tomotopy 0.12.7", "K = 6", "42",
              "iterations=500", "demo-001", "9f8e7d", "全域党建"):
        assert s in zh, s
        assert s in en, s
    assert "10 篇文献" in zh and "84 个段落" in zh
    assert "10 documents" in en and "84 paragraphs" in en
    assert "kappa(引领方式) = 0.812" in en
    assert zh.endswith("。") and en.endswith(".")


def test_methods_paragraph_minimal_manifest():
    zh, en = methods_paragraph({})
    assert zh.startswith("本研究使用 quanyu_nlp") and en.startswith("Texts were analysed")


def test_figure_from_saved_files(tmp_path):
    use_style("single")
    disp = FrameworkDistributionDisplay.from_codings(CODINGS).plot()
    paths = disp.save(tmp_path / "fig", formats=("svg", "png"))
    r = Report("文件图")
    r.section("figures").figure(paths["svg"], caption="SVG 文件").figure(paths["png"],
                                                                          caption="PNG 文件")
    page = r.to_html()
    assert page.count("<svg") == 1 and "data:image/png;base64," in page
    assert "政治引领" in page  # the SVG's text is in the page, so it is in the font subset
    with pytest.raises(ParameterError, match=r"\.svg or \.png"):
        r.section("figures").figure(tmp_path / "fig.pdf")
    plt.close("all")


# -- what a reader of a run report must be able to trace (audit regressions) -----------------
def test_table_numbers_never_read_as_exact_when_rounded():
    r = Report("数")
    r.section("topics").table(pd.DataFrame({"term": ["a", "b", "c", "d", "e"],
                                            "estimate": [-0.0003, 1e-12, float("inf"),
                                                         0.12345, 2.0]}))
    cells = re.findall(r"<td class='num'>([^<]*)</td>", r.to_html())
    assert cells == ["&gt;-0.001", "&lt;0.001", "∞", "0.123", "2"]


def test_figures_from_svg_files_get_unique_ids(tmp_path):
    use_style("single")
    paths = []
    for i in range(2):
        disp = FrameworkDistributionDisplay.from_codings(CODINGS).plot()
        paths.append(disp.save(tmp_path / f"fig{i}", formats=("svg",))["svg"])
    r = Report("两幅图")
    for p in paths:
        r.section("figures").figure(p)
    _assert_ids_unique_and_resolved(r.to_html())
    plt.close("all")


def _run_tables():
    rows = []
    for t, label in enumerate(["网格·党员", "防汛·堤坝", "培训·党课"]):
        for term in ["Intercept", "field[T.农村]", "year"]:
            rows.append((t, label, term, 0.01 * t, 0.01, 0.01 * t - 0.02, 0.01 * t + 0.02, 30))
    eff = pd.DataFrame(rows, columns=["topic", "label", "term", "estimate", "std_err",
                                      "ci_low", "ci_high", "n"])
    eff.attrs.update({"formula": "~ field + year", "method": "bootstrap", "n_boot": 200,
                      "level": 0.95, "link": "identity", "reference_levels": {"field": "城市"}})
    topics = pd.DataFrame({"topic": [0, 0, 1], "label": ["网格·党员", "网格·党员", "防汛·堤坝"],
                           "rank": [1, 2, 1], "term": ["网格", "党员", "防汛"],
                           "weight": [0.1, 0.05, 0.2]})
    seeded = topics.assign(label=["政治引领", "政治引领", "组织引领"])
    rel = pd.DataFrame({"dimension": ["leadership", "leadership"],
                        "coder_a": ["人工", "all"], "coder_b": ["model", "all"],
                        "n_units": [60, 60], "percent_agreement": [0.7, 0.7],
                        "cohen_kappa": [0.6, 0.6], "krippendorff_alpha": [0.6, 0.6]})
    kwic = pd.DataFrame({"doc_id": ["d1"], "pre": ["提升"], "keyword": ["组织力"],
                         "post": ["为重点"]})
    freq = pd.DataFrame({"feature": ["党员"], "frequency": [9], "group": ["all"]})
    return {"topic_effects": eff, "topics": topics, "seeded_topics": seeded,
            "reliability": rel, "kwic_1": kwic, "frequency": freq,
            "coding_counts": pd.DataFrame({"dimension": ["leadership"], "category": ["政治引领"],
                                           "units": [3]})}


def test_run_report_traces_topic_effects_topics_and_figures(tmp_path):
    from quanyu_nlp.report.run_report import build_run_report
    from quanyu_nlp.viz import KeynessDisplay, TopicTermsDisplay

    use_style("single")
    figdir = tmp_path / "figures"
    figdir.mkdir()
    KeynessDisplay.from_keyness(pd.DataFrame({"feature": ["网格"], "G2": [5.0]})).plot() \
        .save(figdir / "keyness", formats=("svg", "caption"))
    TopicTermsDisplay.from_topic_terms(_run_tables()["topics"]).plot() \
        .save(figdir / "topic_terms", formats=("svg", "caption"))
    plt.close("all")
    manifest = dict(MANIFEST, framework={"name": "quanyu", "version": "1.1.0",
                                         "hash": "06a9ddc7ed0e1234",
                                         "dimension_labels": {"leadership": "五个引领"}})
    page = build_run_report(_run_tables(), figdir, manifest, tmp_path / "r.html") \
        .read_text(encoding="utf-8")
    sections = re.findall(r"<section id='([^']+)'>(.*?)</section>", page, flags=re.S)
    by_id = dict(sections)
    # every topic, factor levels in words, no intercept (a share at year 0)
    topics_html = by_id["topics"]
    for s in ("领域：农村", "年份（每年）", "网格·党员", "防汛·堤坝", "培训·党课",
              "bootstrap，200 次", "~ field + year", "以“城市”为参照", "95% 区间"):
        assert s in topics_html, s
    assert "Intercept" not in topics_html and "field[T." not in topics_html
    assert "0.01 [-0.01, 0.03]" in topics_html
    # seeded topics carry their category label
    assert "政治引领" in topics_html and "组织引领" in topics_html
    # figures sit in the section they illustrate, numbered in page order
    assert "关键词性" in by_id["segmentation"] and "各主题的高权重词" in topics_html
    assert re.findall(r"<figcaption>图 (\d+)", page) == ["1", "2"]
    assert "figures" not in by_id
    # the pooled "all" row that repeats the only coder pair is gone; names a reader knows
    rel = by_id["reliability"]
    assert rel.count("<tr>") == 2 and "五个引领" in rel and "Cohen&#x27;s κ" in rel
    assert "五个引领" in by_id["coding"]
    # a KWIC table says which word it is about; a one-group column is dropped
    assert "关键词语境：组织力" in by_id["segmentation"]
    assert ">group<" not in by_id["segmentation"]
    # the codebook actually used, not only its declared version
    assert "编码本哈希 06a9ddc7ed0e" in by_id["methods"]
    assert "codebook hash 06a9ddc7ed0e" in by_id["methods"]


def test_methods_paragraph_says_how_topics_keyness_and_effects_were_made():
    m = dict(MANIFEST, framework={"name": "quanyu", "dimension_labels": {"leadership": "五个引领"}},
             explore={"keyness_by": "field", "keyness_target": "农村",
                      "keyness_measure": "G2", "keyness_correction": "none"},
             topics={"model": "LDA", "backend": "tomotopy", "k": 4, "random_state": 1,
                     "iterations": 200, "unit": "documents", "n_units": 66,
                     "k_candidates": [4, 6, 8], "select_seeds": [1, 2],
                     "select_criteria": ["npmi", "c_v", "exclusivity", "stability"],
                     "select_holdout": 0.2, "effects": "~ field + year",
                     "effects_method": "bootstrap", "n_boot": 200, "effects_level": 0.95,
                     "effects_link": "identity"},
             reliability={"kappa": {"leadership": 0.58}})
    zh, en = methods_paragraph(m)
    # coding is on sentences (84 paragraphs here), topics on documents: both are said
    assert "主题模型的建模单元为 66 篇文档" in zh and "fit on 66 documents" in en
    assert "K 从候选值 4、6、8 中选定" in zh and "随机种子 1、2" in zh
    assert "K was chosen from 4, 6, 8" in en and "seed 1, 2" in en
    assert "200 次文档重抽样的 bootstrap 百分位区间" in zh
    assert "bootstrap percentile intervals over 200 resamples of documents" in en
    assert "95%" in zh and "~ field + year" in en
    assert "field = 农村 的文档与其余全部文档" in zh
    assert "documents with field = 农村 against all other documents" in en
    assert "kappa(五个引领) = 0.58" in zh
    # what is said in words is not repeated as key=value
    assert "n_boot=" not in en and "k_candidates=" not in en and "iterations=200" in en
    m["topics"] = dict(m["topics"], effects_method="delta", n_boot=None)
    zh, en = methods_paragraph(m)
    assert "HC1" in zh and "HC1" in en and "bootstrap" not in en
    m["topics"] = dict(m["topics"], effects_method="composition", n_boot=100)
    zh, en = methods_paragraph(m)
    assert "method of composition (100 draws" in en


def test_run_report_keyness_caption_names_what_it_compares(tmp_path):
    from quanyu_nlp.report.run_report import build_run_report

    tables = {"keyness": pd.DataFrame({"feature": ["合作社"], "G2": [12.5]})}
    manifest = dict(MANIFEST, explore={"keyness_by": "field", "keyness_target": "农村",
                                       "keyness_measure": "G2"},
                    topics=dict(MANIFEST["topics"], unit="documents", n_units=10))
    tables["topics"] = pd.DataFrame({"topic": [0], "rank": [1], "term": ["网格"],
                                     "weight": [0.1]})
    page = build_run_report(tables, tmp_path, manifest, tmp_path / "r.html") \
        .read_text(encoding="utf-8")
    assert "关键词性：field = 农村 的文档与其余全部文档" in page
    assert "建模单元：10 篇文档" in page
