"""Tests of quanyu_nlp.viz: CJK style, every display draws and saves a full bundle.

All fixture text is written for these tests: short Chinese category names, terms and
labels that can be checked by eye.
"""

from __future__ import annotations

import io
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from quanyu_nlp.errors import ColumnError, OutputError, ParameterError  # noqa: E402
from quanyu_nlp.viz import (PALETTE, PROVENANCE_KEYS, CategoryShareOverTimeDisplay,  # noqa: E402
                            ConfusionMatrixDisplay, CooccurrenceNetworkDisplay,
                            FrameworkDistributionDisplay, FrameworkHeatmapDisplay,
                            KeynessDisplay, KSelectionDisplay, ReliabilityTableDisplay,
                            TopicEffectsDisplay, TopicTermsDisplay, WordCloudDisplay,
                            figure_size, font_path, use_style)

PROV = {"run_id": "test-run-001", "corpus_hash": "c0ffee12", "config_hash": "abc123"}


@pytest.fixture(scope="module", autouse=True)
def _style():
    use_style("single")
    yield
    plt.close("all")


# -- fixtures ------------------------------------------------------------------------------
def make_codings() -> pd.DataFrame:
    """Twelve units in six documents (2019-2021), two dimensions."""
    lead = ["政治引领", "组织引领", "服务引领", "政治引领", "无", "组织引领",
            "政治引领", "服务引领", "服务引领", "组织引领", "政治引领", "无"]
    subj = ["党组织", "党组织", "群众", "社会组织", "群众", "党组织",
            "群众", "群众", "社会组织", "党组织", "党组织", "无"]
    docs = ["d1", "d1", "d2", "d2", "d3", "d3", "d4", "d4", "d5", "d5", "d6", "d6"]
    rows = []
    for i, (a, b, d) in enumerate(zip(lead, subj, docs)):
        for dim, cat in (("引领方式", a), ("治理主体", b)):
            rows.append({"unit_id": f"u{i + 1}", "doc_id": d, "start": 0, "end": 10,
                         "dimension": dim, "category": cat, "score": 1.0,
                         "method": "dictionary"})
    return pd.DataFrame(rows)


DOCVARS = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4", "d5", "d6"],
                        "year": [2019, 2019, 2020, 2020, 2021, 2021],
                        "region": ["东部", "西部", "东部", "中部", "西部", "东部"]})

TOPIC_TERMS = pd.DataFrame(
    [(0, r + 1, t, w) for r, (t, w) in enumerate(
        [("防汛", 0.12), ("堤坝", 0.09), ("水位", 0.07), ("抢险", 0.05)])]
    + [(1, r + 1, t, w) for r, (t, w) in enumerate(
        [("党员", 0.14), ("培训", 0.10), ("党章", 0.06), ("理论", 0.04)])],
    columns=["topic", "rank", "term", "weight"])

EFFECTS = pd.DataFrame({
    "topic": [0, 0, 1, 1],
    "term": ["(Intercept)", "year", "(Intercept)", "year"],
    "estimate": [0.40, 0.05, 0.60, -0.03],
    "ci_low": [0.30, 0.01, 0.50, -0.08],
    "ci_high": [0.50, 0.09, 0.70, 0.02]})

SELECT_K = pd.DataFrame({"k": [2, 3, 4, 2, 3, 4],
                         "seed": [1, 1, 1, 2, 2, 2],
                         "coherence": [0.41, 0.48, 0.44, 0.43, 0.47, 0.45],
                         "exclusivity": [8.1, 8.6, 8.9, 8.0, 8.7, 9.0]})

KEYNESS = pd.DataFrame({"feature": ["乡村振兴", "网格", "驻村", "党课", "理论", "党章"],
                        "G2": [15.2, 9.8, 6.1, -4.2, -8.3, -12.7],
                        "n_target": [20, 14, 9, 2, 1, 0],
                        "n_reference": [1, 0, 0, 9, 14, 18]})

COOC = pd.DataFrame({"source": ["党建", "党建", "党建", "基层", "治理", "服务", "群众"],
                     "target": ["引领", "基层", "治理", "治理", "服务", "群众", "满意"],
                     "weight": [9, 7, 6, 5, 4, 3, 2]})

RELIABILITY = pd.DataFrame({"dimension": ["引领方式", "治理主体"],
                            "kappa": [0.81, 0.67], "alpha": [0.80, 0.66],
                            "n_units": [120, 120]})

FREQ = {"党建": 50, "引领": 30, "基层": 28, "治理": 25, "服务": 20, "群众": 18,
        "组织": 15, "党员": 14, "社区": 10, "乡村振兴": 8, "网格": 6, "志愿": 5}


