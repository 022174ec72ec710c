"""Corpus, readers, normalisation and structure, on fixtures written for these tests.

All Chinese text here is written by the project (illustrative, fictional places).
"""


import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyu_nlp.corpus import (corpus_from_frame, corpus_from_texts, corpus_normalize,
                               corpus_references, corpus_reshape, corpus_sample,
                               corpus_subset, parse_blocks, read_corpus, split_sentences)
from quanyu_nlp.errors import ColumnError, EncodingError, InputError, ParameterError

CASE = ("青岚市望禾镇推进党建联合体建设\n"
        "2021年以来，望禾镇党委牵头组建党建联合体。\n"
        "一、主要做法\n"
        "（一）强化政治引领\n"
        "镇党委坚持“第一议题”制度；各村党支部每月开展理论学习；驻村单位党组织定期参加联学。\n"
        "1.建立联席会议制度。一是每季度召开一次会议，二是建立问题清单。\n"
        "（二）扩大两个覆盖\n"
        "新就业群体党员纳入网格党支部管理。\n"
        "二、取得成效\n"
        "群众满意度明显提升！他说：“现在办事方便多了。”大家都笑了……\n")

ARTICLE = ("党建联合体的实践逻辑\n"
           "林若溪 周明远\n"
           "中共青岚市委党校 青岚 000000\n"
           "摘要：本文以栖梧市为例，讨论党建联合体。研究发现组织力有所提升。\n"
           "关键词：党建联合体；组织力；两个覆盖\n"
           "一、问题的提出\n"
           "基层党建面临新情况。\n"
           "（一）研究背景\n"
           "新就业群体不断增加。\n"
           "参考文献：\n"
           "[1] 王一. 论组织力[J]. 青岚党建研究, 2020(3): 1-5.\n"
           "[2] 李二. 区域化党建[J]. 栖梧学刊, 2021(1): 6-9.\n")


# ---- Corpus basics ---------------------------------------------------------------

def test_corpus_from_texts_basics():
    c = corpus_from_texts(["党建引领。", "组织覆盖。"], docvars={"region": ["甲", "乙"],
                                                           "year": [2020, 2021]})
    assert len(c) == 2 and c.level == "documents"
    assert c.doc_ids == ["d0001", "d0002"]
    assert list(c.docvars.columns) == ["region", "year"]
    assert [r.text for r in c] == ["党建引领。", "组织覆盖。"]
    assert "Corpus" in repr(c) and "<table" in c._repr_html_()
    # a document-level corpus names its count once; sub-units name both
    assert repr(c).startswith("<Corpus: 2 documents, 10 characters;")
    assert "2 documents · 2 documents" not in c._repr_html_()


def test_corpus_is_immutable():
    c = corpus_from_texts(["甲。"])
    with pytest.raises(AttributeError):
        c.level = "sentences"
    u = c.units
    u.loc[0, "text"] = "乙"
    assert c.texts == ["甲。"]


def test_subset_and_sample_reproducible():
    c = corpus_from_texts([f"第{i}篇。" for i in range(20)],
                          docvars={"year": [2018 + i % 4 for i in range(20)]})
    s = corpus_subset(c, "year >= 2020")
    assert len(s) == 10 and set(s.docvars["year"]) == {2020, 2021}
    assert len(corpus_subset(c, year=[2018, 2019])) == 10
    with pytest.raises(ColumnError, match="region"):
        corpus_subset(c, region="甲")
    a = corpus_sample(c, 5, random_state=3)
    b = corpus_sample(c, 5, random_state=3)
    assert a.unit_ids == b.unit_ids and len(a) == 5
    assert len(corpus_sample(c, 2, by="year", random_state=1)) == 8
    with pytest.raises(ParameterError):
        corpus_sample(c, 50)
    assert a.meta["steps"][-1]["step"] == "corpus_sample"


# ---- structure -------------------------------------------------------------------

