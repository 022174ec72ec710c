"""Tests of evidence tables: verbatim quotes, citations, counts, exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from quanyu_nlp.coding import DictionaryCoder, code
from quanyu_nlp.corpus import corpus_from_texts
from quanyu_nlp.errors import ColumnError, ParameterError
from quanyu_nlp.evidence import (citation_line, evidence_table, genre_code,
                                 latex_escape)
from quanyu_nlp.frameworks import Framework

from test_coding import TOY  # noqa: E402


@pytest.fixture(scope="module")
def toy():
    return Framework.from_dict(TOY)


DOCS = ["一、基本情况\n社区党委组建党建联合体。今天多云转晴。\n二、主要做法\n（一）建机制\n街道建立联席会议制度。党组织凝聚力显著增强。",
        "商圈成立联合党委。开展主题教育。",
        "园区组建联合党委。群众获得感明显增强。"]


@pytest.fixture(scope="module")
def corpus():
    return corpus_from_texts(DOCS, docvars={
        "region": ["甲", "乙", "乙"], "year": [2020, 2021, 2021],
        "author": ["王某", "李某", "张某"], "title": ["社区党建的实践", "商圈党建", "园区党建_探索 & 50%"],
        "genre": ["journal", "news", "report"], "source": ["某某学报", "某某日报", "某某研究院"]})


@pytest.fixture(scope="module")
def table(corpus, toy):
    cod = code(corpus, framework=toy, method="dictionary")
    return cod, evidence_table(cod, corpus, by=["region"], n_quotes=2)


def test_quotes_are_verbatim(table, corpus):
    _, et = table
    assert len(et.quotes) > 0
    for q in et.quotes.itertuples():
        assert corpus.doc_text(q.doc_id)[q.start:q.end] == q.quote


def test_citation_line_gbt7714():
    row = {"author": "王某", "title": "社区党建的实践", "genre": "journal", "source": "某某学报",
           "year": 2021, "section": "三 > （二）", "sent_no": 12}
    assert citation_line(row) == "王某. 社区党建的实践[J]. 某某学报, 2021.（三 > （二），第12句）"
    assert citation_line(row, location=False) == "王某. 社区党建的实践[J]. 某某学报, 2021."
    assert citation_line({"title": "某报道", "genre": "报纸", "year": 2022.0}) == "某报道[N]. 2022."
    assert citation_line({"title": "t", "para_no": 3}) == "t[Z].（第3段）"


def test_genre_codes():
    assert genre_code("journal") == "J" and genre_code("期刊论文") == "J"
    assert genre_code("news") == "N" and genre_code("report") == "R"
    assert genre_code(None) == "Z" and genre_code("whatever") == "Z"


def test_quotes_carry_citations_with_section_and_sentence(table):
    _, et = table
    q = et.quotes[et.quotes["quote"] == "街道建立联席会议制度。"].iloc[0]
    # headings count as sentences in the corpus's numbering: 一、… is 1, 二、… 4, （一）… 5
    assert q["citation"] == "王某. 社区党建的实践[J]. 某某学报, 2020.（二 > （一），第6句）"
    assert q["category"] == "机制引领"


def test_counts_and_shares(table):
    cod, et = table
    c = et.counts
    assert list(c.columns) == ["region", "dimension", "category", "n", "share"]
    sums = c.groupby(["region", "dimension"])["share"].sum()
    assert np.allclose(sums, 1.0)
    # every coded unit counted once per dimension
    assert c[c["dimension"] == "leadership"]["n"].sum() == cod.to_frame()["unit_id"].nunique()
    w = et.wide_counts("leadership")
    assert "组织引领" in w.columns and set(w["region"]) == {"甲", "乙"}


def test_quotes_ranked_and_limited(table):
    _, et = table
    for _, g in et.quotes.groupby(["region", "dimension", "category"]):
        assert len(g) <= 2
        assert g["rank"].tolist() == list(range(1, len(g) + 1))
        assert g["score"].is_monotonic_decreasing or g["doc_id"].nunique() > 1
    assert "无" not in set(et.quotes["category"])


def test_unknown_by_column_lists_available(table, corpus):
    cod, _ = table
    with pytest.raises(ColumnError) as e:
        evidence_table(cod, corpus, by=["province"])
    msg = str(e.value)
    assert "province" in msg and "region" in msg and "year" in msg


def test_no_grouping(table, corpus):
    cod, _ = table
    et = evidence_table(cod, corpus, by=[], n_quotes=1)
    assert list(et.counts.columns) == ["dimension", "category", "n", "share"]
    assert et.quotes.groupby(["dimension", "category"]).size().max() == 1


def test_exports(table, tmp_path):
    _, et = table
    files = et.to_csv(tmp_path / "ev")
    assert sorted(p.name for p in files) == ["counts.csv", "quotes.csv"]
    back = pd.read_csv(tmp_path / "ev" / "quotes.csv", encoding="utf-8-sig")
    assert back["quote"].tolist() == et.quotes["quote"].tolist()
    et.to_xlsx(tmp_path / "ev.xlsx")
    assert load_workbook(tmp_path / "ev.xlsx").sheetnames == ["counts", "shares", "quotes"]
    md = et.to_markdown(tmp_path / "ev.md")
    assert "| region |" in md and "“街道建立联席会议制度。”" in md
    assert (tmp_path / "ev.md").read_text(encoding="utf-8") == md
    tex = et.to_latex(tmp_path / "ev.tex")
    assert r"\begin{tabular}" in tex
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


def test_latex_escapes_special_characters(table):
    assert latex_escape("a_b & 50% #1 {x} $y ~ ^ \\") == \
        r"a\_b \& 50\% \#1 \{x\} \$y \textasciitilde{} \textasciicircum{} \textbackslash{}"
    _, et = table
    tex = et.to_latex()
    assert r"园区党建\_探索 \& 50\%" in tex
    assert "园区党建_探索" not in tex


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(["街道成立党建联合体", "开展主题教育", "今天多云",
                                          "建立联席会议制度", "  空格 ", "群众获得感明显增强"]),
                         min_size=1, max_size=5), min_size=1, max_size=3),
       st.sampled_from(["。", "！", "；", "？"]))
def test_quotes_are_verbatim_property(toy, sents, punct):
    texts = [punct.join(s) + punct for s in sents]
    c = corpus_from_texts(texts, docvars={"g": ["x"] * len(texts)})
    cod = DictionaryCoder(toy).fit().code(c, unit="sentence")
    et = evidence_table(cod, c, by=["g"], n_quotes=5)
    for q in et.quotes.itertuples():
        assert c.doc_text(q.doc_id)[q.start:q.end] == q.quote


def test_citation_drops_book_title_marks_around_the_journal():
    # A manifest often writes the journal as 《某某学报》; GB/T 7714 does not.
    row = {"author": "王某", "title": "社区党建的实践", "genre": "期刊", "source": "《某某学报》",
           "year": 2021}
    assert citation_line(row, location=False) == "王某. 社区党建的实践[J]. 某某学报, 2021."


def test_a_codebooks_own_none_label_is_not_quoted():
    fw = {**TOY, "dimensions": [{**TOY["dimensions"][0], "none_label": "不适用"}]}
    fw = Framework.from_dict(fw)
    docs = corpus_from_texts(["今天多云转晴。", "街道成立党建联合体。"])
    c = code(docs, framework=fw, unit="as-is")
    assert set(c.wide()["leadership"]) == {"不适用", "组织引领"}
    ev = evidence_table(c, docs, by=None, n_quotes=3)
    assert ev.quotes["category"].tolist() == ["组织引领"]
    assert list(ev.wide_counts("leadership").columns) == ["dimension", "政治引领", "组织引领",
                                                         "机制引领", "不适用"]


@pytest.mark.parametrize("by, words", [
    (["region", "region"], "by=['region', 'region'] names 'region' twice; give each document "
     "variable once: by=['region']"),
    (("region", "year", "region"), "names 'region' twice; give each document variable once: "
     "by=['region', 'year']"),
    ([["region"]], "['region'] is not a document variable name; give names as strings"),
    (2021, "by=2021: give the name of a document variable or a list of names"),
    (["category"], "'category' is a column evidence_table makes itself"),
    (["region", "n"], "'n' is a column evidence_table makes itself"),
])
def test_bad_by_is_a_one_line_parameter_error(table, corpus, by, words):
    # by=["region", "region"] used to end in a raw pandas ValueError.
    cod, _ = table
    with pytest.raises(ParameterError) as e:
        evidence_table(cod, corpus, by=by)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_a_document_variable_named_like_an_output_column_is_refused(toy):
    # The codings' category would silently win over the documents' own "category".
    c = corpus_from_texts(DOCS, docvars={"category": ["通讯", "报告", "报告"]})
    cod = code(c, framework=toy, method="dictionary")
    with pytest.raises(ParameterError, match="rename the document variable 'category'"):
        evidence_table(cod, c, by="category")


def test_counts_and_quotes_per_document(table, corpus):
    cod, _ = table
    et = evidence_table(cod, corpus, by=["doc_id"], n_quotes=1)
    assert list(et.counts.columns) == ["doc_id", "dimension", "category", "n", "share"]
    assert list(et.quotes.columns).count("doc_id") == 1
    assert set(et.counts["doc_id"]) == set(corpus.doc_ids)
    for _, q in et.quotes.iterrows():
        assert corpus.doc_text(q["doc_id"])[q["start"]:q["end"]] == q["quote"]