def all_displays():
    """(name, display, a Chinese string that must appear in the figure)."""
    cod = make_codings()
    return [
        ("distribution", FrameworkDistributionDisplay.from_codings(cod), "政治引领"),
        ("heatmap", FrameworkHeatmapDisplay.from_codings(
            cod, by="year", docvars=DOCVARS, dimension="引领方式"), "组织引领"),
        ("share_time", CategoryShareOverTimeDisplay.from_codings(
            cod, docvars=DOCVARS, dimension="引领方式"), "服务引领"),
        ("topic_terms", TopicTermsDisplay.from_topic_terms(TOPIC_TERMS), "堤坝"),
        ("topic_effects", TopicEffectsDisplay.from_effects(EFFECTS), "主题"),
        ("select_k", KSelectionDisplay.from_select_k(SELECT_K, best=3), "coherence"),
        ("keyness", KeynessDisplay.from_keyness(KEYNESS, target_label="乡镇",
                                               reference_label="机关"), "乡村振兴"),
        ("network", CooccurrenceNetworkDisplay.from_cooccurrence(COOC), "党建"),
        ("confusion", ConfusionMatrixDisplay.from_predictions(
            ["政治引领", "组织引领", "无", "政治引领"], ["政治引领", "无", "无", "组织引领"],
            labels=["政治引领", "组织引领", "无"]), "人工编码"),
        ("reliability", ReliabilityTableDisplay.from_frame(RELIABILITY), "引领方式"),
        ("wordcloud", WordCloudDisplay.from_frequencies(FREQ, random_state=1), "党建"),
    ]


# -- style -----------------------------------------------------------------------------------
def test_style_sets_cjk_font_and_text_as_text():
    import matplotlib as mpl

    rc = use_style("double", font="sans")
    assert mpl.rcParams["pdf.fonttype"] == 42
    assert mpl.rcParams["svg.fonttype"] == "none"
    assert mpl.rcParams["axes.unicode_minus"] is False
    assert mpl.rcParams["font.sans-serif"][:2] == ["Noto Sans CJK SC glyf common",
                                                   "Noto Sans CJK SC glyf"]
    assert mpl.rcParams["font.size"] == 10
    assert abs(rc["figure.figsize"][0] * 2.54 - 17.5) < 1e-9
    use_style("single")
    assert mpl.rcParams["font.size"] == 9


def test_font_is_truetype_noto_not_simhei():
    from fontTools.ttLib import TTFont

    path = font_path("sans")
    assert "simhei" not in path.name.lower()
    f = TTFont(str(path), lazy=True)
    assert "glyf" in f and "CFF " not in f  # TrueType outlines, so /FontFile2 is valid
    assert "SIL Open Font License" in (f["name"].getDebugName(13) or "")
    assert ord("党") in f.getBestCmap()


def test_palette_survives_grayscale():
    lum = []
    for c in PALETTE:
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        lum.append(0.299 * r + 0.587 * g + 0.114 * b)
    gaps = np.diff(sorted(lum))
    assert gaps.min() >= 30


def test_presets_and_bad_preset():
    w, _ = figure_size("single")
    assert abs(w * 2.54 - 8.5) < 1e-9
    with pytest.raises(ParameterError, match="unknown figure preset"):
        use_style("poster")
    with pytest.raises(ParameterError, match="'sans' or 'serif'"):
        use_style("single", font="kai")


def test_missing_glyph_warning_fails():
    # The conftest hook turns the warning into an error; prove it is active.
    fig, ax = plt.subplots()
    ax.set_title("\U0001F9FF 党")  # an emoji no configured font has (DejaVu has 😀)
    with pytest.raises(UserWarning, match="missing from"):
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


# -- every display: draw and save --------------------------------------------------------------
@pytest.mark.parametrize("name,disp,chinese", all_displays(), ids=lambda x: x
                         if isinstance(x, str) else "")