def test_policy_structure_sections():
    blocks = parse_blocks(CASE)
    got = [(b.part, b.section) for b in blocks]
    assert got[0] == ("title", "")
    assert ("heading", "一") in got and ("heading", "一 > （一）") in got
    assert ("body", "一 > （一） > 1.") in got
    assert ("heading", "二") in got


def test_sentences_keep_offsets_and_sections():
    c = corpus_from_texts([CASE])
    s = corpus_reshape(c, to="sentences")
    assert repr(s).startswith(f"<Corpus: {len(s)} sentences, 1 document,")
    doc = c.texts[0]
    for u in s:
        assert doc[u.start:u.end] == u.text
    texts = s.texts
    # semicolon list of a policy paragraph is split into its items
    assert "镇党委坚持“第一议题”制度；" in texts
    # 一是 … 二是 … items know their clause
    row = s.units[s.units.text.str.startswith("一是")].iloc[0]
    assert row.section == "一 > （一） > 1. > 一是"
    # closing quote stays with its sentence; the ellipsis ends the paragraph's sentence
    assert "他说：“现在办事方便多了。”" in texts
    assert texts[-1] == "大家都笑了……"
    assert list(s.units.sent_no) == list(range(1, len(s) + 1))


def test_article_structure_and_references():
    c = read_corpus_from_text(ARTICLE)
    s = corpus_reshape(c, to="paragraphs")
    parts = dict(zip(s.units.part, s.texts))
    assert parts["title"] == "党建联合体的实践逻辑"
    assert parts["author"] == "林若溪 周明远"
    assert parts["affiliation"].startswith("中共青岚市委党校")
    assert parts["abstract"].startswith("本文以栖梧市为例")
    assert parts["keywords"] == "党建联合体；组织力；两个覆盖"
    refs = corpus_references(c)
    assert list(refs.ref_no) == ["1", "2"] and refs.text[1].startswith("[2] 李二")
    assert c.docvars.loc[0, "title"] == "党建联合体的实践逻辑"


def read_corpus_from_text(text, tmp=None):
    import tempfile
    from pathlib import Path
    d = Path(tempfile.mkdtemp())
    (d / "a.txt").write_text(text, encoding="utf-8")
    return read_corpus(d)


@pytest.mark.parametrize("text,expected", [
    ("会议强调：要坚持党建引领！大家表示赞同？", ["会议强调：要坚持党建引领！", "大家表示赞同？"]),
    ("“我们一定做到。”他说。", ["“我们一定做到。”", "他说。"]),
    ("等等……都很好。", ["等等……都很好。"]),
    ("一是抓组织；二是抓队伍；三是抓机制。", ["一是抓组织；", "二是抓队伍；", "三是抓机制。"]),
    ("增长3.5个百分点。", ["增长3.5个百分点。"]),
])
def test_split_sentences_cases(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


cjk = st.text(alphabet=st.sampled_from(list("党建引领组织覆盖。！？；，“”……（）一二三是、1. \n\u3000")),
              max_size=200)


@settings(max_examples=150, deadline=None)
@given(st.lists(cjk, min_size=1, max_size=4))
def test_offsets_property(texts):
    c = corpus_from_texts(texts)
    for to in ("paragraphs", "sentences"):
        r = corpus_reshape(c, to=to)
        for u in r:
            assert c.doc_text(u.doc_id)[u.start:u.end] == u.text
            assert u.text.strip() == u.text and u.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=5))
def test_offsets_property_any_unicode(texts):
    c = corpus_from_texts(texts)
    for u in corpus_reshape(c, to="sentences"):
        assert c.doc_text(u.doc_id)[u.start:u.end] == u.text


# ---- readers ---------------------------------------------------------------------

