"""Tests for quanyu_nlp.features on tiny Chinese fixtures checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from quanyu_nlp.dfm import dfm, dfm_trim
from quanyu_nlp.errors import ColumnError, ParameterError
from quanyu_nlp.features import (Fcm, Kwic, fcm, kwic, textstat_collocations,
                                 textstat_frequency, textstat_keyness)


class FakeTokens:
    """Stand-in for quanyu_nlp.segment.Tokens: tokens with offsets into texts."""

    def __init__(self, token_lists, seps=None, unit_ids=None, docvars=None):
        self._lists = [list(t) for t in token_lists]
        self._texts, self._offs = [], []
        for u, toks in enumerate(self._lists):
            text, offs = "", []
            for k, t in enumerate(toks):
                if seps is not None:
                    text += seps[u][k]
                offs.append((len(text), len(text) + len(t)))
                text += t
            self._texts.append(text)
            self._offs.append(offs)
        self.unit_ids = unit_ids or [f"u{i + 1}" for i in range(len(token_lists))]
        self.docvars = docvars if docvars is not None else pd.DataFrame(
            index=range(len(token_lists)))
        self.meta = {}

    def to_lists(self):
        return [list(t) for t in self._lists]

    @property
    def texts(self):
        return list(self._texts)

    def offsets(self, i):
        return list(self._offs[i])


def _segment_or_skip():
    try:
        from quanyu_nlp.segment import segment
    except Exception as exc:  # pragma: no cover - depends on the segmenter landing
        pytest.skip(f"quanyu_nlp.segment not importable yet ({exc})")
    return segment


# Written for these tests.
A = [["党建", "联合体", "带动", "村", "集体", "增收"],
     ["村", "党支部", "加入", "党建", "联合体"],
     ["社区", "党组织", "牵头", "成立", "联合", "党委"]]


# ===================================================================== KWIC
def test_kwic_single_and_multi_token():
    k = kwic(A, "村", window=2)
    assert isinstance(k, Kwic)
    assert k[["unit_id", "token_start", "token_end", "pre", "keyword", "post"]].values.tolist() == [
        ["text1", 3, 4, "联合体 带动", "村", "集体 增收"],
        ["text2", 0, 1, "", "村", "党支部 加入"],
    ]
    k2 = kwic(A, "党建 联合体", window=1)
    assert k2[["unit_id", "token_start", "token_end", "keyword"]].values.tolist() == [
        ["text1", 0, 2, "党建 联合体"], ["text2", 3, 5, "党建 联合体"]]
    assert k2["post"].tolist() == ["带动", ""]
    assert k2["pre"].tolist() == ["", "加入"]


def test_kwic_joined_pattern_matches_split_or_whole_token():
    toks = [["组建", "党建联合体"], ["组建", "党建", "联合体"], ["党建", "联合"]]
    k = kwic(toks, "党建联合体", window=1)
    assert k[["unit_id", "token_start", "token_end"]].values.tolist() == [
        ["text1", 1, 2], ["text2", 1, 3]]


def test_kwic_glob_regex_alternatives_and_case():
    assert kwic(A, "党*", valuetype="glob")["keyword"].tolist() == [
        "党建", "党支部", "党建", "党组织", "党委"]
    assert kwic(A, "^联合", valuetype="regex")["keyword"].tolist() == [
        "联合体", "联合体", "联合"]
    assert kwic(A, ["社区", "集体"])["keyword"].tolist() == ["集体", "社区"]
    latin = [["推进", "AI", "赋能"]]
    assert len(kwic(latin, "ai")) == 1
    assert len(kwic(latin, "ai", case_insensitive=False)) == 0


def test_kwic_no_match_and_bad_args():
    k = kwic(A, "不存在")
    assert len(k) == 0 and list(k.columns)[:4] == ["unit_id", "doc_id", "token_start",
                                                   "token_end"]
    with pytest.raises(ParameterError):
        kwic(A, "村", window=-1)
    with pytest.raises(ParameterError):
        kwic(A, " ")
    with pytest.raises(ParameterError):
        kwic(A, "(", valuetype="regex")
    with pytest.raises(ParameterError):
        kwic(A, "村", valuetype="fuzzy")


def test_kwic_verbatim_context_and_offsets():
    # texts: "党建 联合体，带动村" with the separators as written
    t = FakeTokens([["党建", "联合体", "，", "带动", "村"]], seps=[["", " ", "", "", ""]],
                   unit_ids=["d1.s1"], docvars=pd.DataFrame({"doc_id": ["d1"]}))
    k = kwic(t, "联合体", window=1)
    row = k.iloc[0]
    assert row["unit_id"] == "d1.s1" and row["doc_id"] == "d1"
    assert (row["char_start"], row["char_end"]) == (3, 6)
    assert t.texts[0][row["char_start"]:row["char_end"]] == "联合体"
    assert row["pre"] == "党建 " and row["post"] == "，"
    # explicit separator joins tokens instead
    assert kwic(t, "联合体", window=1, sep="/").iloc[0]["pre"] == "党建"


def test_kwic_html_escapes_and_highlights():
    toks = [["<script>", "党建", "&", "联合体", "</td>"]]
    h = kwic(toks, "党建 &", window=2)._repr_html_()
    assert "<script>" not in h
    assert h.count("</td>") == 4  # one row of 4 cells: the token "</td>" was escaped
    assert "&lt;/td&gt;" in h
    assert "&lt;script&gt;" in h and "&amp;" in h
    assert "<mark><b>党建 &amp;</b></mark>" in h
    t = FakeTokens([["党建", "联合体", "村"]], seps=[["", "\n", ""]])
    assert "&#8629;" in kwic(t, "联合体", window=1)._repr_html_()
    # a sliced view without the text columns still renders
    assert "<table" in kwic(toks, "党建")[["unit_id"]]._repr_html_()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["党建", "村", "联合体", "，", "组织力", "A"]),
                         max_size=12), min_size=1, max_size=4),
       st.integers(0, 3))
def test_kwic_offsets_property(lists, window):
    seps = [["" if k % 2 else " " for k in range(len(toks))] for toks in lists]
    t = FakeTokens(lists, seps=seps)
    k = kwic(t, "村", window=window)
    assert len(k) == sum(toks.count("村") for toks in lists)
    for r in k.itertuples():
        u = int(r.unit_id[1:]) - 1
        text = t.texts[u]
        assert text[r.char_start:r.char_end] == r.keyword == "村"
        assert lists[u][r.token_start:r.token_end] == ["村"]
        assert text.find(r.pre + r.keyword + r.post) >= 0


# ===================================================================== frequency
def test_frequency_by_hand():
    f = textstat_frequency(A)
    top = f.head(3)
    # 党建 2, 联合体 2, 村 2 (ties keep first appearance), all rank 1
    assert top["feature"].tolist() == ["党建", "联合体", "村"]
    assert top["frequency"].tolist() == [2, 2, 2]
    assert top["rank"].tolist() == [1, 1, 1]
    assert top["docfreq"].tolist() == [2, 2, 2]
    assert f.iloc[3]["rank"] == 4 and f.iloc[3]["frequency"] == 1
    assert set(f["group"]) == {"all"}
    assert len(textstat_frequency(A, n=2)) == 2


def test_frequency_groups_and_dfm_input():
    dv = pd.DataFrame({"field": ["农村", "农村", "城市基层"]})
    t = FakeTokens(A, docvars=dv)
    f = textstat_frequency(t, groups="field", n=2)
    assert f["group"].tolist() == ["农村", "农村", "城市基层", "城市基层"]
    assert f["feature"].tolist() == ["党建", "联合体", "社区", "党组织"]
    assert f["frequency"].tolist() == [2, 2, 1, 1]
    assert f["docfreq"].tolist() == [2, 2, 1, 1]
    same = textstat_frequency(dfm(t), groups="field", n=2)
    pd.testing.assert_frame_equal(f, same)
    with pytest.raises(ColumnError, match="available: field"):
        textstat_frequency(t, groups="region")


def test_frequency_keeps_one_character_tokens():
    f = textstat_frequency([["党", "村", "党"]])
    assert f["feature"].tolist() == ["党", "村"] and f["frequency"].tolist() == [2, 1]


# ===================================================================== keyness
K = [["村", "村", "党建"], ["社区", "党建"], ["社区", "网格"]]


def _g2_by_hand(a, b, c, d):
    n = a + b + c + d
    cells = [(a, (a + b) * (a + c) / n), (b, (a + b) * (b + d) / n),
             (c, (c + d) * (a + c) / n), (d, (c + d) * (b + d) / n)]
    return 2 * sum(o * math.log(o / e) for o, e in cells if o > 0)


def test_keyness_g2_by_hand():
    k = textstat_keyness(K, target=[True, False, False]).set_index("feature")
    # 村: target 2 of 3 tokens, reference 0 of 4.
    # E11 = 2*3/7; G2 = 2*(2 ln(2/(6/7)) + 1 ln(1/(15/7)) + 4 ln(4/(20/7))) = 4.5567
    assert math.isclose(k.loc["村", "G2"], 4.556688, rel_tol=1e-5)
    assert math.isclose(k.loc["村", "G2"], _g2_by_hand(2, 0, 1, 4))
    assert k.loc["村", "n_target"] == 2 and k.loc["村", "n_reference"] == 0
    # 社区 is under-represented in the target: negative sign
    assert k.loc["社区", "G2"] < 0
    assert math.isclose(-k.loc["社区", "G2"], _g2_by_hand(0, 2, 3, 2))
    # Hardie's log ratio with 0.5 for the zero: log2((2/3) / (0.5/4))
    assert math.isclose(k.loc["村", "log_ratio"], math.log2((2 / 3) / (0.5 / 4)))
    # %DIFF for 党建: (1/3 - 1/4) / (1/4) * 100
    assert math.isclose(k.loc["党建", "pct_diff"], (1 / 3 - 1 / 4) / (1 / 4) * 100)
    assert math.isinf(k.loc["村", "pct_diff"])
    assert k.index[0] == "村"  # sorted by G2 descending
    assert k.attrs["target_tokens"] == 3 and k.attrs["reference_tokens"] == 4


def test_keyness_matches_scipy():
    k = textstat_keyness(K, target=[True, False, False]).set_index("feature")
    for feat, (a, b) in {"村": (2, 0), "党建": (1, 1), "社区": (0, 2)}.items():
        table = np.array([[a, b], [3 - a, 4 - b]])
        g2, p, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        x2, _, _, _ = chi2_contingency(table, correction=False)
        assert math.isclose(abs(k.loc[feat, "G2"]), g2, rel_tol=1e-9)
        assert math.isclose(abs(k.loc[feat, "chi2"]), x2, rel_tol=1e-9)
        assert math.isclose(k.loc[feat, "p"], p, rel_tol=1e-9)
    y = textstat_keyness(K, target=[True, False, False], measure="chi2",
                         correction="yates").set_index("feature")
    x2y, py, _, _ = chi2_contingency(np.array([[2, 0], [1, 4]]), correction=True)
    assert math.isclose(y.loc["村", "chi2"], x2y) and math.isclose(y.loc["村", "p"], py)
    w = textstat_keyness(K, target=[True, False, False], correction="williams")
    assert (w["G2"].abs() <= k["G2"].abs().reindex(w["feature"]).to_numpy() + 1e-12).all()


def test_keyness_target_forms_agree():
    dv = pd.DataFrame({"field": ["农村", "城市基层", "城市基层"]})
    t = FakeTokens(K, unit_ids=["a", "b", "c"], docvars=dv)
    base = textstat_keyness(t, target=[True, False, False])
    for target in (["a"], "a", ("field", "农村")):
        pd.testing.assert_frame_equal(textstat_keyness(t, target=target), base)
    by_group = textstat_keyness(t, target="农村", groups="field")
    pd.testing.assert_frame_equal(by_group, base)
    ref = textstat_keyness(t, target=("field", "农村"), reference=["b"])
    assert ref.attrs["reference_tokens"] == 2


def test_keyness_errors():
    dv = pd.DataFrame({"field": ["农村", "城市基层", "城市基层"]})
    t = FakeTokens(K, unit_ids=["a", "b", "c"], docvars=dv)
    with pytest.raises(ParameterError, match="selects no units"):
        textstat_keyness(t, target=("field", "机关"))
    with pytest.raises(ParameterError, match="disjoint"):
        textstat_keyness(t, target=["a"], reference=["a", "b"])
    with pytest.raises(ColumnError):
        textstat_keyness(t, target=("region", "东"))
    with pytest.raises(ParameterError, match="unit id"):
        textstat_keyness(t, target="农村")
    with pytest.raises(ParameterError):
        textstat_keyness(t, target=["a"], measure="pmi")


# ===================================================================== collocations
C = [["党建", "联合体", "带动", "村", "。", "党建", "联合体"],
     ["村", "党建", "联合体", "增收"]]


def test_collocations_lambda_by_hand():
    c = textstat_collocations(C, min_count=1).set_index("collocation")
    # Bigram positions that do not touch 。: 4 in unit 1, 3 in unit 2 -> N = 7.
    # 党建 联合体: n11 = 3, 党建 first elsewhere 0, 联合体 second elsewhere 0, n00 = 4.
    lam = math.log(3.5) - 2 * math.log(0.5) + math.log(4.5)
    se = math.sqrt(1 / 3.5 + 2 / 0.5 + 1 / 4.5)
    assert math.isclose(c.loc["党建 联合体", "lambda"], lam)
    assert math.isclose(c.loc["党建 联合体", "z"], lam / se)
    assert c.loc["党建 联合体", "count"] == 3
    # PMI: expected = 7 * (3/7) * (3/7) = 9/7
    assert math.isclose(c.loc["党建 联合体", "pmi"], math.log2(3 / (9 / 7)))
    assert math.isclose(c.loc["党建 联合体", "t"], (3 - 9 / 7) / math.sqrt(3))
    assert math.isclose(c.loc["党建 联合体", "G2"], _g2_by_hand(3, 0, 0, 4))
    # nothing spans the full stop
    assert not any("。" in s for s in c.index)
    assert c.index[0] == "党建 联合体"


def test_collocations_min_count_and_size3():
    c = textstat_collocations(C, min_count=2)
    assert c["collocation"].tolist() == ["党建 联合体"]
    c3 = textstat_collocations(C, size=3, min_count=1)
    assert set(c3["collocation"]) == {"党建 联合体 带动", "联合体 带动 村",
                                      "村 党建 联合体", "党建 联合体 增收"}
    assert (c3["length"] == 3).all()
    assert textstat_collocations([["党"]], min_count=1).empty
    with pytest.raises(ParameterError):
        textstat_collocations(C, size=1)


# ===================================================================== fcm
F = [["党建", "联合体", "党建"], ["联合体", "村"]]


def test_fcm_document_by_hand():
    f = fcm(F)
    fr = f.to_frame()
    assert f.features == ["党建", "联合体", "村"]
    # unit1: 党建 2 x 联合体 1 = 2; unit2: 联合体 x 村 = 1; 党建 with itself choose(2,2) = 1
    assert fr.loc["党建", "联合体"] == 2 and fr.loc["联合体", "党建"] == 2
    assert fr.loc["联合体", "村"] == 1 and fr.loc["党建", "村"] == 0
    assert fr.loc["党建", "党建"] == 1 and fr.loc["联合体", "联合体"] == 0
    b = fcm(F, count="boolean").to_frame()
    assert b.loc["党建", "联合体"] == 1 and b.loc["党建", "党建"] == 0


def test_fcm_window_by_hand():
    toks = [["党建", "联合体", "带动", "村", "党建"]]
    f = fcm(toks, context="window", window=2).to_frame()
    # pairs within 2: (0,1) (0,2) (1,2) (1,3) (2,3) (2,4) (3,4)
    assert f.loc["党建", "联合体"] == 1 and f.loc["党建", "带动"] == 2
    assert f.loc["党建", "村"] == 1 and f.loc["联合体", "村"] == 1
    assert f.loc["党建", "党建"] == 0 and (f.values == f.values.T).all()
    o = fcm(toks, context="window", window=1, ordered=True).to_frame()
    assert o.loc["党建", "联合体"] == 1 and o.loc["联合体", "党建"] == 0
    assert o.loc["村", "党建"] == 1
    with pytest.raises(ParameterError):
        fcm(toks, context="document", ordered=True)


def test_fcm_on_trimmed_dfm_and_network():
    toks = [["党建", "联合体", "的", "村"], ["党建", "联合体", "村"]]
    d = dfm_trim(dfm(toks), min_count=2)
    f = fcm(d, context="window", window=1)
    assert f.features == ["党建", "联合体", "村"]
    fr = f.to_frame()
    # with 的 removed, 联合体 and 村 become adjacent in unit 1
    assert fr.loc["联合体", "村"] == 2
    top = f.top(1)
    assert top.values.tolist() == [["党建", "联合体", 2.0]]
    G = f.to_networkx(min_count=2)
    assert sorted(G.edges(data="weight")) == [("党建", "联合体", 2.0), ("联合体", "村", 2.0)]
    assert G.nodes["党建"]["frequency"] == 2
    assert isinstance(f, Fcm) and "Fcm" in f._repr_html_()
    assert f.to_networkx(features=2).number_of_nodes() == 2


# ===================================================================== real segmenter
def test_explore_on_real_segment_output():
    segment = _segment_or_skip()
    texts = ["村党支部与周边企业组建党建联合体，带动村集体增收。",
             "社区党组织牵头成立党建联合体，推动共建共治。"]
    toks = segment(texts)
    k = kwic(toks, "党建联合体", window=3)
    assert len(k) == 2
    for r in k.itertuples():
        u = toks.unit_ids.index(r.unit_id)
        assert toks.texts[u][r.char_start:r.char_end] == "党建联合体"
    f = textstat_frequency(toks)
    freq = dict(zip(f["feature"], f["frequency"]))
    if "党建联合体" in freq:  # kept whole by the party-building lexicon
        assert freq["党建联合体"] == 2
    assert not textstat_collocations(toks, min_count=1).empty
    assert fcm(toks).shape[0] == dfm(toks).n_features


def test_collocations_do_not_bridge_removed_tokens():
    # text "党建的联合体 党建联合体": the first pair had 的 removed between them, the
    # second pair is adjacent (only a space in between in the first unit's text).
    t = FakeTokens([["党建", "联合体", "党建", "联合体"]], seps=[["", "的", " ", ""]])
    c = textstat_collocations(t, min_count=1)
    counts = dict(zip(c["collocation"], c["count"]))
    assert counts["党建 联合体"] == 1
    assert "联合体 党建" in counts
    # plain lists carry no offsets: every neighbour counts
    c2 = textstat_collocations([["党建", "联合体", "党建", "联合体"]], min_count=1)
    assert dict(zip(c2["collocation"], c2["count"]))["党建 联合体"] == 2


def test_collocations_on_real_tokens_after_stopword_removal():
    segment = _segment_or_skip()
    from quanyu_nlp.segment import tokens_remove

    toks = segment(["党建联合体的成员单位和村集体经济组织共同发展村集体经济。"])
    clean = tokens_remove(toks, stopwords="zh")
    c = textstat_collocations(clean, min_count=1)
    kept = clean.to_lists()[0]
    text = clean.texts[0]
    offs = clean.offsets(0)
    for phrase in c["collocation"]:
        a, b = phrase.split(" ")
        # every reported pair is adjacent in the text (only whitespace between)
        ok = any(kept[i] == a and kept[i + 1] == b
                 and not text[offs[i][1]:offs[i + 1][0]].strip()
                 for i in range(len(kept) - 1))
        assert ok, phrase


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["党建联合体", "村集体", "带动", "，", "社区", "党支部",
                                 "联合", "体", "。", " ", "AI"]), min_size=1, max_size=15))
def test_kwic_offsets_on_real_segment_output(pieces):
    segment = _segment_or_skip()
    text = "".join(pieces)
    toks = segment([text], cache=False)
    for pattern in ("党建联合体", "社区", "体"):
        for r in kwic(toks, pattern, window=2).itertuples():
            assert text[r.char_start:r.char_end] == r.keyword
            assert r.keyword.replace(" ", "") == pattern
            # pre + keyword + post is one verbatim stretch of the text
            assert (r.pre + r.keyword + r.post) in text
