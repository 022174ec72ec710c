"""Tests of validation: agreement statistics, coding sheets, cross-validation, sampling."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from quanyu_nlp.coding import (SupervisedCoder, code, cohen_kappa, cross_validate_coder,
                               krippendorff_alpha, percent_agreement, read_coding_sheet,
                               reliability_report, sample_for_coding, suggest_units_to_code)
from quanyu_nlp.corpus import corpus_from_texts
from quanyu_nlp.errors import ColumnError, InputError, ParameterError
from quanyu_nlp.frameworks import Framework

from test_coding import TOY, TOY_TRAIN  # noqa: E402  (same tests folder)


@pytest.fixture(scope="module")
def toy():
    return Framework.from_dict(TOY)


# ---------------------------------------------------------------- statistics
def test_cohen_kappa_textbook_example():
    # 50 units: both "yes" 20, A yes/B no 5, A no/B yes 10, both "no" 15.
    # p_o = 0.70, p_e = 0.5*0.6 + 0.5*0.4 = 0.50, kappa = (0.70-0.50)/(1-0.50) = 0.40
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert percent_agreement(a, b) == pytest.approx(0.7)


def test_kappa_ignores_units_one_coder_left_empty():
    a = ["政治引领", "无", None, "组织引领"]
    b = ["政治引领", "无", "无", ""]
    assert percent_agreement(a, b) == 1.0
    assert cohen_kappa(a, b) == 1.0


def test_krippendorff_alpha_two_coders_by_hand():
    # units (a,a) (a,b) (b,b) (b,b): coincidences o_aa=2, o_ab=o_ba=1, o_bb=4; n=8,
    # n_a=3, n_b=5.  D_o = 2/8; D_e = 2*3*5/(8*7); alpha = 1 - D_o/D_e = 1 - 0.25/(30/56)
    a = ["a", "a", "b", "b"]
    b = ["a", "b", "b", "b"]
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - 0.25 / (30 / 56))


def test_krippendorff_alpha_textbook_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
    # 4 observers, 12 units, missing values; alpha = 0.743.
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    # the same data as category labels, units x coders
    labels = {1: "政治引领", 2: "组织引领", 3: "机制引领", 4: "行动引领", 5: "队伍引领"}
    frame = pd.DataFrame({f"c{i}": [labels.get(v) for v in row] for i, row in enumerate(data)})
    assert krippendorff_alpha(frame) == pytest.approx(0.743, abs=5e-4)


def test_perfect_agreement():
    a = ["政治引领", "无", "组织引领"]
    assert cohen_kappa(a, a) == 1.0
    assert krippendorff_alpha([a, a]) == 1.0
    assert percent_agreement(a, a) == 1.0


def test_unequal_lengths_are_an_error():
    with pytest.raises(ParameterError, match="same units"):
        cohen_kappa(["a"], ["a", "b"])


# ---------------------------------------------------------------- coding sheets
def _corpus():
    texts = ["社区党委组建党建联合体。今天多云转晴。街道健全议事协商机制。",
             "党员先锋队冲锋在前。组织党员学习新思想。",
             "村里成立联合党委。群众获得感明显增强。蔬菜价格回落。"]
    return corpus_from_texts(texts, docvars={"region": ["甲", "乙", "乙"],
                                             "year": [2020, 2021, 2021],
                                             "title": ["一", "二", "三"], "author": ["王某", "李某", "张某"],
                                             "genre": ["journal", "news", "report"]})


def test_sample_for_coding_writes_xlsx_and_csv(tmp_path, toy):
    sheet = sample_for_coding(_corpus(), n=5, stratify=["region"], framework=toy,
                              path=tmp_path / "sheet.xlsx", random_state=1)
    assert (tmp_path / "sheet.xlsx").exists() and (tmp_path / "sheet.csv").exists()
    assert list(sheet.columns[:4]) == ["unit_id", "doc_id", "citation", "text"]
    assert {"leadership", "results"} <= set(sheet.columns)
    assert len(sheet) == 5 and sheet["unit_id"].is_unique
    # both regions are represented
    regions = set(sheet["region"])
    assert regions == {"甲", "乙"}
    wb = load_workbook(tmp_path / "sheet.xlsx")
    assert wb.sheetnames == ["coding", "codebook"]
    ws = wb["coding"]
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert '"政治引领,组织引领,机制引领,无"' in formulas
    assert '"发动机,乘务员,无"' in formulas
    cb = wb["codebook"]
    labels = [c.value for c in cb["B"]]
    assert "政治引领" in labels and "乘务员" in labels
    # no temporary files left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.csv", "sheet.xlsx"]


def test_sample_for_coding_is_reproducible(toy):
    a = sample_for_coding(_corpus(), n=4, framework=toy, random_state=3)
    b = sample_for_coding(_corpus(), n=4, framework=toy, random_state=3)
    pd.testing.assert_frame_equal(a, b)


def test_sample_for_coding_unknown_stratum(toy):
    with pytest.raises(ColumnError, match="province"):
        sample_for_coding(_corpus(), n=3, stratify=["province"], framework=toy)


def test_sheet_round_trip_xlsx(tmp_path, toy):
    sample_for_coding(_corpus(), n=4, framework=toy, path=tmp_path / "s.xlsx", random_state=0)
    wb = load_workbook(tmp_path / "s.xlsx")
    ws = wb["coding"]
    head = [c.value for c in ws[1]]
    li, ri = head.index("leadership") + 1, head.index("results") + 1
    for r, (lab, res) in enumerate([("组织引领", "无"), ("无", ""), ("mechanism", "无"),
                                    ("政治引领", "乘务员")], start=2):
        ws.cell(row=r, column=li, value=lab)
        ws.cell(row=r, column=ri, value=res or None)
    wb.save(tmp_path / "s.xlsx")
    got = read_coding_sheet(tmp_path / "s.xlsx", toy)
    assert got["leadership"].tolist() == ["组织引领", "无", "机制引领", "政治引领"]  # id mapped
    assert got["results"].tolist() == ["无", None, "无", "乘务员"]


def test_sheet_bad_label_names_file_row_and_column(tmp_path, toy):
    sheet = sample_for_coding(_corpus(), n=3, framework=toy, path=tmp_path / "s.csv")
    sheet["leadership"] = ["组织引领", "政治", "无"]
    sheet.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ParameterError) as e:
        read_coding_sheet(tmp_path / "s.csv", toy)
    msg = str(e.value)
    assert "s.csv row 3, column leadership" in msg and "'政治'" in msg and "\n" not in msg


def test_sheet_errors(tmp_path, toy):
    with pytest.raises(InputError, match="nope.csv"):
        read_coding_sheet(tmp_path / "nope.csv", toy)
    pd.DataFrame({"id": ["a"], "leadership": ["无"]}).to_csv(tmp_path / "x.csv", index=False)
    with pytest.raises(ColumnError, match="unit_id"):
        read_coding_sheet(tmp_path / "x.csv", toy)
    pd.DataFrame({"unit_id": ["a"], "mood": ["无"]}).to_csv(tmp_path / "y.csv", index=False)
    with pytest.raises(ColumnError, match="no column for any dimension"):
        read_coding_sheet(tmp_path / "y.csv", toy)


def test_reliability_report_between_people_and_model(tmp_path, toy):
    ids = ["u1", "u2", "u3", "u4", "u5", "u6"]
    a = pd.DataFrame({"unit_id": ids, "leadership": ["组织引领", "无", "机制引领", "政治引领", "无", "组织引领"]})
    b = pd.DataFrame({"unit_id": ids, "leadership": ["组织引领", "无", "机制引领", "组织引领", "无", "组织引领"]})
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    rep = reliability_report([tmp_path / "a.csv", tmp_path / "b.csv"], framework=toy)
    pair = rep[(rep["coder_a"] == "a.csv") & (rep["coder_b"] == "b.csv")].iloc[0]
    assert pair["n_units"] == 6
    assert pair["percent_agreement"] == pytest.approx(5 / 6)
    assert pair["cohen_kappa"] == pytest.approx(cohen_kappa(a["leadership"], b["leadership"]))
    # a model's Codings is compared like a third coder
    texts = ["街道成立党建联合体。", "今天多云转晴。", "建立联席会议制度。", "开展主题教育。",
             "蔬菜价格回落。", "社区组建联合党委。"]
    model = code(pd.DataFrame({"unit_id": ids, "text": texts}), framework=toy, unit="as-is")
    rep3 = reliability_report([a, b, model], framework=toy, names=["A", "B", "model"])
    assert set(rep3["coder_b"]) >= {"B", "model", "all"}
    assert rep3[rep3["coder_a"] == "all"]["krippendorff_alpha"].notna().all()


# ---------------------------------------------------------------- cross-validation
def test_cross_validate_coder_report():
    X = [t for t, _ in TOY_TRAIN] * 2
    y = {"leadership": [l for _, l in TOY_TRAIN] * 2}
    rep = cross_validate_coder(SupervisedCoder(), X, y, k=3, random_state=0)
    s = rep.summary.iloc[0]
    assert s["dimension"] == "leadership" and s["n_units"] == len(X)
    assert 0.0 <= rep.macro_f1("leadership") <= 1.0
    assert rep.macro_f1("leadership") > 0.8  # duplicates: each held-out text was seen
    assert set(rep.per_category["category"]) == {"政治引领", "组织引领", "无"}
    cm = rep.confusion["leadership"]
    assert cm.values.sum() == len(X) and list(cm.index) == list(cm.columns)
    again = cross_validate_coder(SupervisedCoder(), X, y, k=3, random_state=0)
    pd.testing.assert_frame_equal(rep.predictions, again.predictions)


def test_cross_validate_bad_k():
    with pytest.raises(ParameterError, match="k="):
        cross_validate_coder(SupervisedCoder(), ["a", "b"], ["x", "y"], k=5)


# ---------------------------------------------------------------- uncertainty sampling
def test_suggest_units_to_code_orders_by_uncertainty(toy):
    texts = ["街道成立党建联合体。", "今天多云转晴。", "大家聊聊社区里的事。", "开展主题教育。"]
    c = code(texts, framework=toy, unit="as-is")
    s = suggest_units_to_code(c, n=4, dimension="leadership")
    assert s["uncertainty"].is_monotonic_decreasing
    assert len(s) == 4 and set(s.columns) >= {"unit_id", "text", "uncertainty", "leadership"}
    e = suggest_units_to_code(c, n=2, strategy="entropy")
    assert len(e) == 2
    ex = suggest_units_to_code(c, n=4, exclude=[s["unit_id"][0]])
    assert s["unit_id"][0] not in set(ex["unit_id"])
    sc = SupervisedCoder().fit([t for t, _ in TOY_TRAIN], [l for _, l in TOY_TRAIN])
    s2 = suggest_units_to_code(sc, texts, n=2, unit="as-is")
    assert len(s2) == 2
    with pytest.raises(ParameterError, match="strategy"):
        suggest_units_to_code(c, n=2, strategy="random")


def test_suggest_with_a_coder_reads_neighbours_like_code(toy):
    from quanyu_nlp.coding import FrameworkCoder

    docs = ["街道成立党建联合体。大家聊聊社区里的事。开展主题教育。", "今天多云转晴。"]
    coder = FrameworkCoder(toy).fit()
    s = suggest_units_to_code(coder, corpus_from_texts(docs), n=10, dimension="leadership",
                              unit="sentence")
    c = coder.code(corpus_from_texts(docs), unit="sentence")
    best = dict(zip(c.units["unit_id"], c.proba["leadership"].idxmax(axis=1)))
    assert dict(zip(s["unit_id"], s["leadership"])) == {u: best[u] for u in s["unit_id"]}
    # the middle sentence has neighbours, so its probabilities differ from coding it alone
    alone = coder.predict_proba(["大家聊聊社区里的事。"], "leadership", context=None)
    mid = c.units.index[c.units["text"] == "大家聊聊社区里的事。"][0]
    assert not alone.iloc[0].equals(c.proba["leadership"].iloc[mid])


# ---------------------------------------------------------------- hand-checked values
def test_agreement_on_six_units_by_hand():
    a = ["政治引领", "政治引领", "组织引领", "无", "无", "组织引领"]
    b = ["政治引领", "组织引领", "组织引领", "无", "政治引领", "组织引领"]
    assert percent_agreement(a, b) == pytest.approx(4 / 6)
    # p_o = 4/6; marginals a: 2/2/2, b: 2/3/1 -> p_e = (4 + 6 + 2)/36 = 1/3; κ = 0.5
    assert cohen_kappa(a, b) == pytest.approx(0.5)
    # coincidences: 4 disagreeing ordered pairs of n = 12 values (政 4, 组 5, 无 3):
    # D_o = 4/12, D_e = 2(4·5 + 4·3 + 5·3)/(12·11) = 94/132, α = 1 − D_o/D_e
    assert krippendorff_alpha([a, b]) == pytest.approx(1 - (4 / 12) / (94 / 132))


def test_alpha_three_coders_with_missing_values_by_hand():
    c1 = ["政治引领", "政治引领", None, "组织引领", "无"]
    c2 = ["政治引领", "组织引领", "组织引领", "组织引领", ""]
    c3 = [None, "政治引领", "组织引领", "组织引领", "无"]
    # pairable values: 政 4, 组 6, 无 2 (n = 12); only unit 2 disagrees: D_o = 2/12;
    # D_e = 2(4·6 + 4·2 + 6·2)/(12·11) = 88/132; α = 1 − (2/12)/(88/132) = 0.75
    assert krippendorff_alpha([c1, c2, c3]) == pytest.approx(0.75)
    # the same data as units × coders
    frame = pd.DataFrame({"甲": c1, "乙": c2, "丙": c3})
    assert krippendorff_alpha(frame) == pytest.approx(0.75)


def test_alpha_ignores_values_no_other_coder_saw():
    # One unit coded by both (the same label); 组织引领 appears only where the other
    # coder left the unit empty, so there is no disagreement at all: 1.0, no warning.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert krippendorff_alpha([["政治引领", "", ""],
                                   ["政治引领", "组织引领", "组织引领"]]) == 1.0
    with pytest.raises(ParameterError, match="level='nominl'"):
        krippendorff_alpha([["a"], ["a"]], level="nominl")


# -- the command: a partial overlap is one note line ----------------------------------------

def test_cli_partial_overlap_is_one_note_line(tmp_path):
    import subprocess
    import sys

    # the second coder did only half the units
    (tmp_path / "a.csv").write_text("unit_id,leadership\nu1,组织引领\nu2,无\nu3,政治引领\nu4,无\n",
                                    encoding="utf-8")
    (tmp_path / "b.csv").write_text("unit_id,leadership\nu1,组织引领\nu2,无\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "quanyu_nlp.cli", "reliability",
                        str(tmp_path / "a.csv"), str(tmp_path / "b.csv")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    err = p.stderr.strip().splitlines()
    assert len(err) == 1, p.stderr
    assert err[0].startswith("quanyu: note: coders a.csv and b.csv coded 2 units in common")
    assert "UserWarning" not in p.stderr and ".py:" not in p.stderr
    assert "leadership" in p.stdout and "cohen_kappa" in p.stdout