def test_display_draws_and_saves_bundle(tmp_path, name, disp, chinese):
    from PIL import Image
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        disp.plot()
        assert disp.figure_ is not None and disp.ax_ is not None
        paths = disp.save(tmp_path / name, provenance=PROV)
    assert set(paths) == {"pdf", "svg", "png", "csv", "caption"}

    # PDF: fonts embedded (and subset), Chinese copy-pastable.
    reader = PdfReader(paths["pdf"])
    page = reader.pages[0]
    text = page.extract_text()
    assert chinese in text.replace("\n", "")
    fonts = page["/Resources"]["/Font"]
    font_files = []
    for f in fonts.values():
        f = f.get_object()
        desc = (f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f else f)
        fd = desc["/FontDescriptor"].get_object()
        font_files += [k for k in fd if k in ("/FontFile2", "/FontFile3")]
        assert re.match(r"/[A-Z]{6}\+", str(f["/BaseFont"])), "font not subset"
        if "/FontFile2" in fd:
            # /FontFile2 must hold TrueType outlines (glyf), not CFF, per the PDF spec.
            from fontTools.ttLib import TTFont

            embedded = TTFont(io.BytesIO(fd["/FontFile2"].get_object().get_data()))
            assert "glyf" in embedded and "CFF " not in embedded
    assert font_files, "no embedded font program"
    assert paths["pdf"].stat().st_size < 400_000

    # SVG: text elements carrying the Chinese.
    svg = paths["svg"].read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert any(chinese in t for t in texts) or chinese in "".join(texts)

    # PNG at 300 dpi.
    with Image.open(paths["png"]) as im:
        assert round(im.info["dpi"][0]) == 300

    # CSV equals the plotted data.
    back = pd.read_csv(paths["csv"], encoding="utf-8-sig")
    expected = disp.data_.copy()
    for col in expected.columns:
        if expected[col].dtype == object or str(expected[col].dtype) == "string":
            expected[col] = expected[col].astype(str)
            back[col] = back[col].astype(str)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False, check_exact=False)

    # Caption with provenance.
    cap = paths["caption"].read_text(encoding="utf-8")
    keys = dict(line.split(": ", 1) for line in cap.split("provenance:\n", 1)[1].splitlines())
    assert set(PROVENANCE_KEYS) <= set(keys)
    assert keys["run_id"] == "test-run-001" and keys["corpus_hash"] == "c0ffee12"
    assert "matplotlib" in keys["packages"]
    plt.close(disp.figure_)


def test_plot_on_given_axes_keeps_ax():
    fig, ax = plt.subplots()
    disp = FrameworkDistributionDisplay.from_codings(make_codings(), dimension="引领方式")
    assert disp.plot(ax=ax).ax_ is ax and disp.figure_ is fig
    grid = TopicTermsDisplay.from_topic_terms(TOPIC_TERMS).plot(ax=ax)
    assert len(grid.ax_) == 2 and grid.figure_ is fig
    plt.close(fig)


# -- computed numbers --------------------------------------------------------------------------
def test_distribution_counts():
    d = FrameworkDistributionDisplay.from_codings(make_codings(), dimension="引领方式").data_
    counts = dict(zip(d["category"], d["count"]))
    assert counts == {"政治引领": 4, "组织引领": 3, "服务引领": 3, "无": 2}
    d2 = FrameworkDistributionDisplay.from_codings(make_codings(), include_none=False).data_
    assert "无" not in set(d2["category"])


def test_heatmap_column_shares_sum_to_one():
    d = FrameworkHeatmapDisplay.from_codings(make_codings(), by="year", docvars=DOCVARS,
                                             dimension="引领方式").data_
    assert np.allclose(d.groupby("year")["share"].sum(), 1.0)
    row = d[(d["category"] == "政治引领") & (d["year"] == 2019)]
    assert int(row["count"].iloc[0]) == 2


def test_share_over_time_wilson_and_bootstrap():
    cod = make_codings()
    w = CategoryShareOverTimeDisplay.from_codings(cod, docvars=DOCVARS, dimension="引领方式")
    r = w.data_[(w.data_["year"] == 2019) & (w.data_["category"] == "政治引领")].iloc[0]
    assert (r["count"], r["total"], r["share"]) == (2, 4, 0.5)
    assert r["ci_low"] < 0.5 < r["ci_high"]
    assert (w.data_["ci_low"] <= w.data_["share"]).all()
    b1 = CategoryShareOverTimeDisplay.from_codings(cod, docvars=DOCVARS, dimension="引领方式",
                                                   interval="bootstrap", n_boot=200,
                                                   random_state=7)
    b2 = CategoryShareOverTimeDisplay.from_codings(cod, docvars=DOCVARS, dimension="引领方式",
                                                   interval="bootstrap", n_boot=200,
                                                   random_state=7)
    pd.testing.assert_frame_equal(b1.data_, b2.data_)
    with pytest.raises(ParameterError, match="dimension="):
        CategoryShareOverTimeDisplay.from_codings(cod, docvars=DOCVARS)


