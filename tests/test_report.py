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


def test_inline_svg_ids_are_unique():
    use_style("single")
    r = Report("两幅图")
    for _ in range(2):
        r.section("figures").figure(FrameworkDistributionDisplay.from_codings(CODINGS).plot())
    page = r.to_html()
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    for ref in re.findall(r"url\(#([^)]+)\)", page):
        assert ref in ids
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
