"""Tests of the coders: dictionary, supervised, the default code(), rules and Codings.

Fixtures are short Chinese sentences written for these tests; what each should be coded
as can be checked by eye against the codebook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quanyu_nlp.coding import (Codings, DictionaryCoder, FrameworkCoder, SupervisedCoder,
                               code)
from quanyu_nlp.coding.rules import rule_hits
from quanyu_nlp.corpus import corpus_from_texts
from quanyu_nlp.errors import ParameterError
from quanyu_nlp.frameworks import Framework, load_framework

TOY = {
    "name": "toy", "version": "1", "citation": "为测试自拟",
    "dimensions": [
        {"id": "leadership", "label": "引领", "description": "引领方式", "none_label": "无",
         "negative_exemplars": ["今天多云转晴，最高气温二十六度。", "超市蔬菜价格小幅下降。",
                                "列车晚点二十分钟到站。", "小明周末去公园放风筝。"],
         "categories": [
             {"id": "political", "label": "政治引领", "definition": "思想政治",
              "seed_terms": ["理论学习", "学习贯彻", "主题教育"],
              "exemplars": ["党支部组织党员开展理论学习。", "机关党委深入开展主题教育。",
                            "党员认真学习贯彻新思想。"]},
             {"id": "organisational", "label": "组织引领", "definition": "组织建设",
              "seed_terms": ["党建联合体", "组织覆盖", "联合党委", "党组织", "组织"],
              "exemplars": ["社区组建联合党委，扩大组织覆盖。", "街道成立党建联合体。",
                            "在新兴领域建立党组织。"]},
             {"id": "mechanism", "label": "机制引领", "definition": "制度机制",
              "seed_terms": ["制度", "机制", "联席会议"],
              "exemplars": ["健全议事协商机制。", "建立联席会议制度。", "完善考核评价制度。"]},
         ]},
        {"id": "results", "label": "成效", "description": "成效", "none_label": "无",
         "negative_exemplars": ["今天多云转晴，最高气温二十六度。", "要进一步提升组织力。",
                                "为了增强凝聚力，开展活动。"],
         "categories": [
             {"id": "engine", "label": "发动机", "definition": "组织力提升",
              "seed_terms": ["组织力", "凝聚力", "战斗力"],
              "exemplars": ["党组织凝聚力显著增强。", "基层党组织组织力明显提升。",
                            "支部战斗力大大增强了。"]},
             {"id": "crew", "label": "乘务员", "definition": "服务群众",
              "seed_terms": ["获得感", "幸福感", "群众满意"],
              "exemplars": ["群众的获得感明显增强。", "居民幸福感不断提升了。",
                            "群众满意度大幅提高。"]},
         ]},
    ]}


@pytest.fixture(scope="module")
def toy():
    return Framework.from_dict(TOY)


@pytest.fixture(scope="module")
def quanyu():
    return load_framework("quanyu")


@pytest.fixture(scope="module")
def default_coder(quanyu):
    return FrameworkCoder(quanyu).fit()


# ---------------------------------------------------------------- DictionaryCoder
def test_dictionary_counts_seeds_and_prefers_longer(toy):
    dc = DictionaryCoder(toy).fit()
    m = dc.match(["社区党委组建党建联合体，把新就业群体纳入组织覆盖。"])
    lead = m[m["dimension"] == "leadership"]
    # 党建联合体 and 组织覆盖 win over the shorter 党组织 / 组织 inside them
    assert lead["term"].tolist() == ["党建联合体", "组织覆盖"]
    assert (lead["weight"] > 0).all()
    assert dc.predict(["社区党委组建党建联合体，把新就业群体纳入组织覆盖。"])["leadership"][0] == "组织引领"


def test_dictionary_short_seed_must_be_a_whole_token(toy):
    dc = DictionaryCoder(toy).fit()
    # 组织 is a two-character seed; inside 组织力 it is not the word 组织
    m = dc.match(["基层组织力得到提升。"])
    assert "组织" not in m[m["dimension"] == "leadership"]["term"].tolist()


@pytest.mark.parametrize("text", ["该村尚未建立党组织。", "这里没有建立联合党委。",
                                  "此事并非主题教育的内容。", "他们不组建党建联合体。"])
def test_negation_cancels_a_match(toy, text):
    dc = DictionaryCoder(toy).fit()
    m = dc.match([text])
    assert len(m) and m["negated"].all() and (m["weight"] == 0).all()
    assert dc.predict([text])["leadership"][0] == "无"
    # with negation off the same sentence is coded
    assert DictionaryCoder(toy, negation=False).fit().predict([text])["leadership"][0] != "无"


def test_negation_stays_in_its_clause(toy):
    dc = DictionaryCoder(toy).fit()
    text = "该村过去没有活动场所，现已组建联合党委。"
    assert dc.predict([text])["leadership"][0] == "组织引领"
    # with sentence scope the earlier 没有 reaches the seed
    assert DictionaryCoder(toy, scope="sentence").fit().predict([text])["leadership"][0] == "无"


def test_words_containing_bu_are_not_negation(toy):
    dc = DictionaryCoder(toy).fit()
    assert dc.predict(["各支部不断深化主题教育。"])["leadership"][0] == "政治引领"


@pytest.mark.parametrize("text", ["为了增强凝聚力，社区组建联合党委。", "要不断提升组织力。",
                                  "力争让群众获得感更强。", "将进一步增强党组织战斗力。"])
def test_purpose_clause_is_not_a_result(toy, text):
    dc = DictionaryCoder(toy).fit()
    assert dc.predict([text])["results"][0] == "无"


def test_achieved_result_is_coded(toy):
    dc = DictionaryCoder(toy).fit()
    assert dc.predict(["党组织凝聚力显著增强。"])["results"][0] == "发动机"
    assert dc.predict(["群众获得感明显增强。"])["results"][0] == "乘务员"


def test_dictionary_probabilities_sum_to_one(toy):
    p = DictionaryCoder(toy).fit().predict_proba(["街道成立党建联合体。", "天气晴。"])
    for d in p.values():
        assert np.allclose(d.sum(axis=1), 1.0)
        assert list(d.columns)[-1] == "无"


def test_bad_scope_is_a_parameter_error(toy):
    with pytest.raises(ParameterError, match="scope"):
        DictionaryCoder(toy, scope="page").fit()


def _w2v_corpus():
    base = ["社区组建联合党委，扩大组织覆盖。", "街道成立党建联合体，实现组织覆盖。",
            "园区组建联合党委，推进区域化党建。", "商圈成立联合党委，推进区域化党建。",
            "机关党委开展主题教育，推进理论学习。", "支部开展理论学习，深化主题教育。"]
    return base * 15


def test_expand_seeds_is_reproducible_and_accepting_adds_terms(toy):
    dc = DictionaryCoder(toy, random_state=3).fit()
    a = dc.expand_seeds(_w2v_corpus(), topn=5, min_count=2)
    b = DictionaryCoder(toy, random_state=3).fit().expand_seeds(_w2v_corpus(), topn=5, min_count=2)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["dimension", "category", "seed", "candidate", "similarity", "accept"]
    assert not a["accept"].any()
    assert len(a) > 0
    # accept a word we know is not yet a seed
    prop = pd.DataFrame({"dimension": ["leadership"], "category": ["组织引领"],
                         "seed": ["联合党委"], "candidate": ["区域化党建"], "similarity": [0.9],
                         "accept": [True]})
    dc2 = dc.with_accepted(prop)
    assert dc.predict(["推进区域化党建。"])["leadership"][0] == "无"
    assert dc2.predict(["推进区域化党建。"])["leadership"][0] == "组织引领"
    assert dc2 is not dc and dc.extra_terms is None


# ---------------------------------------------------------------- SupervisedCoder
TOY_TRAIN = [
    ("党支部组织党员学习党的创新理论。", "政治引领"), ("机关党委开展专题理论学习。", "政治引领"),
    ("党员干部深入学习新思想。", "政治引领"), ("组织党员集中学习党章党规。", "政治引领"),
    ("社区成立联合党委。", "组织引领"), ("商圈组建党建联合体。", "组织引领"),
    ("在快递网点建立党支部。", "组织引领"), ("园区成立联合党组织。", "组织引领"),
    ("今天多云转晴。", "无"), ("列车晚点二十分钟。", "无"), ("蔬菜价格小幅回落。", "无"),
    ("周末公园游客很多。", "无"),
]


def test_supervised_coder_learns_a_toy_set():
    X = [t for t, _ in TOY_TRAIN]
    y = {"leadership": [l for _, l in TOY_TRAIN]}
    sc = SupervisedCoder(random_state=0).fit(X, y)
    assert sc.predict(["社区成立联合党委。", "今天多云转晴。"])["leadership"].tolist() == \
        ["组织引领", "无"]
    p = sc.predict_proba(["学习新思想。"], dimension="leadership")
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p.idxmax(axis=1)[0] == "政治引领"


def test_supervised_coder_is_reproducible():
    X = [t for t, _ in TOY_TRAIN]
    y = [l for _, l in TOY_TRAIN]
    a = SupervisedCoder(random_state=7).fit(X, y).predict_proba(X, dimension="label")
    b = SupervisedCoder(random_state=7).fit(X, y).predict_proba(X, dimension="label")
    pd.testing.assert_frame_equal(a, b)


def test_supervised_coder_svm_and_uncalibrated():
    X = [t for t, _ in TOY_TRAIN]
    y = [l for _, l in TOY_TRAIN]
    for est, cal in (("svm", "sigmoid"), ("svm", None), ("logistic", None)):
        p = SupervisedCoder(estimator=est, calibration=cal).fit(X, y).predict_proba(X, "label")
        assert np.allclose(p.sum(axis=1), 1.0)


def test_calibrated_model_is_fitted_on_every_unit_by_default():
    X = [t for t, _ in TOY_TRAIN]
    y = [l for _, l in TOY_TRAIN]
    # default: one classifier fitted on all units, calibrated by cross-validated predictions
    one = SupervisedCoder(random_state=0).fit(X, y)
    kind, model = one.models_["label"]
    assert len(model.calibrated_classifiers_) == 1
    assert model.calibrated_classifiers_[0].estimator.coef_.shape[0] == 3
    # ensemble: the average of the three fold models
    three = SupervisedCoder(calibration_ensemble=True, random_state=0).fit(X, y)
    assert len(three.models_["label"][1].calibrated_classifiers_) == 3
    for sc in (one, three):
        p = sc.predict_proba(["社区成立联合党委。"], dimension="label")
        assert np.allclose(p.sum(axis=1), 1.0)
        assert p.idxmax(axis=1)[0] == "组织引领"


def test_supervised_coder_checks_labels_against_framework(toy):
    X = [t for t, _ in TOY_TRAIN]
    y = {"leadership": [l for _, l in TOY_TRAIN[:-1]] + ["政治"]}
    with pytest.raises(ParameterError, match="政治"):
        SupervisedCoder(framework=toy).fit(X, y)


def test_supervised_coder_skips_empty_labels(toy):
    X = [t for t, _ in TOY_TRAIN]
    lead = [l for _, l in TOY_TRAIN]
    res = [None] * len(X)
    res[0], res[4], res[8] = "发动机", "发动机", "无"
    sc = SupervisedCoder(framework=toy).fit(X, {"leadership": lead, "results": res})
    assert set(sc.dimensions_) == {"leadership", "results"}
    assert list(sc.predict_proba(X, "results").columns) == ["发动机", "乘务员", "无"]


# ---------------------------------------------------------------- default coder
OBVIOUS_LEADERSHIP = [
    ("社区党委组建党建联合体，把新就业群体纳入组织覆盖。", "组织引领"),
    ("今天多云转晴，最高气温二十六度。", "无"),
    ("镇党委组织党员干部深入学习贯彻党的创新理论，开展主题教育。", "政治引领"),
    ("健全党组织领导的议事协商制度体系。", "机制引领"),
    ("党员先锋队冲锋在前，连夜转移受困群众。", "行动引领"),
    ("加强入党积极分子培养，严把发展党员入口关。", "队伍引领"),
    ("超市里的苹果每斤涨了两毛钱。", "无"),
]


def test_obvious_sentences_are_coded_right(default_coder):
    X = [t for t, _ in OBVIOUS_LEADERSHIP]
    got = default_coder.predict(X)
    assert got["leadership"].tolist() == [l for _, l in OBVIOUS_LEADERSHIP]
    if "results" in got.columns:
        assert got["results"][1] == "无"      # weather: no result


def test_weather_is_none_on_every_dimension(default_coder):
    got = default_coder.predict(["今天多云转晴，最高气温二十六度。"])
    assert (got.iloc[0] == "无").all()


def test_purpose_clause_gives_no_result(default_coder, quanyu):
    if "results" not in [d.id for d in quanyu.dimensions]:
        pytest.skip("framework has no results dimension")
    got = default_coder.predict(["为了让群众的获得感更强，社区要进一步完善服务。",
                                 "力争使党组织凝聚力进一步增强。"])
    assert got["results"].tolist() == ["无", "无"]


def test_tie_break_rules_fire_as_the_codebook_says():
    labels = ["政治引领", "组织引领", "机制引领", "行动引领", "队伍引领", "无"]

    def fired(text):
        return {r.name: t for r, t in rule_hits(text, "leadership", labels)}

    assert fired("完善巡视巡察和问责制度，强化监督。")["discipline"] == "机制引领"
    assert fired("持续纠治四风，锤炼干部廉洁作风。")["discipline"] == "队伍引领"
    assert fired("查处违纪案件十二起，处分五人。")["discipline"] == "无"
    assert fired("健全党委领导下的议事协商制度体系。")["main-verb-system"] == "机制引领"
    assert "main-verb-system" not in fired("完善基层组织体系。")
    assert fired("发挥党组织战斗堡垒作用。")["fortress-vanguard"] == "组织引领"
    assert fired("发挥党员先锋模范作用。")["fortress-vanguard"] == "队伍引领"
    assert fired("发挥党员先锋模范作用和党组织战斗堡垒作用。")["fortress-vanguard"] == "队伍引领"
    assert fired("今天多云转晴。")["not-party-work"] == "无"
    assert fired("老党员每天带着邻居帮助独居老人。")["actor-deed"] == "行动引领"
    assert "actor-deed" not in fired("村党支部带头成立联合党支部。")
    assert fired("社区党支部引领居委会、业委会、物业公司联动解决问题。")["governance-linkage"] == "机制引领"
    assert fired("区委书记出席会议并讲话。")["meta-line"] == "无"
    assert fired("王某是某某社区党委书记。")["meta-line"] == "无"
    assert "discipline" not in fired("严明党的政治纪律和政治规矩。")
    assert fired("深入贯彻中央八项规定精神。")["discipline"] == "队伍引领"
    res = {r.name: t for r, t in rule_hits("要进一步增强凝聚力。", "results",
                                            ["发动机", "无"])}
    assert res["purpose-clause"] == "无"


def test_discipline_tie_break_in_the_default_coder(default_coder):
    got = default_coder.predict(["健全巡视巡察、派驻监督和问责制度，推动监督体系规范运行。",
                                 "开展警示教育，引导党员干部廉洁自律、纠治四风。"])
    assert got["leadership"].tolist() == ["机制引领", "队伍引领"]


def test_code_on_a_corpus_gives_verbatim_sentence_offsets(quanyu):
    docs = ["一、基本情况\n社区党委组建党建联合体。今天多云转晴。\n二、做法\n党员先锋队冲锋在前，转移群众。",
            "街道健全议事协商机制。"]
    c = corpus_from_texts(docs, docvars={"region": ["甲", "乙"]})
    cod = code(c, framework=quanyu)
    f = cod.to_frame()
    assert list(f.columns) == ["unit_id", "doc_id", "start", "end", "dimension", "category",
                               "score", "method"]
    for r in f.itertuples():
        assert len(c.doc_text(r.doc_id)[r.start:r.end]) > 0
    w = cod.wide()
    assert set(w.columns) >= {"unit_id", "text", "leadership", "leadership_score"}
    for r in w.itertuples():
        assert c.doc_text(r.doc_id)[r.start:r.end] == r.text
    assert ((f["score"] >= 0) & (f["score"] <= 1)).all()
    lab = dict(zip(w["text"], w["leadership"]))
    assert lab["社区党委组建党建联合体。"] == "组织引领"
    assert lab["街道健全议事协商机制。"] == "机制引领"


def test_code_is_reproducible(quanyu):
    from quanyu_nlp.coding import default

    texts = ["社区党委组建党建联合体。", "组织党员学习贯彻新思想。", "天气晴朗。"]
    a = code(texts, framework=quanyu, unit="as-is", random_state=5, dimension="leadership")
    saved = dict(default._EXEMPLAR_CACHE)
    default._EXEMPLAR_CACHE.clear()          # train again from scratch
    try:
        b = code(texts, framework=quanyu, unit="as-is", random_state=5, dimension="leadership")
    finally:
        default._EXEMPLAR_CACHE.update(saved)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert np.allclose(a.proba["leadership"], b.proba["leadership"])


def test_threshold_turns_weak_codings_into_none(quanyu):
    text = ["大家一起聊聊社区里的事。"]
    hi = code(text, framework=quanyu, unit="as-is", threshold=0.99).wide()
    assert hi["leadership"][0] == "无"
    assert 0 <= hi["leadership_score"][0] <= 1


def test_user_labels_teach_the_default_coder(toy):
    # "书香角" is unknown to the exemplars; the user's codings teach it.
    probe = ["社区建成书香角。"]
    before = code(probe, framework=toy, unit="as-is").wide()["leadership"][0]
    labelled = pd.DataFrame({
        "text": ["社区建成书香角。", "村里建成书香角。", "街道建成书香角。", "园区建成书香角。",
                 "今天多云转晴。", "列车晚点。"],
        "leadership": ["政治引领"] * 4 + ["无"] * 2})
    after = code(probe, framework=toy, unit="as-is", labelled=labelled)
    assert before != "政治引领"
    assert after.wide()["leadership"][0] == "政治引领"
    assert after.to_frame()["method"].iloc[0] == "framework+labels"


def test_code_methods(toy):
    texts = ["街道成立党建联合体。", "今天多云转晴。"]
    for m in ("dictionary", "exemplars", "framework"):
        w = code(texts, framework=toy, unit="as-is", method=m).wide()
        assert w["leadership"].tolist() == ["组织引领", "无"], m
    with pytest.raises(ParameterError, match="labelled"):
        code(texts, framework=toy, unit="as-is", method="supervised")
    with pytest.raises(ParameterError, match="method"):
        code(texts, framework=toy, unit="as-is", method="magic")


def test_unknown_dimension_is_a_parameter_error(toy):
    with pytest.raises(ParameterError, match="dimensions are: leadership, results"):
        code(["文本。"], framework=toy, dimension="mood", unit="as-is")


def test_codings_views(toy):
    c = code(["街道成立党建联合体。", "今天多云转晴。"], framework=toy, unit="as-is")
    assert isinstance(c, Codings)
    assert len(c) == 4 and c.dimensions == ["leadership", "results"]
    w = c.wide()
    assert list(w.columns) == ["unit_id", "doc_id", "start", "end", "text", "leadership",
                               "leadership_score", "results", "results_score"]
    html = c._repr_html_()
    assert "<table" in html and "组织引领" in html
    cnt = c.counts("leadership")
    assert cnt["n"].sum() == 2 and np.isclose(cnt["share"].sum(), 1.0)
    assert set(c.proba) == {"leadership", "results"}


def test_empty_input(toy):
    # code() is what a researcher calls: an empty corpus is a mistake worth one line.
    with pytest.raises(ParameterError, match="nothing to code: the corpus has no units"):
        code([], framework=toy, unit="as-is")
    with pytest.raises(ParameterError, match="all 2 units have empty text"):
        code(["", "   "], framework=toy, unit="as-is")
    # A coder used as a component codes nothing into empty codings, and an empty unit
    # among others is 无.
    c = FrameworkCoder(toy).fit().code([])
    assert len(c) == 0 and len(c.wide()) == 0
    w = code(["", "街道成立党建联合体。"], framework=toy, unit="as-is").wide()
    assert w["leadership"].tolist()[0] == "无"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


_TOY_DC = DictionaryCoder(Framework.from_dict(TOY)).fit()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["社区", "党建联合体", "，", "没有", "组织覆盖", "。", "为了",
                                 "凝聚力", "显著增强", "组织力", "a b", "主题教育", "不断"]),
                max_size=12))
def test_match_offsets_are_verbatim(pieces):
    text = "".join(pieces)
    m = _TOY_DC.match([text])
    for r in m.itertuples():
        assert text[r.start:r.end] == r.term
        assert (r.weight == 0) == (r.negated or r.purpose)


# ---------------------------------------------------------------- neighbours (context)
# A passage about training cadres (illustrative, written for these tests).
_CADRES = ("镇党委选优配强村党组织书记，分批开展党员干部教育培训。",
           "一批年轻干部在乡村振兴一线成长起来，党员队伍结构持续优化。")


def test_neighbour_context_stays_in_its_document_and_follows_offsets():
    from quanyu_nlp.coding._units import neighbour_context

    # rows out of order: neighbours follow start, not row order, and never cross doc_id
    u = pd.DataFrame({"doc_id": ["a", "b", "a", "a"], "start": [10, 0, 0, 20],
                      "text": ["乙。", "丙。", "甲。", "丁。"]})
    assert neighbour_context(u) == [("甲。", "丁。"), ("", ""), ("", "乙。"), ("乙。", "")]
    with pytest.raises(ParameterError, match="doc_id"):
        neighbour_context(pd.DataFrame({"text": ["甲。"]}))


def test_neighbours_tip_a_weak_sentence_towards_its_passage(quanyu):
    c = FrameworkCoder(quanyu, dimension="leadership").fit()
    unit = ["这批党员进步很快。"]
    alone = c.predict(unit, context=None)["leadership"][0]
    within = c.predict(unit, context=[_CADRES])["leadership"][0]
    assert alone != "队伍引领" and within == "队伍引领"
    # a sentence with no Party reference stays 无 among the same neighbours
    assert c.predict(["这项工作持续了三年。"], context=[_CADRES])["leadership"][0] == "无"


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["这批党员进步很快。", "社区党委组建党建联合体。", "今天多云转晴。",
                        "街道健全议事协商机制。", "党员先锋队冲锋在前。"]),
       st.sampled_from(["", "支部书记带头入户走访。", "全体党员重温入党誓词。",
                        "今天多云转晴。"]),
       st.sampled_from(["", "建立党员联系户制度。", "会议结束。"]))
def test_neighbours_never_add_to_none(unit, prev, nxt):
    # Neighbours add category evidence only: the unit's 无 probability can only fall.
    c = _context_coder()
    a = c.predict_proba([unit], "leadership", context=None)
    b = c.predict_proba([unit], "leadership", context=[(prev, nxt)])
    assert b["无"][0] <= a["无"][0] + 1e-12
    assert np.isclose(b.to_numpy().sum(), 1.0)
    if not prev and not nxt:
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy())


_CTX_CODER = []


def _context_coder():
    if not _CTX_CODER:
        _CTX_CODER.append(FrameworkCoder("quanyu", dimension="leadership").fit())
    return _CTX_CODER[0]


def test_code_on_a_corpus_reads_neighbours_and_weight_zero_does_not(quanyu):
    doc = "".join([_CADRES[0], "这批党员进步很快。", _CADRES[1]])
    c = corpus_from_texts([doc, "这批党员进步很快。"])
    w = code(c, framework=quanyu, dimension="leadership").wide()
    lab = w.set_index(["doc_id", "text"])["leadership"]
    assert lab[(w["doc_id"][0], "这批党员进步很快。")] == "队伍引领"
    # the same sentence alone in its own document has no neighbours
    assert lab[(w["doc_id"].iloc[-1], "这批党员进步很快。")] != "队伍引领"
    w0 = code(c, framework=quanyu, dimension="leadership", context_weight=0).wide()
    assert w0["leadership"].iloc[1] == w0["leadership"].iloc[-1]
    # as-is units (one per document) never have neighbours
    as_is = code([doc.split("。")[1] + "。"], framework=quanyu, unit="as-is",
                 dimension="leadership").wide()
    assert as_is["leadership"][0] == w0["leadership"].iloc[-1]


def test_bad_context_is_a_parameter_error(quanyu):
    c = FrameworkCoder(quanyu, dimension="leadership").fit()
    with pytest.raises(ParameterError, match="one pair per unit"):
        c.predict(["甲。", "乙。"], context=[("", "")])
    with pytest.raises(ParameterError, match="previous, next"):
        c.predict(["甲。"], context=["丙。"])
    with pytest.raises(ParameterError, match="context="):
        c.predict(["甲。"], context="neighbours")
    with pytest.raises(ParameterError, match="context_weight"):
        FrameworkCoder(quanyu, context_weight=1.5).fit()


def test_cross_validation_passes_each_held_out_units_neighbours(toy):
    from quanyu_nlp.coding import cross_validate_coder

    texts = ["社区建成书香角。", "村里建成书香角。", "街道建成书香角。", "今天多云。",
             "明天小雨。", "后天晴。"]
    y = {"leadership": ["组织引领", "组织引领", "组织引领", "无", "无", "无"]}
    coder = FrameworkCoder(toy, dimension="leadership")
    seen = []

    class Spy(FrameworkCoder):
        def predict(self, X, context="auto"):
            seen.append((list(X), context))
            return super().predict(X, context=context)

    ctx = [(f"前{i}", f"后{i}") for i in range(len(texts))]
    spy = Spy(toy, dimension="leadership")
    rep = cross_validate_coder(spy, texts, y, k=3, context=ctx)
    assert len(rep.predictions) == len(texts)
    for X, cx in seen:
        assert cx == [ctx[texts.index(t)] for t in X]
    with pytest.raises(ParameterError, match="one \\(previous, next\\) pair"):
        cross_validate_coder(coder, texts, y, k=3, context=ctx[:2])
    with pytest.raises(ParameterError, match="SupervisedCoder does not read neighbours"):
        cross_validate_coder(SupervisedCoder(), texts, y["leadership"], k=3, context=ctx)


def test_codings_follow_the_codebook(toy):
    # counts in codebook order (无 last), whatever order the units came in
    c = code(["今天多云转晴。", "建立联席会议制度。", "街道成立党建联合体。"], framework=toy,
             unit="as-is", dimension="leadership")
    assert c.meta["labels"]["leadership"] == ["政治引领", "组织引领", "机制引领", "无"]
    assert c.meta["none_labels"] == {"leadership": "无"}
    assert c.meta["dimension_labels"] == {"leadership": "引领"}
    cats = c.counts()["category"].tolist()
    order = c.meta["labels"]["leadership"]
    assert cats == sorted(cats, key=order.index) and cats[-1] == "无"
    assert "leadership 引领" in repr(c)
    # the dictionary and supervised coders record the same (one shared code path)
    d = DictionaryCoder(toy, dimension="leadership").fit().code(["建立联席会议制度。"])
    assert d.meta["labels"] == c.meta["labels"] and d.frame["method"].iloc[0] == "dictionary"
    texts = ["建立联席会议制度。", "街道成立党建联合体。", "党员开展理论学习。", "今天多云转晴。"]
    s = SupervisedCoder(framework=toy).fit(
        texts * 2, {"leadership": ["机制引领", "组织引领", "政治引领", "无"] * 2}).code(texts)
    assert s.meta["labels"]["leadership"] == order
    assert s.wide()["leadership"].tolist() == ["机制引领", "组织引领", "政治引领", "无"]


def test_with_accepted_reads_what_people_type_in_excel(toy):
    dc = DictionaryCoder(toy, dimension="leadership").fit()
    prop = pd.DataFrame({"dimension": "leadership", "category": "组织引领",
                         "candidate": ["红色驿站", "睦邻点", "小区议事厅", "楼道党小组"],
                         "accept": ["是", "√", "否", ""]})
    dc2 = dc.with_accepted(prop)
    assert {"红色驿站", "睦邻点"} <= set(dc2.terms_["leadership"])
    assert not {"小区议事厅", "楼道党小组"} & set(dc2.terms_["leadership"])


def test_framework_coder_method_names():
    with pytest.raises(ParameterError, match="use one of framework, dictionary, exemplars, "
                       "supervised$"):
        FrameworkCoder(method="auto").fit()


def test_supervised_without_framework_ignores_a_sheets_id_and_text_columns():
    sheet = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4"],
                          "text": ["建立联席会议制度。", "街道成立党建联合体。",
                                   "健全议事协商机制。", "社区组建联合党委。"],
                          "leadership": ["机制引领", "组织引领", "机制引领", "组织引领"]})
    sc = SupervisedCoder(calibration=None).fit(sheet["text"], sheet)
    assert sc.dimensions_ == ["leadership"]