def test_keyness_sides_and_topic_effects_drop_intercept():
    k = KeynessDisplay.from_keyness(KEYNESS, n=2).data_
    assert list(k["feature"]) == ["乡村振兴", "网格", "理论", "党章"]
    assert list(k["side"]) == ["目标", "目标", "参照", "参照"]
    e = TopicEffectsDisplay.from_effects(EFFECTS).data_
    assert set(e["term"]) == {"year"}


def test_select_k_averages_seeds():
    d = KSelectionDisplay.from_select_k(SELECT_K).data_
    row = d[(d["metric"] == "coherence") & (d["k"] == 2)].iloc[0]
    assert row["value"] == pytest.approx(0.42)
    assert row["sd"] > 0
    assert set(d["metric"]) == {"coherence", "exclusivity"}


def test_network_from_matrix_and_reproducible_layout():
    terms = ["党建", "基层", "治理"]
    m = pd.DataFrame([[0, 3, 2], [3, 0, 1], [2, 1, 0]], index=terms, columns=terms)
    a = CooccurrenceNetworkDisplay.from_cooccurrence(m, random_state=3)
    b = CooccurrenceNetworkDisplay.from_cooccurrence(m, random_state=3)
    assert len(a.data_) == 3
    assert all(np.allclose(a.pos_[n], b.pos_[n]) for n in terms)


def test_confusion_matrix_counts():
    d = ConfusionMatrixDisplay.from_matrix([[2, 1], [0, 3]], ["政治引领", "无"]).data_
    assert int(d[(d["true"] == "政治引领") & (d["predicted"] == "无")]["count"].iloc[0]) == 1
    with pytest.raises(ParameterError, match="square"):
        ConfusionMatrixDisplay.from_matrix([[1, 2, 3]], ["a"])


def test_wordcloud_reproducible():
    a = WordCloudDisplay.from_frequencies(FREQ, random_state=5).data_
    b = WordCloudDisplay.from_frequencies(FREQ, random_state=5).data_
    pd.testing.assert_frame_equal(a, b)
    assert a["word"].iloc[0] == "党建"


def test_pdf_is_reproducible(tmp_path):
    disp = FrameworkDistributionDisplay.from_codings(make_codings()).plot()
    p1 = disp.save(tmp_path / "a", provenance=PROV, formats=("pdf", "svg"))
    p2 = disp.save(tmp_path / "b", provenance=PROV, formats=("pdf", "svg"))
    assert p1["pdf"].read_bytes() == p2["pdf"].read_bytes()
    assert p1["svg"].read_bytes() == p2["svg"].read_bytes()
    plt.close(disp.figure_)


# -- user mistakes -----------------------------------------------------------------------------
def test_user_mistakes_raise_one_line_errors(tmp_path):
    with pytest.raises(ColumnError, match="no column 'category'"):
        FrameworkDistributionDisplay.from_codings(pd.DataFrame({"unit_id": [1], "doc_id": [1],
                                                                "dimension": ["a"]}))
    with pytest.raises(ColumnError, match="docvars="):
        FrameworkHeatmapDisplay.from_codings(make_codings(), by="year")
    with pytest.raises(ParameterError, match="not in the codings"):
        FrameworkDistributionDisplay.from_codings(make_codings(), dimension="不存在")
    with pytest.raises(ColumnError, match="'weight'"):
        TopicTermsDisplay.from_topic_terms(TOPIC_TERMS.drop(columns="weight"))
    disp = FrameworkDistributionDisplay.from_codings(make_codings())
    with pytest.raises(OutputError, match="without extension"):
        disp.save(tmp_path / "fig.pdf")
    plt.close("all")


def test_accepts_object_with_to_frame():
    class FakeCodings:
        def to_frame(self):
            return make_codings()

    d = FrameworkDistributionDisplay.from_codings(FakeCodings()).data_
    assert d["count"].sum() == 24


def test_select_k_summary_table_with_sd_columns():
    table = pd.DataFrame({"k": [4, 6], "npmi": [0.1, 0.2], "npmi_sd": [0.01, 0.02],
                          "stability": [np.nan, np.nan], "score": [1.0, -1.0]})
    d = KSelectionDisplay.from_select_k(table).data_
    assert set(d["metric"]) == {"npmi", "score"}  # *_sd and all-NaN columns are not metrics
    assert d[(d["metric"] == "npmi") & (d["k"] == 6)]["sd"].iloc[0] == pytest.approx(0.02)


