"""The mistakes a researcher makes in Jupyter, and the one line each one gets back.

Every case here was tried by hand first: a misspelt framework name, a codebook with a
single-bracket table, labels typed into Excel with full-width spaces or cut short, a CSV
that Excel saved as GBK, two coders' sheets of different samples, an export named
``.csv`` for an XLSX.  Each must raise a :class:`QuanyuError` subclass whose message is
one line naming the file / row / column / key and the fix, and must write nothing half
way.  Fixtures are short Chinese sentences written for these tests.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from quanyu_nlp.coding import (FrameworkCoder, code, cross_validate_coder, krippendorff_alpha,
                               read_coding_sheet, reliability_report, suggest_units_to_code)
from quanyu_nlp.corpus import corpus_from_frame, corpus_reshape
from quanyu_nlp.errors import (ColumnError, FrameworkError, InputError, OutputError,
                               ParameterError, QuanyuError)
from quanyu_nlp.evidence import evidence_table
from quanyu_nlp.frameworks import Framework, load_framework
from quanyu_nlp.segment import load_stopwords
from quanyu_nlp.topics import LdaTopics, select_k

from test_coding import TOY  # noqa: E402  (same tests folder)


@pytest.fixture(scope="module")
def toy():
    return Framework.from_dict(TOY)


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert isinstance(exc.value, QuanyuError)
    assert "\n" not in msg and len(msg) < 400
    return msg


CODEBOOK = """name = "t"
version = "1.0"

[[dimensions]]
id = "lead"
label = "引领"

[[dimensions.categories]]
id = "pol"
label = "政治引领"
definition = "讲政治"
seed_terms = ["政治"]