TEXT = "党建联合体推动两个覆盖。\n组织力进一步提升。\n"


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                          ("gb18030", b""), ("gbk", b""),
                                          ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_encodings_detected(tmp_path, encoding, bom):
    (tmp_path / "a.txt").write_bytes(bom + TEXT.replace("\n", "\r\n").encode(encoding))
    c = read_corpus(tmp_path / "a.txt")
    assert c.texts[0] == TEXT  # CRLF normalised, BOM gone


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(codec="gb18030", exclude_categories=("Cs", "Cc")),
               min_size=1, max_size=60).filter(lambda t: t.strip()))
def test_reader_roundtrip_property(text):
    import tempfile
    from pathlib import Path
    d = Path(tempfile.mkdtemp())
    for enc in ("utf-8", "utf-16"):
        (d / "x.txt").write_bytes(text.encode(enc))
        got = read_corpus(d / "x.txt").texts[0]
        assert got == text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def test_folder_manifest_and_front_matter(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a1.txt").write_text("甲文。", encoding="utf-8")
    (tmp_path / "sub" / "a2.md").write_text("---\ntitle: 乙文标题\nyear: 2019\n---\n# 乙文\n正文。",
                                            encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    pd.DataFrame({"doc_id": ["a1", "a2"], "region": ["青岚市", "柘阳市"],
                  "year": [2020, 2021]}).to_csv(tmp_path / "manifest.csv", index=False)
    with pytest.warns(UserWarning, match="empty"):
        c = read_corpus(tmp_path)
    assert c.doc_ids == ["a1", "a2"]
    assert list(c.docvars["region"]) == ["青岚市", "柘阳市"]
    assert list(c.docvars["year"]) == [2020, 2021]  # manifest wins over front matter
    assert c.docvars.loc[1, "title"] == "乙文标题"
    assert c.texts[1] == "乙文\n正文。"
    assert c.meta["skipped"] == [{"path": "empty.txt", "reason": "empty"}]
    assert c.units.source_path.tolist() == ["a1.txt", "sub/a2.md"]
    assert len(c.units.content_hash[0]) == 64


def test_csv_xlsx_and_text_column(tmp_path):
    df = pd.DataFrame({"id": ["x", "y"], "正文": ["第一篇。", "第二篇。"], "year": [2020, 2022]})
    df.to_csv(tmp_path / "t.csv", index=False, encoding="utf-8-sig")
    c = read_corpus(tmp_path / "t.csv")
    assert c.doc_ids == ["x", "y"] and c.texts == ["第一篇。", "第二篇。"]
    df.to_excel(tmp_path / "t.xlsx", index=False)
    c2 = read_corpus(tmp_path / "t.xlsx", text_column="正文")
    assert c2.texts == c.texts
    with pytest.raises(ColumnError, match="body"):
        read_corpus(tmp_path / "t.csv", text_column="body")


def test_lines_mode(tmp_path):
    (tmp_path / "docs.txt").write_text("第一行。\n\n第三行。\n", encoding="utf-8")
    c = read_corpus(tmp_path / "docs.txt", lines=True)
    assert c.doc_ids == ["docs-1", "docs-3"]


def test_docx_html_pdf(tmp_path):
    import docx
    d = docx.Document()
    d.add_paragraph("党建联合体。")
    d.add_paragraph("组织力提升。")
    d.save(tmp_path / "a.docx")
    (tmp_path / "b.html").write_text("<html><body><script>x=1</script><p>红色物业</p>"
                                     "<p>网格党支部</p></body></html>", encoding="utf-8")
    c = read_corpus(tmp_path)
    assert c.texts[0] == "党建联合体。\n组织力提升。"
    assert "红色物业" in c.texts[1] and "x=1" not in c.texts[1]


def test_corrupt_and_binary_files(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match="bad.docx"):
        read_corpus(tmp_path / "bad.docx")
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(InputError, match="bad.pdf"):
        read_corpus(tmp_path / "bad.pdf")
    (tmp_path / "img.txt").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="img.txt"):
        read_corpus(tmp_path / "img.txt")
    with pytest.raises(InputError, match="nothere"):
        read_corpus(tmp_path / "nothere")
    (tmp_path / "x.rtf").write_text("x")
    with pytest.raises(InputError, match="unsupported"):
        read_corpus(tmp_path / "x.rtf")


def test_forced_wrong_encoding(tmp_path):
    (tmp_path / "g.txt").write_bytes("组织力".encode("gb18030"))
    with pytest.raises(EncodingError, match="g.txt"):
        read_corpus(tmp_path / "g.txt", encoding="utf-8")


# ---- normalisation ---------------------------------------------------------------

def test_normalize_records_step():
    c = corpus_from_texts(["２０２３年，ＡＢＣ社区\u200b党 建工作。\n下载\n字号：大 中 小\n正文。",
                           "黨建引領"])
    n = corpus_normalize(c, strip_chrome=True, t2s=True)
    assert n.texts[0] == "2023年，ABC社区党建工作。\n正文。"
    assert n.texts[1] == "党建引领"
    step = n.meta["steps"][-1]
    assert step["step"] == "corpus_normalize" and step["changed_documents"] == 2
    with pytest.raises(ParameterError, match="before"):
        corpus_normalize(corpus_reshape(c, to="sentences"))


def test_paragraph_marks_split_flattened_reports():
    c = corpus_normalize(corpus_from_texts(["\u3000\u3000第一段。\u3000\u3000第二段。"]))
    assert c.texts[0] == "第一段。\n第二段。"


def test_from_frame_errors():
    with pytest.raises(ColumnError, match="text"):
        corpus_from_frame(pd.DataFrame({"x": [1]}))
    with pytest.raises(ColumnError, match="duplicate"):
        corpus_from_frame(pd.DataFrame({"id": ["a", "a"], "text": ["甲", "乙"]}))


@pytest.mark.parametrize("value", ["二〇二一", "2021年", "n/a", 2021.5, "约2020"])
def test_in_memory_year_that_is_not_digits_names_row_doc_id_and_value(value):
    # errors="coerce" used to turn these into missing years without a word, so the
    # document dropped out of every table by year; the file readers refuse them.
    frame = pd.DataFrame({"doc_id": ["望禾-1", "望禾-2"], "text": ["甲文。", "乙文。"],
                          "year": [2020, value]})
    with pytest.raises(ColumnError) as e:
        corpus_from_frame(frame, source="报告表")
    msg = str(e.value)
    assert msg.startswith(f"报告表 row 1 (doc_id '望禾-2'), column year: {value!r} is not a "
                          "year in digits; write it like 2021")
    assert "\n" not in msg


def test_in_memory_year_check_counts_the_other_bad_rows_and_reads_年份():
    with pytest.raises(ColumnError, match=r"<texts> row 0 \(doc_id 'd0001'\), column 年份: "
                                          r"'二〇二〇' is not a year in digits \(and 1 more\)"):
        corpus_from_texts(["甲。", "乙。", "丙。"], docvars={"年份": ["二〇二〇", "2021", "2022年"]})


def test_in_memory_years_accept_numbers_digit_strings_and_missing_values():
    years = [2020, "2021", " 2022 ", 2023.0, "2024.0", None, float("nan"), ""]
    c = corpus_from_texts([f"第{i}篇。" for i in range(len(years))], docvars={"year": years})
    assert c.docvars["year"].tolist()[:5] == [2020, 2021, 2022, 2023, 2024]
    assert c.docvars["year"].isna().tolist() == [False] * 5 + [True] * 3
    # a corpus's own nullable-integer years (pd.NA) go round again
    again = corpus_from_frame(c.units.drop(columns=["unit_id"]))
    assert again.docvars["year"].isna().sum() == 3
    assert str(again.docvars["year"].dtype) == "Int64"


def test_in_memory_other_columns_and_non_string_column_names_are_untouched():
    c = corpus_from_frame(pd.DataFrame({"text": ["甲。", "乙。"], "region": ["二〇二一", "n/a"],
                                        0: ["x", "y"]}))
    assert c.docvars["region"].tolist() == ["二〇二一", "n/a"]