def test_display_sets_the_cjk_style_itself_in_a_fresh_session(tmp_path):
    # A researcher who never called use_style() must not get empty boxes for Chinese.
    from pypdf import PdfReader

    from quanyu_nlp.viz.style import cjk_style_active

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert not cjk_style_active()
        disp = FrameworkDistributionDisplay.from_codings(make_codings(), dimension="引领方式")
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)   # a missing glyph would fail here
            disp.plot()
            paths = disp.save(tmp_path / "fresh", provenance=PROV)
        assert cjk_style_active()
        plt.close(disp.figure_)
        # a style the user chose is left alone
        use_style("slide", font="serif")
        size = matplotlib.rcParams["font.size"]
        disp.plot()
        assert matplotlib.rcParams["font.size"] == size
        assert "Serif" in matplotlib.rcParams["font.serif"][0]
        plt.close(disp.figure_)
    assert "政治引领" in PdfReader(paths["pdf"]).pages[0].extract_text().replace("\n", "")


# -- what a journal receives (audit regressions) -----------------------------------------------
def _pdf_width_height_cm(path):
    from pypdf import PdfReader

    box = PdfReader(path).pages[0].mediabox
    return float(box.width) / 72 * 2.54, float(box.height) / 72 * 2.54


def _pdf_images(path) -> int:
    from pypdf import PdfReader

    xobj = PdfReader(path).pages[0]["/Resources"].get("/XObject", {})
    return sum(1 for o in xobj.values() if o.get_object().get("/Subtype") == "/Image")


def test_category_order_naming_a_label_twice_draws_it_once():
    # A run passes the labels of every dimension, each with its own 无: the none bar
    # of each dimension was drawn twice.
    order = ["政治引领", "组织引领", "服务引领", "无", "党组织", "群众", "社会组织", "无"]
    d = FrameworkDistributionDisplay.from_codings(make_codings(), category_order=order).data_
    assert not d.duplicated(["dimension", "category"]).any()
    assert list(d.loc[d["dimension"] == "引领方式", "category"]) == [
        "政治引领", "组织引领", "服务引领", "无"]
    assert d["count"].sum() == 24


@pytest.mark.parametrize("make", [
    lambda: FrameworkHeatmapDisplay.from_codings(make_codings(), by="year", docvars=DOCVARS,
                                                 dimension="引领方式"),
    lambda: ConfusionMatrixDisplay.from_matrix([[5, 1], [2, 4]], ["政治引领", "无"]),
], ids=["heatmap", "confusion"])
def test_matrix_displays_are_vector_in_pdf(tmp_path, make):
    # imshow put the cells (and the colour bar) into the PDF as bitmaps.
    disp = make()
    disp.plot(colorbar=True)
    path = disp.save(tmp_path / "m", formats=("pdf",))["pdf"]
    assert _pdf_images(path) == 0
    # cell colours still follow the values (the darkest cell is the smallest value)
    assert disp.image_.get_array().min() == disp.data_[
        "share" if "year" in disp.data_ else "count"].min()
    plt.close(disp.figure_)


def test_topic_terms_with_long_labels_fit_the_double_column(tmp_path):
    # Titles wider than their panel made the saved figure wider than 17.5 cm.
    terms = TOPIC_TERMS.assign(label=TOPIC_TERMS["topic"].map(
        {0: "防汛抢险·堤坝加固·水位监测", 1: "党员教育培训·党章学习·理论"}))
    frames = [terms.assign(topic=terms["topic"] + 2 * i) for i in range(4)]
    disp = TopicTermsDisplay.from_topic_terms(pd.concat(frames)).plot(ncols=4)
    path = disp.save(tmp_path / "t", formats=("pdf",))["pdf"]
    width, _ = _pdf_width_height_cm(path)
    assert width <= 17.5 + 0.11     # + savefig's 0.02 in padding on each side
    assert any("\n" in a.get_title() for a in disp.ax_)
    plt.close(disp.figure_)