[[dimensions.categories]]
id = "org"
label = "组织引领"
definition = "讲组织"
seed_terms = ["组织"]
"""


# ---------------------------------------------------------------- frameworks
def test_framework_by_title_or_typo(tmp_path):
    with pytest.raises(FrameworkError) as e:
        load_framework("全域党建")
    assert "did you mean 'quanyu'" in one_line(e)
    with pytest.raises(FrameworkError) as e:
        load_framework(str(tmp_path / "codebok.toml"))
    assert "codebok.toml does not exist" in one_line(e)


@pytest.mark.parametrize("change, where, words", [
    (('[[dimensions]]', '[dimensions]'), "line 4", "write [[dimensions]] (two pairs)"),
    (('[[dimensions.categories]]\nid = "pol"', '[dimensions.categories]\nid = "pol"'),
     "line 14", "write [[dimensions]] and [[dimensions.categories]] with two pairs"),
    (('label = "政治引领"', 'label = "org"'), "line 10",
     "label 'org' of category 'pol' in dimension 'lead' is the id of category 'org'"),
    (('seed_terms = ["组织"]', 'seed_term = ["组织"]'), "line 18", "did you mean 'seed_terms'?"),
    (('id = "org"', 'id = "pol"'), "line 15", "duplicate category id 'pol'"),
    (('seed_terms = ["组织"]', 'seed_terms = "组织"'), "line 18",
     'write it as a list: seed_terms = ["组织"]'),
    (('seed_terms = ["组织"]\n', ''), "line 14", "empty category"),
])
def test_codebook_mistakes_name_file_line_and_fix(tmp_path, change, where, words):
    path = tmp_path / "codebook.toml"
    path.write_text(CODEBOOK.replace(*change), encoding="utf-8")
    with pytest.raises(FrameworkError) as e:
        load_framework(path)
    msg = one_line(e)
    assert msg.startswith(str(path)) and where in msg and words in msg


def test_single_bracket_categories(tmp_path):
    one = CODEBOOK[:CODEBOOK.rindex("[[dimensions.categories]]")]
    path = tmp_path / "one.toml"
    path.write_text(one.replace("[[dimensions.categories]]", "[dimensions.categories]"),
                    encoding="utf-8")
    with pytest.raises(FrameworkError) as e:
        load_framework(path)
    assert "line 8" in one_line(e) and "write [[dimensions.categories]] (two pairs)" in str(
        e.value)


def test_framework_html_view():
    html = load_framework("quanyu")._repr_html_()
    assert "五个引领" in html and "政治引领" in html and "<table>" in html


# ---------------------------------------------------------------- code()
TEXTS = ["街道成立党建联合体，扩大组织覆盖。", "党支部组织党员开展理论学习。"]


@pytest.mark.parametrize("kwargs, words", [
    ({"threshold": "0.3"}, "threshold='0.3' (str) must be a number in [0, 1); "),
    ({"threshold": 1.5}, "threshold=1.5 must be a number in [0, 1)"),
    ({"context_weight": -1}, "context_weight=-1 must be a number in [0, 1]"),
    ({"dimension": "leader"}, "no dimension 'leader' (did you mean 'leadership'?)"),
    ({"dimension": "引领"}, "no dimension '引领' (did you mean 'leadership'?)"),
    ({"method": "dict"}, "method='dict' is not known"),
])
def test_code_checks_arguments(toy, kwargs, words):
    with pytest.raises(ParameterError) as e:
        code(TEXTS, framework=toy, unit="as-is", **kwargs)
    assert words in one_line(e)


def test_code_empty_corpus(toy):
    with pytest.raises(ParameterError) as e:
        code([], framework=toy)
    assert "nothing to code" in one_line(e)
    with pytest.raises(ParameterError, match="all 2 units have empty text"):
        code(["", "　"], framework=toy, unit="as-is")


def _labelled(n=6):
    return pd.DataFrame({"text": ["街道成立党建联合体。", "党员开展理论学习。", "建立联席会议制度。"]
                         * (n // 3),
                         "leadership": ["组织引领", "政治引领", "机制引领"] * (n // 3)})


def test_labelled_misspelt_label_names_the_users_row(toy):
    bad = _labelled()
    bad.loc[4, "leadership"] = "政治引导"
    with pytest.raises(ParameterError) as e:
        code(TEXTS, framework=toy, unit="as-is", dimension="leadership", labelled=bad)
    msg = one_line(e)
    # row 5 of the user's table, not the row among the framework's exemplars
    assert msg.startswith("labelled row 5, column leadership: '政治引导' is not a category")
    assert "did you mean '政治引领'?" in msg


def test_labelled_ids_and_excel_spaces_are_accepted(toy):
    lab = _labelled().assign(leadership=["organisational", "政治引领　", " 机制引领 "] * 2)
    c = code(TEXTS, framework=toy, unit="as-is", dimension="leadership", labelled=lab)
    assert c.meta["method"] == "framework+labels"


@pytest.mark.parametrize("labelled, words", [
    ((["街道成立党建联合体。"] * 3, ["组织引领"] * 2), "2 labels for dimension 'leadership' "
     "but 3 texts"),
    (pd.DataFrame({"text": ["a", "b"], "leadership": ["", None]}), "every label cell is empty"),
    (pd.DataFrame({"text": [None, "党员学习。"], "leadership": ["组织引领", "政治引领"]}),
     "labelled row 1: coded '组织引领' on leadership but its text is empty"),
    (pd.DataFrame({"text": ["x"], "引领": ["组织引领"]}), "rename column '引领' to 'leadership'"),
    ("sheet.xlsx", "labelled=read_coding_sheet(path, framework)"),
])
def test_labelled_mistakes(toy, labelled, words):
    with pytest.raises(ParameterError) as e:
        code(TEXTS, framework=toy, unit="as-is", dimension="leadership", labelled=labelled)
    assert words in one_line(e)


def test_one_list_of_labels_for_two_dimensions(toy):
    with pytest.raises(ParameterError) as e:
        code(TEXTS, framework=toy, unit="as-is", labelled=(TEXTS, ["组织引领", "政治引领"]))
    assert "labels given as one list, but 2 dimensions are coded" in one_line(e)


def test_cross_validation_numbers_a_bad_label_in_the_users_list(toy):
    lab = _labelled(9)["leadership"].tolist()
    lab[7] = "政治"
    with pytest.raises(ParameterError) as e:
        cross_validate_coder(FrameworkCoder(toy, dimension="leadership"),
                             _labelled(9)["text"].tolist(), {"leadership": lab}, k=3)
    assert one_line(e).startswith("unit 8, dimension leadership: '政治' is not a category")


# ---------------------------------------------------------------- coding sheets
SHEET = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4"],
                      "text": ["建立联席会议制度。", "党员开展理论学习。", "街道成立党建联合体。",
                               "今天多云转晴。"],
                      "leadership": ["机制引领", "政治引领", "组织引领", "无"]})


def test_sheet_saved_as_gbk_by_excel(tmp_path, toy):
    p = tmp_path / "编码表.csv"
    SHEET.to_csv(p, index=False, encoding="gbk")
    got = read_coding_sheet(p, toy)
    assert got["leadership"].tolist() == ["机制引领", "政治引领", "组织引领", "无"]
    assert got["text"].iloc[0] == "建立联席会议制度。"


def test_sheet_with_blank_rows_keeps_row_numbers(tmp_path, toy):
    blank = pd.DataFrame([{c: "" for c in SHEET.columns}])
    bad = SHEET.assign(leadership=["机制引领", "政治引领", "组织", "无"])
    p = tmp_path / "sheet.csv"
    pd.concat([bad.iloc[:2], blank, bad.iloc[2:], blank, blank]).to_csv(p, index=False)
    with pytest.raises(ParameterError) as e:
        read_coding_sheet(p, toy)
    # header is row 1, u1 row 2, u2 row 3, the blank row 4, u3 row 5
    assert one_line(e).startswith("sheet.csv row 5, column leadership: '组织' is not a "
                                  "category (did you mean '组织引领'?)")
    p2 = tmp_path / "ok.csv"
    pd.concat([SHEET.iloc[:2], blank, SHEET.iloc[2:], blank]).to_csv(p2, index=False)
    assert read_coding_sheet(p2, toy)["unit_id"].tolist() == ["u1", "u2", "u3", "u4"]


def test_sheet_edited_in_excel_or_wps(tmp_path, toy):
    """An instruction sheet first, bold yellow rows, a blank row, full-width spaces."""
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["请按编码手册编码，每格从下拉列表选择。"])
    ws = wb.create_sheet("coding")
    ws.append(["unit_id ", "text", "leadership", "备注"])
    ws.append(["u1", "建立联席会议制度。", "机制引领　", "已核"])
    ws.append([None, None, None, None])
    ws.append(["u2", "党员开展理论学习。", " 政治引领", None])
    ws.append(["u3", "街道成立党建联合体。", "organisational", None])
    for row in ws.iter_rows(min_row=2, max_row=3):
        for cell in row:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="FFFF00")
    wb.save(tmp_path / "sheet.xlsx")
    got = read_coding_sheet(tmp_path / "sheet.xlsx", toy)
    assert got["unit_id"].tolist() == ["u1", "u2", "u3"]
    assert got["leadership"].tolist() == ["机制引领", "政治引领", "组织引领"]


def test_sheet_row_coded_without_unit_id(tmp_path, toy):
    p = tmp_path / "s.csv"
    SHEET.assign(unit_id=["u1", "", "u3", "u4"]).to_csv(p, index=False)
    with pytest.raises(ParameterError) as e:
        read_coding_sheet(p, toy)
    assert one_line(e).startswith("s.csv row 3, column unit_id: empty, but the row is coded")


@pytest.mark.parametrize("name, content, words", [
    ("old.xls", b"\xd0\xcf\x11\xe0", "Save As"),
    ("broken.xlsx", b"unit_id,leadership\n", "not a valid .xlsx file"),
])
def test_sheet_files_that_cannot_be_read(tmp_path, toy, name, content, words):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as e:
        read_coding_sheet(tmp_path / name, toy)
    assert words in one_line(e)


# ---------------------------------------------------------------- reliability
A = SHEET[["unit_id", "leadership"]]


def test_reliability_sheets_of_different_samples(toy):
    other = A.assign(unit_id=["x1", "x2", "x3", "x4"])
    with pytest.raises(ParameterError) as e:
        reliability_report([A, other], toy, names=["甲", "乙"])
    assert "coders 甲 and 乙 share no unit_id" in one_line(e)


def test_reliability_partly_different_units_warns_and_uses_the_common_ones(toy):
    short = A.iloc[:3].assign(leadership=["机制引领", "政治引领", "机制引领"])
    with pytest.warns(UserWarning, match="coded 3 units in common; 1 units only in 甲, 0 only "
                      "in 乙"):
        rep = reliability_report([A, short], toy, names=["甲", "乙"])
    row = rep.iloc[0]
    assert row["n_units"] == 3 and row["percent_agreement"] == pytest.approx(2 / 3)


def test_reliability_checks_labels_names_and_inputs(toy):
    with pytest.raises(ParameterError) as e:
        reliability_report([A, A.assign(leadership=["机制", "政治引领", "组织引领", "无"])], toy)
    assert one_line(e).startswith("coder coder2 row 1, column leadership: '机制' is not a "
                                  "category")
    with pytest.raises(ParameterError, match="names has 1 names for 2 codings"):
        reliability_report([A, A], toy, names=["甲"])
    with pytest.raises(ParameterError, match="'甲' is given twice"):
        reliability_report([A, A], toy, names=["甲", "甲"])
    with pytest.raises(ColumnError, match="coder coder1: the table has no unit_id column"):
        reliability_report([A.drop(columns="unit_id"), A], toy)
    with pytest.raises(ParameterError, match="coder coder1: got list"):
        reliability_report([["无"], ["无"]], toy)


def test_reliability_same_file_name_in_two_folders(tmp_path, toy):
    for who in ("甲", "乙"):
        (tmp_path / who).mkdir()
        SHEET.to_csv(tmp_path / who / "sheet.csv", index=False)
    rep = reliability_report([tmp_path / "甲" / "sheet.csv", tmp_path / "乙" / "sheet.csv"], toy)
    assert rep["coder_a"].iloc[0] == "sheet.csv" and rep["coder_b"].iloc[0] == "乙/sheet.csv"


def test_reliability_leaves_out_an_uncoded_dimension_without_warnings(toy):
    both = SHEET.assign(results="")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = reliability_report([both, both], toy)
    assert rep["dimension"].unique().tolist() == ["leadership"]


def test_alpha_with_no_pairable_unit_is_an_error():
    with pytest.raises(ParameterError, match="no unit is coded by two or more coders"):
        krippendorff_alpha([["政治引领", None], [None, "无"]])


# ---------------------------------------------------------------- evidence
@pytest.fixture(scope="module")
def coded(toy):
    docs = corpus_from_frame(pd.DataFrame({
        "doc_id": ["a", "b"], "region": ["甲市", "乙市"], "year": [2021, 2022],
        "text": ["街道成立党建联合体，扩大组织覆盖。党员开展理论学习。",
                 "区委建立联席会议制度。今天多云转晴。"]}))
    sents = corpus_reshape(docs, to="sentences")
    return sents, code(sents, framework=toy, unit="as-is", dimension="leadership")


@pytest.mark.parametrize("kwargs, error, words", [
    ({"by": ["province"]}, ColumnError, "no document variable 'province' in the corpus; "
     "available: region, year"),
    ({"n_quotes": -1}, ParameterError, "n_quotes=-1: give a whole number"),
    ({"n_quotes": 1.5}, ParameterError, "n_quotes=1.5"),
    ({"dimension": "results"}, ParameterError, "no codings for dimension(s) results"),
])
def test_evidence_mistakes(coded, kwargs, error, words):
    sents, c = coded
    with pytest.raises(error) as e:
        evidence_table(c, sents, **kwargs)
    assert words in one_line(e)


def test_evidence_wrong_objects(coded):
    sents, c = coded
    with pytest.raises(ParameterError, match="codings is list"):
        evidence_table([1, 2], sents)
    with pytest.raises(ParameterError, match="corpus is list"):
        evidence_table(c, ["街道成立党建联合体。"])


def test_evidence_counts_only_and_codebook_order(coded):
    sents, c = coded
    ev = evidence_table(c, sents, by="region", n_quotes=0)
    assert ev.quotes.empty
    w = ev.wide_counts("leadership")
    # every category of the codebook, in its order, 无 last, even if never coded
    assert list(w.columns) == ["region", "政治引领", "组织引领", "机制引领", "无"]
    assert "## 引领 (leadership): counts" in ev.to_markdown()


@pytest.mark.parametrize("method, name, words", [
    ("to_xlsx", "evidence.csv", "to_xlsx writes a .xlsx file but evidence.csv ends in .csv"),
    ("to_latex", "evidence.md", "name it evidence.tex"),
    ("to_xlsx", "", "is a folder"),
])
def test_evidence_exports_refuse_wrong_names_and_write_nothing(tmp_path, coded, method, name,
                                                               words):
    sents, c = coded
    ev = evidence_table(c, sents, by="region", n_quotes=1)
    target = tmp_path / name if name else tmp_path
    with pytest.raises(OutputError) as e:
        getattr(ev, method)(target)
    assert words in one_line(e)
    assert list(tmp_path.iterdir()) == []


def test_suggest_shows_the_coded_label(coded):
    sents, c = coded
    s = suggest_units_to_code(c, n=4, dimension="leadership")
    coded_now = c.wide().set_index("unit_id")["leadership"]
    assert s["leadership"].tolist() == coded_now.loc[s["unit_id"]].tolist()
    with pytest.raises(ParameterError, match="n=0"):
        suggest_units_to_code(c, n=0)


def test_sheet_with_a_title_row_above_the_header(tmp_path, toy):
    wb = Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("第一轮")
    ws.append(["编码表（第一轮，编码员甲）"])
    ws.append(["unit_id", "text", "leadership"])
    ws.append(["u1", "建立联席会议制度。", "机制引领"])
    ws.append(["u2", "党员开展理论学习。", "政治"])
    wb.save(tmp_path / "titled.xlsx")
    with pytest.raises(ParameterError) as e:
        read_coding_sheet(tmp_path / "titled.xlsx", toy)
    # title row 1, header row 2, u1 row 3, u2 row 4
    assert one_line(e).startswith("titled.xlsx row 4, column leadership: '政治'")


def test_sample_for_coding_arguments(tmp_path, coded):
    from quanyu_nlp.coding import sample_for_coding

    sents, _ = coded
    with pytest.raises(ParameterError, match="n='3': ask for a whole number"):
        sample_for_coding(sents, "3", framework=TOY_FW)
    with pytest.raises(OutputError, match="is a folder; give the sheet's file name"):
        sample_for_coding(sents, 2, framework=TOY_FW, path=tmp_path)
    sheet = sample_for_coding(sents, 2, stratify="region", framework=TOY_FW, unit="as-is")
    assert sorted(sheet["region"]) == ["乙市", "甲市"]


def test_reliability_model_coding_the_whole_corpus_is_not_warned(coded, toy):
    sents, c = coded
    ids = c.wide()["unit_id"].tolist()[:2]
    person = pd.DataFrame({"unit_id": ids, "leadership": ["组织引领", "政治引领"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = reliability_report([person, c], toy, names=["甲", "model"])
    assert rep["n_units"].tolist() == [2, 2]


TOY_FW = Framework.from_dict(TOY)


def test_sample_for_coding_keeps_a_sheet_someone_has_coded(tmp_path, coded):
    from quanyu_nlp.coding import sample_for_coding

    sents, _ = coded
    path = tmp_path / "sheet.xlsx"
    sample_for_coding(sents, 2, framework=TOY_FW, path=path, unit="as-is")
    sample_for_coding(sents, 2, framework=TOY_FW, path=path, unit="as-is")  # not coded yet
    filled = read_coding_sheet(path, TOY_FW, dimension="leadership").assign(
        leadership=["组织引领", "无"])
    filled.to_csv(tmp_path / "sheet.csv", index=False)
    before = (tmp_path / "sheet.csv").read_bytes()
    with pytest.raises(OutputError) as e:
        sample_for_coding(sents, 2, framework=TOY_FW, path=path, unit="as-is")
    assert "sheet.csv already has 2 coded cells; it is kept" in one_line(e)
    assert (tmp_path / "sheet.csv").read_bytes() == before
    sample_for_coding(sents, 2, framework=TOY_FW, path=path, unit="as-is", overwrite=True)
    assert read_coding_sheet(tmp_path / "sheet.csv", TOY_FW)["leadership"].isna().all()


def test_sample_for_coding_writes_both_files_or_neither(tmp_path, coded, monkeypatch):
    from quanyu_nlp.coding import sample_for_coding

    sents, _ = coded

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError):
        sample_for_coding(sents, 2, framework=TOY_FW, path=tmp_path / "s.xlsx", unit="as-is")
    assert list(tmp_path.iterdir()) == []


def test_a_seed_term_under_two_categories(tmp_path):
    path = tmp_path / "codebook.toml"
    path.write_text(CODEBOOK.replace('seed_terms = ["组织"]', 'seed_terms = ["组织", "政治"]'),
                    encoding="utf-8")
    with pytest.raises(FrameworkError) as e:
        load_framework(path)
    msg = one_line(e)
    assert "line 18" in msg and "seed term '政治' of category 'org'" in msg
    assert "is also one of category 'pol'" in msg


def test_exports_into_a_folder_that_does_not_exist_yet(tmp_path, coded):
    # Not a mistake: the folders are made (atomically written files, nothing partial).
    sents, c = coded
    ev = evidence_table(c, sents, by="region", n_quotes=1)
    out = tmp_path / "论文" / "表格"
    assert ev.to_xlsx(out / "evidence.xlsx").is_file()
    assert sorted(p.name for p in ev.to_csv(out / "csv")) == ["counts.csv", "quotes.csv"]
    ev.to_latex(out / "tex" / "evidence.tex")
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [
        "counts.csv", "evidence.tex", "evidence.xlsx", "quotes.csv"]


# ---------------------------------------------------------------- audit: raw errors
def _eight_docs():
    return [["防汛", "抢险"], ["党员", "培训"], ["村民", "议事"], ["垃圾", "分类"]] * 2


@pytest.mark.parametrize("call, error, words", [
    (lambda: select_k(_eight_docs(), ks=[3, 3]),
     ParameterError, "ks=[3, 3] lists 3 twice"),
    (lambda: LdaTopics(12).fit(_eight_docs()),
     ParameterError, "K=12 topics for 8 documents (units): use K <= 8"),
    (lambda: corpus_from_frame(pd.DataFrame({"text": ["甲。"], "year": ["2021年"]})),
     ColumnError, "row 0 (doc_id 'd0001'), column year: '2021年' is not a year in digits"),
    (lambda: load_stopwords(["zh", "party"]),
     ParameterError, "write stopwords='zh+party'"),
])
def test_audited_mistakes_that_used_to_be_raw_or_silent(call, error, words):
    # Before: KeyError: 'npmi'; "no terms left after trimming ... loosen the trimming";
    # the year silently became missing; the words "zh" and "party" were removed.
    with pytest.raises(error) as e:
        call()
    assert words in one_line(e)


def test_audited_framework_folder_and_evidence_by_twice(tmp_path, monkeypatch, coded):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "codebooks").mkdir()
    with pytest.raises(FrameworkError) as e:
        load_framework("codebooks")  # was: no built-in framework 'codebooks'
    assert "codebooks is a folder, not a codebook file" in one_line(e)
    sents, c = coded
    with pytest.raises(ParameterError) as e:
        evidence_table(c, sents, by=["region", "region"])  # was: a raw ValueError
    assert "names 'region' twice" in one_line(e)