def test_topic_effects_reads_like_a_paper_and_fits_a_page(tmp_path):
    # patsy names (field[T.农村]) were shown raw, factor levels and a per-year slope
    # shared one axis, and 8 topics x 9 terms made a 38 cm tall figure.
    rows = []
    levels = ["农村", "城市基层", "机关", "社会组织", "非公企业", "综合", "离退休老干部",
              "小微企业和个体工商户"]
    for t in range(8):
        for term in ["Intercept"] + [f"field[T.{lv}]" for lv in levels] + ["year"]:
            rows.append((t, f"主题{t}", term, 0.01 * t, 0.01 * t - 0.05, 0.01 * t + 0.05))
    eff = pd.DataFrame(rows, columns=["topic", "label", "term", "estimate", "ci_low",
                                      "ci_high"])
    eff.attrs.update({"level": 0.9, "link": "identity", "method": "bootstrap",
                      "reference_levels": {"field": "专家人才"}})
    disp = TopicEffectsDisplay.from_effects(eff)
    assert set(disp.data_["term_label"]) >= {"领域：农村", "年份（每年）"}
    disp.plot(preset="double")
    assert len(disp.ax_) == 2                         # one panel per variable
    assert disp.ax_[0].get_title() == "领域（参照：专家人才）"
    legend = [t.get_text() for t in disp.figure_.legends[0].get_texts()]
    assert "农村" in legend and not any("[T." in x for x in legend)
    assert "90% 区间" in disp.figure_._supxlabel.get_text()
    path = disp.save(tmp_path / "e", formats=("pdf",))["pdf"]
    width, height = _pdf_width_height_cm(path)
    assert width <= 17.6 and height <= 23
    assert "专家人才" in disp.caption() and "90%" in disp.caption()
    plt.close(disp.figure_)
    one = TopicEffectsDisplay.from_effects(EFFECTS.assign(
        topic=["防汛抢险·堤坝加固·水位", "防汛抢险·堤坝加固·水位", "党员教育培训·党章学习",
               "党员教育培训·党章学习"])).plot()
    assert "95% 区间" in one.ax_.get_xlabel()
    path = one.save(tmp_path / "one", formats=("pdf",))["pdf"]
    assert _pdf_width_height_cm(path)[0] <= 8.5 + 0.11     # the axis label fits a column
    plt.close(one.figure_)


def test_select_k_panels_say_what_the_metric_is_and_which_way_is_better():
    table = pd.DataFrame({"k": [4, 6], "npmi": [0.1, 0.2], "perplexity": [900, 950]})
    disp = KSelectionDisplay.from_select_k(table).plot()
    titles = [a.get_title() for a in disp.ax_]
    assert titles == ["NPMI 一致性（越高越好）", "留出困惑度（越低越好）"]
    plt.close(disp.figure_)


def test_reliability_table_shows_dimension_names():
    frame = pd.DataFrame({"dimension": ["leadership", "results"], "kappa": [0.6, 0.7]})
    disp = ReliabilityTableDisplay.from_frame(
        frame, dimension_labels={"leadership": "五个引领", "results": "四个成效"})
    assert list(disp.data_["dimension"]) == ["五个引领", "四个成效"]


def test_legends_sit_outside_the_plot_area():
    disp = CategoryShareOverTimeDisplay.from_codings(make_codings(), docvars=DOCVARS,
                                                     dimension="引领方式").plot()
    disp.figure_.draw_without_rendering()
    r = disp.figure_.canvas.get_renderer()
    leg = disp.ax_.get_legend().get_window_extent(r)
    assert leg.x0 >= disp.ax_.get_window_extent(r).x1 - 1
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["2019", "2020", "2021"]
    plt.close(disp.figure_)


def test_common_cut_of_the_font_draws_exactly_like_the_full_font():
    # PDFs embed from the common cut (subsetting the 65,535-glyph font took ~0.5 s per
    # PDF); the same text must come out pixel for pixel the same.
    from fontTools.ttLib import TTFont

    from quanyu_nlp.viz import common_font_path

    f = TTFont(str(common_font_path("sans")), lazy=True)
    cmap = f.getBestCmap()
    assert "glyf" in f and ord("党") in cmap and ord("，") in cmap and ord("κ") in cmap
    assert ord("堃") not in cmap                      # outside GB 2312: the full font
    assert "SIL Open Font License" in (f["name"].getDebugName(13) or "")

    def png(families):
        with matplotlib.rc_context({"font.sans-serif": families}):
            fig = plt.figure(figsize=(3, 1))
            fig.text(0.02, 0.5, "党建引领·组织力 2024年 Cohen's κ=0.81（示例）", fontsize=9)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=150, bbox_inches=None)
            plt.close(fig)
        return np.asarray(__import__("PIL.Image", fromlist=["Image"]).open(buf))

    common = matplotlib.rcParams["font.sans-serif"][:2]
    assert np.array_equal(png(common), png(common[1:]))


def test_a_rare_character_falls_back_to_the_full_font(tmp_path):
    from pypdf import PdfReader

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("张堃 党建")                       # 堃 is not in GB 2312
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a missing glyph would raise
        fig.savefig(tmp_path / "rare.pdf")
    plt.close(fig)
    page = PdfReader(tmp_path / "rare.pdf").pages[0]
    assert "张堃" in page.extract_text()
    names = {str(f.get_object()["/BaseFont"]).split("+")[1]
             for f in page["/Resources"]["/Font"].values()}
    assert {"NotoSansCJKSCglyfcommon-Regular", "NotoSansCJKSCglyf-Regular"} <= names


def test_captions_name_the_dimension():
    # The run drew one heatmap and one time series per dimension with identical captions.
    cod = make_codings()
    a = FrameworkHeatmapDisplay.from_codings(cod, by="year", docvars=DOCVARS,
                                             dimension="引领方式").caption()
    b = FrameworkHeatmapDisplay.from_codings(cod, by="year", docvars=DOCVARS,
                                             dimension="治理主体",
                                             dimension_label="治理主体（四类）").caption()
    assert "引领方式" in a and "治理主体（四类）" in b and a != b
    s = CategoryShareOverTimeDisplay.from_codings(cod, docvars=DOCVARS,
                                                  dimension="治理主体").caption()
    assert "治理主体" in s


def test_share_over_time_year_labels_do_not_collide():
    rows = []
    for i, year in enumerate(range(2018, 2026)):
        for j, cat in enumerate(["政治引领", "组织引领", "无"]):
            rows.append({"unit_id": f"u{i}-{j}", "doc_id": f"d{i}", "dimension": "引领方式",
                         "category": cat, "year": year})
    disp = CategoryShareOverTimeDisplay.from_codings(pd.DataFrame(rows),
                                                     dimension="引领方式").plot()
    disp.figure_.draw_without_rendering()
    r = disp.figure_.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in disp.ax_.get_xticklabels() if t.get_text()]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["2018", "2020", "2022",
                                                                 "2024"]
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:]))
    ticks = set(disp.ax_.get_xticks()) | set(disp.ax_.get_xticks(minor=True))
    assert ticks == set(range(2018, 2026))          # a tick at every year
    plt.close(disp.figure_)


def test_codings_object_gives_dimension_names_and_codebook_order():
    # A Codings object knows its framework: legends, captions and category order use it
    # without the caller passing them again.
    class FakeCodings:
        meta = {"dimension_labels": {"引领方式": "五种引领", "治理主体": "四类主体"},
                "labels": {"引领方式": ["服务引领", "组织引领", "政治引领", "无"],
                           "治理主体": ["群众", "社会组织", "党组织", "无"]}}

        def to_frame(self):
            return make_codings()

    dist = FrameworkDistributionDisplay.from_codings(FakeCodings()).plot()
    assert [t.get_text() for t in dist.ax_.get_legend().get_texts()] == ["五种引领", "四类主体"]
    lead = dist.data_[dist.data_["dimension"] == "引领方式"]
    assert list(lead["category"]) == ["服务引领", "组织引领", "政治引领", "无"]
    plt.close(dist.figure_)
    heat = FrameworkHeatmapDisplay.from_codings(FakeCodings(), by="year", docvars=DOCVARS,
                                                dimension="引领方式")
    assert "五种引领" in heat.caption()
    assert list(dict.fromkeys(heat.data_["category"])) == ["服务引领", "组织引领", "政治引领"]
    share = CategoryShareOverTimeDisplay.from_codings(FakeCodings(), docvars=DOCVARS,
                                                      dimension="引领方式")
    assert "五种引领" in share.caption()
    assert list(dict.fromkeys(share.data_["category"])) == ["服务引领", "组织引领", "政治引领"]


@pytest.mark.parametrize("name,disp,chinese", all_displays(), ids=lambda x: x
                         if isinstance(x, str) else "")
def test_every_display_is_vector_and_no_wider_than_its_figure(tmp_path, name, disp, chinese):
    disp.plot()
    width_cm = disp.figure_.get_figwidth() * 2.54
    path = disp.save(tmp_path / name, formats=("pdf",))["pdf"]
    assert _pdf_images(path) == 0, "a bitmap in the PDF"
    assert _pdf_width_height_cm(path)[0] <= width_cm + 0.11   # + the 0.02 in padding
    plt.close(disp.figure_)


@pytest.mark.parametrize("term,label,variable", [
    ("field[T.农村]", "领域：农村", "field"),
    ("C(year)[T.2020]", "年份：2020", "year"),
    ("C(field, Treatment('机关'))[T.农村]", "领域：农村", "field"),
    ("C(field, Treatment(reference='机关'))[T.社区]", "领域：社区", "field"),
    ("year", "年份（每年）", "year"),
    ("region[T.西部]:year", "地区：西部 × 年份", "region:year"),
])
def test_patsy_terms_read_in_words(term, label, variable):
    from quanyu_nlp.viz.displays import _term_label, _term_parts

    assert _term_label(term) == label
    assert _term_parts(term)[0] == variable


def test_none_closes_every_dimension_with_a_flat_codebook_order():
    order = ["政治引领", "组织引领", "服务引领", "无", "党组织", "群众", "社会组织", "无"]
    d = FrameworkDistributionDisplay.from_codings(make_codings(), category_order=order).data_
    assert list(d.loc[d["dimension"] == "治理主体", "category"]) == [
        "党组织", "群众", "社会组织", "无"]


def test_topic_effects_tick_labels_do_not_touch_in_a_single_column():
    # magnitudes of the demo run: factor effects -0.35..0.55, a per-year slope of +-0.03;
    # matplotlib's default ticks (-0.50 ... 0.75) overlapped in the narrow panel
    levels = ["农村", "城市基层", "机关", "社会组织", "非公企业", "综合", "离退休老干部",
              "小微企业和个体工商户"]
    labels = ["社会组织·发展·考核", "企业·联合体·党建联合体", "结对·支部·成立", "社区·街道·居民"]
    rows = []
    for t, label in enumerate(labels):
        for j, lv in enumerate(levels):
            est = -0.2 + 0.6 * j / 7
            rows.append((t, label, f"field[T.{lv}]", est, est - 0.15, est + 0.15))
        rows.append((t, label, "year", 0.004 * t - 0.006, 0.004 * t - 0.03, 0.004 * t + 0.02))
    eff = pd.DataFrame(rows, columns=["topic", "label", "term", "estimate", "ci_low",
                                      "ci_high"])
    disp = TopicEffectsDisplay.from_effects(eff).plot(preset="single")
    disp.figure_.draw_without_rendering()
    r = disp.figure_.canvas.get_renderer()
    for a in disp.ax_:
        boxes = [t.get_window_extent(r) for t in a.get_xticklabels() if t.get_text()]
        assert all(b1.x1 < b2.x0 for b1, b2 in zip(boxes, boxes[1:]))
    plt.close(disp.figure_)


def test_wordcloud_width_follows_the_presets_and_refuses_unknown_ones():
    cloud = WordCloudDisplay.from_frequencies(FREQ, random_state=1)
    assert cloud.plot(preset="double").figure_.get_figwidth() * 2.54 == pytest.approx(17.5)
    plt.close(cloud.figure_)
    with pytest.raises(ParameterError, match="unknown figure preset"):
        cloud.plot(preset="poster")      # was drawn at 8.5 cm without a word


def test_share_over_time_draws_intervals_a_rounding_error_past_the_share():
    # A bootstrap quantile of shares that are all 0 can come out 2.8e-17, a hair above
    # the share; matplotlib then raised "'yerr' must not contain negative values" and
    # `quanyu run` died.  The error bars are clipped at 0 instead.
    cod = pd.DataFrame({"unit_id": [f"u{i}" for i in range(6)],
                        "doc_id": ["d1", "d1", "d2", "d3", "d3", "d4"],
                        "dimension": "引领方式",
                        "category": ["政治引领", "服务引领", "服务引领", "政治引领", "无",
                                     "政治引领"]})
    years = pd.DataFrame({"doc_id": ["d1", "d2", "d3", "d4"], "year": [2019, 2019, 2020, 2020]})
    disp = CategoryShareOverTimeDisplay.from_codings(
        cod, docvars=years, dimension="引领方式", interval="bootstrap", n_boot=50,
        random_state=1)
    d = disp.data_
    zero = d.index[d["share"] == 0]
    assert len(zero) == 1, d   # 服务引领 is never coded in 2020
    d.loc[zero, "ci_low"] = 2.8e-17     # what np.quantile gave in the demo run
    first = d.index[d["share"] > 0][0]
    d.loc[first, "ci_high"] = d.loc[first, "share"] - 1e-16
    for band in (False, True):
        disp.plot(band=band)
        plt.close(disp.figure_)
    disp.plot()
    # the clipped side has no length; the others keep theirs
    bars = [c for c in disp.ax_.containers]
    segs = np.concatenate([np.asarray(b.lines[2][0].get_segments()) for b in bars])
    lengths = segs[:, 1, 1] - segs[:, 0, 1]
    assert (lengths >= 0).all() and (lengths > 0).any()
    plt.close(disp.figure_)


def test_keyness_caption_names_target_and_reference():
    k = KeynessDisplay.from_keyness(KEYNESS, target_label="农村", reference_label="其他",
                                    variable="field")
    cap = k.caption()
    assert "领域：农村 与 其他" in cap and "field: 农村 vs 其他" in cap
    assert set(k.data_["side"]) == {"农村", "其他"}
    # without labels the generic title stays
    assert KeynessDisplay.from_keyness(KEYNESS).caption().startswith("关键词性（目标语料与参照语料）")
