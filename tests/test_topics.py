"""Tests of quanyu_nlp.topics: estimators, K selection, interpretation, effects.

The fixture is twenty short reports written for these tests: ten on flood control
(防汛) and ten on training Party members (党员培训), pre-segmented with spaces so the
expected topics can be checked by eye.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyu_nlp.errors import ColumnError, FrameworkError, ParameterError
from quanyu_nlp.topics import (KSelection, LdaTopics, NmfTopics, SeededTopics,
                               prevalence_over, representative_documents, select_k,
                               topic_correlations, topic_effects)
from quanyu_nlp.topics.metrics import (exclusivity, frex_scores, match_topics,
                                      topic_similarity)

FLOOD = [
    "入汛 以来 暴雨 不断 ， 县 防汛 指挥部 组织 干部 巡查 堤坝 ， 密切 监测 水位 。",
    "河道 水位 超过 警戒线 ， 抢险 队伍 连夜 加固 堤坝 ， 转移 低洼 地带 群众 。",
    "防汛 物资 提前 储备 ， 沙袋 、 冲锋舟 和 救生衣 运 到 险段 ， 抢险 人员 二十四 小时 值守 。",
    "暴雨 导致 山洪 ， 村里 组织 群众 转移 到 安置点 ， 防汛 值班 人员 巡查 水库 。",
    "水库 水位 持续 上涨 ， 防汛 指挥部 启动 应急 响应 ， 抢险 队员 封堵 管涌 。",
    "汛期 来临 前 ， 乡镇 排查 堤坝 隐患 ， 清理 河道 ， 储备 沙袋 等 防汛 物资 。",
    "连续 暴雨 后 ， 抢险 队伍 在 堤坝 上 巡查 ， 发现 险情 及时 处置 ， 水位 开始 回落 。",
    "气象 部门 发布 暴雨 预警 ， 防汛 部门 提前 转移 群众 ， 加强 水库 和 河道 巡查 。",
    "防汛 演练 中 ， 抢险 人员 练习 装填 沙袋 、 加固 堤坝 和 转移 被困 群众 。",
    "洪水 过境 后 ， 干部 群众 清理 淤泥 ， 修复 冲毁 的 堤坝 ， 继续 监测 水位 。",
]

TRAINING = [
    "县委 党校 举办 党员 培训班 ， 组织 新 党员 学习 党章 ， 重温 入党 誓词 。",
    "支部 书记 为 党员 讲授 党课 ， 围绕 理论 学习 开展 研讨 ， 党员 交流 学习 体会 。",
    "入党 积极分子 参加 集中 培训 ， 学习 党史 和 党章 ， 培训 结束 后 进行 考试 。",
    "机关 支部 开展 党员 教育 培训 ， 邀请 专家 讲授 理论 课程 ， 组织 党员 讨论 。",
    "社区 党委 举办 党员 培训 讲座 ， 党员 学习 党的 理论 ， 撰写 心得 体会 。",
    "党校 培训 课程 包括 党史 、 党章 和 理论 学习 ， 学员 培训 期间 分组 研讨 。",
    "支部 组织 党员 观看 教育 专题片 ， 开展 党课 学习 ， 新 党员 谈 入党 体会 。",
    "发展 对象 参加 党校 培训 ， 学习 党章 党规 ， 考试 合格 后 方可 入党 。",
    "党员 教育 培训 采用 线上 线下 结合 ， 党员 通过 学习 平台 学习 理论 课程 。",
    "年轻 党员 培训班 开班 ， 学员 学习 党史 ， 聆听 党课 ， 重温 入党 誓词 。",
]

DOCS = [d.split() for d in FLOOD + TRAINING]
TEXTS = [d.replace(" ", "") for d in FLOOD + TRAINING]
IS_FLOOD = np.array([True] * 10 + [False] * 10)
SEEDS = {"防汛": ["防汛", "抢险", "堤坝"], "党员培训": ["党员", "培训", "党课"]}


def _separates(theta: np.ndarray) -> bool:
    """Every flood report has one dominant topic, every training report the other."""
    top = theta.argmax(axis=1)
    return len(set(top[IS_FLOOD])) == 1 and len(set(top[~IS_FLOOD])) == 1 \
        and top[0] != top[-1]


def _flood_topic(model) -> int:
    return int(model.doc_topics_[IS_FLOOD].mean(axis=0).argmax())


ESTIMATORS = [
    pytest.param(lambda: LdaTopics(2, iterations=100, random_state=1), id="lda-tomotopy"),
    pytest.param(lambda: LdaTopics(2, backend="gensim", random_state=1), id="lda-gensim"),
    pytest.param(lambda: NmfTopics(2, random_state=1), id="nmf"),
    pytest.param(lambda: SeededTopics(seeds=SEEDS, n_free=1, iterations=100, random_state=1),
                 id="seeded"),
]


# -- estimators ------------------------------------------------------------------------

@pytest.mark.parametrize("make", ESTIMATORS)
def test_each_backend_separates_the_two_themes(make):
    m = make().fit(DOCS)
    assert m.doc_topics_.shape == (20, m.n_topics_)
    np.testing.assert_allclose(m.doc_topics_.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(m.components_.sum(axis=1), 1.0, atol=1e-6)
    if m.n_topics_ == 2:
        assert _separates(m.doc_topics_)
    flood = _flood_topic(m)  # noqa: F841 (used in query)
    top5 = set(m.top_terms(5).query("topic == @flood")["term"])
    assert top5 & {"防汛", "堤坝", "水位", "抢险"}
    assert not top5 & {"党员", "培训", "党课"}


@pytest.mark.parametrize("make", ESTIMATORS)
def test_same_random_state_gives_identical_output(make):
    a, b = make().fit(DOCS), make().fit(DOCS)
    assert np.array_equal(a.doc_topics_, b.doc_topics_)
    assert np.array_equal(a.components_, b.components_)
    pd.testing.assert_frame_equal(a.topic_terms_, b.topic_terms_)
    assert a.labels_ == b.labels_
    assert np.array_equal(a.transform(DOCS[:3]), b.transform(DOCS[:3]))
    assert np.array_equal(a.transform(DOCS[:3]), a.transform(DOCS[:3]))


def test_tomotopy_separates_for_several_seeds():
    for seed in (1, 2, 3, 4):
        assert _separates(LdaTopics(2, iterations=150, random_state=seed).fit(DOCS).doc_topics_)


def test_fit_returns_self_and_keeps_settings():
    m = LdaTopics(2, random_state=3)
    assert m.fit(DOCS) is m
    assert m.get_params()["k"] == 2 and m.random_seed_ == 3
    assert "LdaTopics" in repr(m)


def test_topic_terms_has_prob_frex_and_lift_rankings():
    m = LdaTopics(2, iterations=100, random_state=1, n_terms=8).fit(DOCS)
    t = m.topic_terms_
    assert list(t.columns) == ["topic", "label", "rank", "term", "weight", "frex", "lift",
                               "frex_rank", "lift_rank"]
    assert len(t) == 16 and t.groupby("topic")["rank"].apply(list).tolist() == [
        list(range(1, 9))] * 2
    for by in ("prob", "frex", "lift"):
        top = m.top_terms(4, by=by)
        assert list(top.columns) == ["topic", "label", "rank", "term", "weight"]
        assert (top.groupby("topic")["weight"].apply(lambda w: w.is_monotonic_decreasing)).all()
    with pytest.raises(ParameterError, match="prob, frex, lift"):
        m.top_terms(3, by="beta")
    # labels are the top FREX terms
    frex = m.top_terms(3, by="frex")
    assert m.labels_[0] == "·".join(frex.query("topic == 0")["term"])


def test_filtering_is_recorded_not_silent():
    m = LdaTopics(2, iterations=50, random_state=1).fit(DOCS)
    p = m.preprocessing_
    assert p["min_len"] == 2 and p["tokens_shorter_than_min_len"] > 0   # ， 。 县 新 ...
    assert p["stopwords"].startswith("zh")
    assert p["terms_kept"] == len(m.vocabulary_) < p["terms_before_trim"]
    assert all(len(t) >= 2 for t in m.vocabulary_)
    one = LdaTopics(2, iterations=50, random_state=1, min_len=1, stopwords=None,
                    min_docs=1, max_docfreq=1.0).fit(DOCS)
    assert "县" in one.vocabulary_ and one.preprocessing_["tokens_shorter_than_min_len"] == 0


def test_numbers_are_removed_and_counted():
    docs = [d + ["2022", "3.5", "80%", "2022年"] for d in DOCS]
    m = LdaTopics(2, iterations=50, random_state=1, max_docfreq=1.0).fit(docs)
    assert m.preprocessing_["number_tokens_removed"] == 60
    assert "2022" not in m.vocabulary_ and "2022年" in m.vocabulary_
    kept = LdaTopics(2, iterations=50, random_state=1, max_docfreq=1.0,
                     remove_numbers=False).fit(docs)
    assert {"2022", "3.5", "80%"} <= set(kept.vocabulary_)


def test_fit_accepts_dfm_and_keeps_ids():
    from quanyu_nlp.dfm import dfm

    d = dfm(DOCS)
    m = LdaTopics(2, iterations=100, random_state=1).fit(d)
    assert m.unit_ids_ == d.unit_ids
    assert _separates(m.doc_topics_)


def test_fit_accepts_tokens_with_docvars():
    segment = pytest.importorskip("quanyu_nlp.segment").__dict__.get("segment")
    if segment is None:
        pytest.skip("quanyu_nlp.segment.segment not available yet")
    from quanyu_nlp.corpus import corpus_from_texts

    corpus = corpus_from_texts(TEXTS, docvars={"field": ["防汛"] * 10 + ["培训"] * 10})
    toks = segment(corpus)
    m = LdaTopics(2, iterations=100, random_state=1).fit(toks)
    assert m.unit_ids_ == list(toks.unit_ids)
    assert list(m.docvars_["field"]) == ["防汛"] * 10 + ["培训"] * 10


@pytest.mark.parametrize("k, msg", [(1, "K >= 2"), (0, "K >= 2"),
                                    (21, "K=21 topics for 20 documents"),
                                    (2.5, "whole number")])
def test_bad_k_is_a_parameter_error(k, msg):
    with pytest.raises(ParameterError, match=msg):
        LdaTopics(k).fit(DOCS)


def test_bad_inputs_are_parameter_errors():
    with pytest.raises(ParameterError, match="empty"):
        LdaTopics(2).fit([])
    with pytest.raises(ParameterError, match="string"):
        LdaTopics(2).fit(TEXTS)
    with pytest.raises(ParameterError, match="no tokens left"):
        LdaTopics(2).fit([["的", "了"], ["。"]])
    with pytest.raises(ParameterError, match="backend"):
        LdaTopics(2, backend="mallet").fit(DOCS)
    with pytest.raises(ParameterError, match="not fitted"):
        LdaTopics(2).transform(DOCS)


def test_transform_new_and_empty_documents():
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    flood = _flood_topic(m)  # noqa: F841 (used in query)
    new = [["暴雨", "防汛", "堤坝", "水位", "抢险"], ["党员", "培训", "党课", "学习"], ["天气", "晴朗"], []]
    theta = m.transform(new)
    assert theta.shape == (4, 2)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-6)
    assert theta[0].argmax() == flood and theta[1].argmax() != flood
    # no known term: the model's prior shares
    np.testing.assert_allclose(theta[2], theta[3])


def test_empty_units_get_prior_shares_and_keep_their_row():
    docs = DOCS + [["的"], []]
    m = LdaTopics(2, iterations=100, random_state=1).fit(docs)
    assert m.doc_topics_.shape == (22, 2) and m.preprocessing_["empty_units"] == 2
    np.testing.assert_allclose(m.doc_topics_[-1], m.doc_topics_[-2])


def test_doc_topics_frame_wide_and_long():
    m = NmfTopics(2, random_state=1).fit(DOCS)
    wide = m.doc_topics_frame()
    assert list(wide.columns) == ["unit_id", "doc_id", 0, 1] and len(wide) == 20
    long = m.doc_topics_frame(long=True)
    assert list(long.columns) == ["unit_id", "doc_id", "topic", "label", "weight"]
    assert len(long) == 40 and list(long["topic"][:4]) == [0, 1, 0, 1]
    assert long["weight"].tolist()[:2] == wide.loc[0, [0, 1]].tolist()


def test_perplexity_and_coherence():
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    assert 1 < m.perplexity(DOCS[:4]) < len(m.vocabulary_)
    c = m.coherence("c_npmi", top_n=5)
    assert c.shape == (2,) and np.all((-1 <= c) & (c <= 1))
    assert np.all(m.exclusivity(5) > 0.5)
    assert np.isnan(NmfTopics(2, random_state=1).fit(DOCS).perplexity(DOCS[:4]))


def test_frex_is_bounded_and_prefers_exclusive_terms():
    phi = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    f = frex_scores(phi)
    assert np.all((f > 0) & (f <= 1))
    assert f[0, 0] > f[0, 1]          # frequent and exclusive beats frequent and shared


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 6), st.integers(2, 30), st.integers(0, 10_000))
def test_scores_are_bounded_for_any_topic_matrix(k, v, seed):
    rng = np.random.RandomState(seed)
    phi = rng.dirichlet(np.full(v, 0.3), size=k)
    f = frex_scores(phi)
    assert f.shape == (k, v) and np.all((f > 0) & (f <= 1 + 1e-12))
    ex = exclusivity(phi, top_n=min(v, 5))
    assert np.all(ex > 0) and np.all(ex <= 1 + 1e-12)
    sim = topic_similarity([["a", "b"]] * k, [["a", "b"]] * k)
    _, _, s = match_topics(sim)
    assert np.allclose(s, 1.0)


def test_hungarian_matching_pairs_equal_topics():
    a = [["防汛", "堤坝"], ["党员", "培训"]]
    b = [["党员", "培训"], ["防汛", "水位"]]
    rows, cols, sim = match_topics(topic_similarity(a, b))
    assert dict(zip(rows, cols)) == {0: 1, 1: 0}
    assert sim.tolist() == [pytest.approx(1 / 3), 1.0]


# -- seeded topics ---------------------------------------------------------------------

def test_seeded_topic_recovers_its_category():
    m = SeededTopics(seeds=SEEDS, n_free=1, iterations=100, random_state=2).fit(DOCS)
    assert m.labels_[:2] == ["防汛", "党员培训"] and m.n_topics_ == 3
    assert m.seeded_.tolist() == [True, True, False]
    assert m.category_ids_ == ["防汛", "党员培训", None]
    assert (m.doc_topics_[IS_FLOOD].argmax(axis=1) == 0).all()
    assert (m.doc_topics_[~IS_FLOOD].argmax(axis=1) == 1).all()
    assert set(m.top_terms(3).query("topic == 0")["term"]) <= set(
        "防汛 抢险 堤坝 水位 群众 暴雨 巡查 转移".split())


def _framework():
    cat = lambda cid, label, terms: SimpleNamespace(id=cid, label=label, seed_terms=terms)
    dim = SimpleNamespace(id="work", label="工作", categories=[
        cat("flood", "防汛抢险", ["防汛", "抢险", "堤坝"]),
        cat("train", "党员培训", ["党员", "培训", "党课"]),
        cat("none", "未出现", ["航天", "火箭"]),
    ])
    return SimpleNamespace(name="test", dimensions=[dim])


def test_seeded_from_a_framework_reports_missing_seed_terms():
    with pytest.warns(UserWarning, match="未出现"):
        m = SeededTopics(framework=_framework(), dimension="work", n_free=0, iterations=100,
                         random_state=1).fit(DOCS)
    assert m.labels_ == ["防汛抢险", "党员培训", "未出现"]
    assert m.category_ids_ == ["flood", "train", "none"]
    rep = m.seed_report_
    assert set(rep.columns) == {"topic", "label", "term", "in_vocabulary", "count"}
    assert rep.set_index("term").loc["航天", "in_vocabulary"] == False  # noqa: E712
    assert rep.set_index("term").loc["防汛", "count"] == 7
    assert m.info()["seed_terms_found"] == 6


def test_seeded_unknown_dimension_names_the_choices():
    with pytest.raises(FrameworkError, match="dimensions are: work"):
        SeededTopics(framework=_framework(), dimension="results").fit(DOCS)


def test_seeded_topics_use_tomotopy_word_priors():
    m = SeededTopics(seeds=SEEDS, n_free=1, iterations=50, random_state=1).fit(DOCS)
    assert "backend" not in m.get_params()
    prior = m.model_.get_word_prior("防汛")
    assert prior[0] == 1.0 and prior[1] < 0.01 and prior[2] < 0.01


# -- choosing K ------------------------------------------------------------------------

def test_select_k_table(tmp_path):
    import matplotlib
    matplotlib.use("Agg")

    res = select_k(DOCS, ks=[2, 3], seeds=[1, 2], iterations=60, holdout=0.2)
    assert isinstance(res, KSelection)
    assert list(res.table.columns) == ["k", "npmi", "npmi_sd", "c_v", "exclusivity",
                                       "perplexity", "stability", "score"]
    assert res.table["k"].tolist() == [2, 3] and len(res.runs) == 4
    assert res.recommended_k in (2, 3)
    assert res.table["stability"].between(0, 1).all()
    assert res.table["perplexity"].gt(1).all()
    assert res.settings["n_test"] == 4 and res.settings["n_train"] == 16
    res.plot()
    assert res.ax_.get_xlabel() == "number of topics K"
    res.figure_.savefig(tmp_path / "k.png")
    assert "recommended K" in res._repr_html_()


def test_select_k_is_reproducible_and_checks_k():
    a = select_k(DOCS, ks=[2, 3], seeds=[1, 2], iterations=40, measures=["c_npmi"])
    b = select_k(DOCS, ks=[2, 3], seeds=[1, 2], iterations=40, measures=["c_npmi"])
    pd.testing.assert_frame_equal(a.table, b.table)
    with pytest.raises(ParameterError, match="K >= 2"):
        select_k(DOCS, ks=[1, 2])
    with pytest.raises(ParameterError, match="training documents"):
        select_k(DOCS, ks=[2, 18], seeds=[1])


def test_select_k_nmf_has_no_perplexity():
    res = select_k(DOCS, ks=[2, 3], seeds=[1], model="nmf", measures=["c_npmi"])
    assert res.table["perplexity"].isna().all() and res.table["stability"].isna().all()


# -- interpretation ----------------------------------------------------------------------

def test_representative_documents_are_verbatim():
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    rep = representative_documents(m, TEXTS, n=3)
    assert list(rep.columns) == ["topic", "label", "rank", "unit_id", "doc_id", "share", "text"]
    assert len(rep) == 6
    assert set(rep["text"]) <= set(TEXTS)
    flood = _flood_topic(m)  # noqa: F841 (used in query)
    assert all(t in TEXTS[:10] for t in rep.query("topic == @flood")["text"])
    with pytest.raises(ParameterError, match="19 texts"):
        representative_documents(m, TEXTS[:-1])


def test_representative_documents_from_a_corpus_align_by_id():
    from quanyu_nlp.corpus import corpus_from_texts
    from quanyu_nlp.dfm import dfm

    corpus = corpus_from_texts(TEXTS)
    lists = type("L", (list,), {"to_lists": lambda self: list(self)})(DOCS)
    lists.unit_ids = corpus.unit_ids[::-1]          # the model sees the units reversed
    m = LdaTopics(2, iterations=100, random_state=1).fit(dfm(lists))
    rep = representative_documents(m, corpus, n=1)
    pos = {u: i for i, u in enumerate(corpus.unit_ids)}
    for _, r in rep.iterrows():
        assert corpus.texts[pos[r.unit_id]] == r.text


def test_representative_sentences_are_cited_verbatim():
    pytest.importorskip("quanyu_nlp.segment")
    from quanyu_nlp.corpus import corpus_from_texts
    from quanyu_nlp.topics import representative_sentences

    # two reports per document: the sentences keep offsets into their document
    corpus = corpus_from_texts([TEXTS[i] + TEXTS[i + 10] for i in range(10)])
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    rep = representative_sentences(m, corpus, n=2, min_terms=3)
    assert list(rep.columns) == ["topic", "label", "rank", "doc_id", "unit_id", "start",
                                 "end", "share", "text"]
    assert len(rep) == 4
    for _, r in rep.iterrows():
        assert corpus.doc_text(r.doc_id)[r.start:r.end] == r.text
    flood = _flood_topic(m)  # noqa: F841 (used in query)
    assert all(t in TEXTS[:10] for t in rep.query("topic == @flood")["text"])
    assert all(t in TEXTS[10:] for t in rep.query("topic != @flood")["text"])


def test_topic_correlations():
    m = SeededTopics(seeds=SEEDS, n_free=1, iterations=100, random_state=1).fit(DOCS)
    c = topic_correlations(m)
    assert c.shape == (3, 3) and c.index.tolist()[0] == "0: 防汛"
    np.testing.assert_allclose(np.diag(c), 1.0)
    np.testing.assert_allclose(c.to_numpy(), c.to_numpy().T)
    assert c.iloc[0, 1] < 0


# -- effects of document variables -------------------------------------------------------

def _planted(n=300, seed=0):
    rng = np.random.RandomState(seed)
    dv = pd.DataFrame({"region": rng.choice(["东部", "西部"], n),
                       "year": rng.choice([2020, 2021, 2022], n)})
    s0 = 0.3 + 0.2 * (dv["region"] == "西部") + 0.05 * (dv["year"] - 2020) \
        + rng.normal(0, 0.05, n)
    return np.c_[s0, 1 - s0], dv


@pytest.mark.parametrize("method", ["delta", "bootstrap"])
def test_topic_effects_recovers_a_planted_effect(method):
    theta, dv = _planted()
    eff = topic_effects(theta, dv, "~ region + year", method=method, n_boot=200,
                        random_state=1)
    assert list(eff.columns) == ["topic", "label", "term", "estimate", "std_err", "ci_low",
                                 "ci_high", "n"]
    row = eff.query("topic == 0 and term == 'region[T.西部]'").iloc[0]
    assert row.ci_low < 0.2 < row.ci_high and abs(row.estimate - 0.2) < 0.02
    yr = eff.query("topic == 0 and term == 'year'").iloc[0]
    assert yr.ci_low < 0.05 < yr.ci_high
    # the other topic mirrors it
    assert eff.query("topic == 1 and term == 'region[T.西部]'").estimate.iloc[0] == \
        pytest.approx(-row.estimate)


def test_topic_effects_logit_link_has_the_right_sign():
    theta, dv = _planted()
    eff = topic_effects(theta, dv, "~ region", method="bootstrap", link="logit", n_boot=30,
                        random_state=1)
    row = eff.query("topic == 0 and term == 'region[T.西部]'").iloc[0]
    assert row.estimate > 0 and row.ci_low > 0


def test_topic_effects_is_reproducible():
    theta, dv = _planted()
    a = topic_effects(theta, dv, "~ region", n_boot=50, random_state=3)
    b = topic_effects(theta, dv, "~ region", n_boot=50, random_state=3)
    pd.testing.assert_frame_equal(a, b)


def test_unknown_variable_is_a_column_error_listing_the_variables():
    theta, dv = _planted(50)
    with pytest.raises(ColumnError, match=r"'regin'.*available variables are: region, year"):
        topic_effects(theta, dv, "~ regin + C(year)")
    with pytest.raises(ColumnError, match="'field'"):
        prevalence_over(theta, dv, var="field")
    # functions and transformations of real columns are fine
    eff = topic_effects(theta, dv, "~ C(year) + region", method="delta")
    assert "C(year)[T.2021]" in set(eff["term"])
    eff = topic_effects(theta, dv, "~ np.log(year)", method="delta")
    assert "np.log(year)" in set(eff["term"])


def test_topic_effects_with_a_fitted_model_and_corpus():
    from quanyu_nlp.corpus import corpus_from_texts

    corpus = corpus_from_texts(TEXTS, docvars={"field": ["防汛"] * 10 + ["培训"] * 10,
                                               "year": [2021, 2022] * 10})
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    eff = topic_effects(m, corpus, "~ field + year", method="delta")
    flood = _flood_topic(m)  # noqa: F841 (used in query)
    row = eff.query("topic == @flood and term == 'field[T.防汛]'").iloc[0]
    assert row.estimate > 0.8 and row.ci_low > 0.5
    assert eff["label"].iloc[0] == m.labels_[0]
    with pytest.raises(ParameterError, match="12 rows"):
        topic_effects(m, pd.DataFrame({"year": range(12)}), "~ year")


def test_effects_default_to_the_document_variables_of_the_fit():
    from quanyu_nlp.dfm import dfm

    lists = type("L", (list,), {"to_lists": lambda self: list(self)})(DOCS)
    lists.unit_ids = [f"u{i}" for i in range(20)]
    lists.docvars = pd.DataFrame({"field": ["防汛"] * 10 + ["培训"] * 10})
    m = LdaTopics(2, iterations=100, random_state=1).fit(dfm(lists))
    eff = topic_effects(m, formula="~ field", method="delta")
    assert "field[T.防汛]" in set(eff["term"])
    assert len(prevalence_over(m, var="field", method="normal")) == 4
    bare = LdaTopics(2, iterations=50, random_state=1).fit(DOCS)
    with pytest.raises(ParameterError, match="no document variables"):
        topic_effects(bare, formula="~ field")


def test_prevalence_over_levels():
    theta, dv = _planted()
    prev = prevalence_over(theta, dv, var="year", n_boot=100, random_state=1)
    assert list(prev.columns) == ["year", "topic", "label", "n", "mean", "ci_low", "ci_high"]
    t0 = prev.query("topic == 0").set_index("year")
    assert t0.index.tolist() == [2020, 2021, 2022]
    assert t0["mean"].is_monotonic_increasing
    assert (t0["ci_low"] < t0["mean"]).all() and (t0["mean"] < t0["ci_high"]).all()
    normal = prevalence_over(theta, dv, var="region", method="normal")
    assert normal["n"].sum() == 2 * len(dv)


def test_no_warnings_on_a_plain_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LdaTopics(2, iterations=50, random_state=1).fit(DOCS)
        NmfTopics(2, random_state=1).fit(DOCS)


# ---------------------------------------------------------------- method of composition
@pytest.mark.parametrize("backend", ["tomotopy", "gensim"])
def test_lda_keeps_each_units_posterior_dirichlet(backend):
    m = LdaTopics(2, backend=backend, iterations=100, random_state=1).fit(DOCS)
    post = m.doc_topic_posterior_
    assert post.shape == m.doc_topics_.shape and (post > 0).all()
    # normalised, the posterior is the unit's shares; its size grows with the unit's length
    np.testing.assert_allclose(post / post.sum(axis=1, keepdims=True), m.doc_topics_,
                               rtol=1e-4, atol=1e-6)
    assert not hasattr(NmfTopics(2, random_state=1).fit(DOCS), "doc_topic_posterior_")


def test_hc1_matches_statsmodels():
    import statsmodels.api as sm

    from quanyu_nlp.topics.effects import _hc1_ols

    theta, dv = _planted(n=80)
    X = np.column_stack([np.ones(len(dv)), dv["region"] == "西部", dv["year"]]).astype(float)
    beta, covs = _hc1_ols(theta, X)
    for k in range(theta.shape[1]):
        fit = sm.OLS(theta[:, k], X).fit(cov_type="HC1")
        np.testing.assert_allclose(beta[k], fit.params, rtol=1e-8)
        np.testing.assert_allclose(covs[k], fit.cov_params(), rtol=1e-6)


def test_composition_carries_the_models_uncertainty():
    corpus_dv = pd.DataFrame({"field": ["防汛"] * 10 + ["培训"] * 10})
    m = LdaTopics(2, iterations=100, random_state=1).fit(DOCS)
    flood = _flood_topic(m)
    delta = topic_effects(m, corpus_dv, "~ field", method="delta")
    comp = topic_effects(m, corpus_dv, "~ field", method="composition", n_boot=100,
                         random_state=0)
    assert comp.attrs["method"] == "composition" and comp.attrs["n_boot"] == 100
    def key(e):
        return e[(e["topic"] == flood) & (e["term"] == "field[T.防汛]")].iloc[0]

    d, c = key(delta), key(comp)
    # the same effect, a wider interval: the shares of 20 short units are uncertain
    assert c.estimate > 0.5 and abs(c.estimate - d.estimate) < 0.1
    assert c.std_err > d.std_err and c.ci_low < c.estimate < c.ci_high
    again = topic_effects(m, corpus_dv, "~ field", method="composition", n_boot=100,
                          random_state=0)
    pd.testing.assert_frame_equal(comp, again)
    logit = topic_effects(m, corpus_dv, "~ field", method="composition", link="logit",
                          n_boot=20, random_state=0)
    assert key(logit).estimate > 0
    with pytest.raises(ParameterError, match="composition"):
        topic_effects(NmfTopics(2, random_state=1).fit(DOCS), corpus_dv, "~ field",
                      method="composition")
    with pytest.raises(ParameterError, match="composition"):
        topic_effects(m.doc_topics_, corpus_dv, "~ field", method="composition")


def test_topic_effects_bootstrap_redraws_resamples_that_lose_a_level():
    # 60 documents, a level with 2 of them: about one resample in eight misses both, and
    # least squares then set its coefficient to 0 (or shared the intercept among the
    # dummies when the reference level was missed), which inflated std_err.
    rng = np.random.RandomState(3)
    n = 60
    dv = pd.DataFrame({"field": ["农村"] * 2 + ["城市"] * 29 + ["机关"] * 29,
                       "year": rng.choice([2020, 2021, 2022], n)})
    s0 = 0.4 + 0.1 * (dv["field"] == "机关") + rng.normal(0, 0.03, n)
    theta = np.c_[s0, 1 - s0]
    eff = topic_effects(theta, dv, "~ field + year", n_boot=200, random_state=0)
    assert eff.attrs["bootstrap_redraws"] > 0
    assert eff.attrs["reference_levels"] == {"field": "农村"}
    delta = topic_effects(theta, dv, "~ field + year", method="delta")
    for term in ("field[T.城市]", "field[T.机关]"):
        b = eff[(eff["topic"] == 0) & (eff["term"] == term)].iloc[0]
        d = delta[(delta["topic"] == 0) & (delta["term"] == term)].iloc[0]
        assert b.std_err < 3 * d.std_err
        # std_err and the percentile interval describe the same distribution
        assert (b.ci_high - b.ci_low) / (2 * 1.96 * b.std_err) == pytest.approx(1, abs=0.35)
    again = topic_effects(theta, dv, "~ field + year", n_boot=200, random_state=0)
    pd.testing.assert_frame_equal(eff, again)


def test_topic_effects_reads_nullable_integer_years_as_factor():
    # A corpus keeps year as pandas' nullable Int64; C(year) crashed inside patsy.
    theta, dv = _planted(n=90)
    dv = dv.astype({"year": "Int64", "region": "string"})
    eff = topic_effects(theta, dv, "~ C(year) + region", method="delta")
    assert "C(year)[T.2021]" in set(eff["term"])
    assert eff.attrs["reference_levels"] == {"year": "2020", "region": "东部"}
    dv.loc[0, "year"] = pd.NA
    assert topic_effects(theta, dv, "~ C(year)", method="delta")["n"].iloc[0] == 89


@pytest.mark.parametrize("make", ESTIMATORS)
def test_estimators_keep_scikit_learn_parameter_conventions(make):
    # The shared settings are stored by one chained __init__; get_params, set_params
    # and clone must still see every parameter of each estimator's own signature.
    import inspect

    from sklearn.base import clone

    m = make()
    names = [p for p in inspect.signature(type(m).__init__).parameters if p != "self"]
    params = m.get_params()
    assert sorted(params) == sorted(names)
    assert all(getattr(m, n) is params[n] for n in names)
    c = clone(m).set_params(min_len=1, n_terms=5)
    assert (c.min_len, c.n_terms) == (1, 5) and m.min_len != 1
    assert clone(m).get_params() == params


def test_topics_do_not_depend_on_the_interpreter_hash_seed(tmp_path):
    # Vocabularies and seed priors pass through dicts and sets: the same random_state
    # must give the same topics in interpreters with different string hashing.
    import subprocess
    import sys

    code = ("import hashlib, sys, numpy as np\n"
            "sys.path.insert(0, %r)\n"
            "from test_topics import DOCS, SEEDS\n"
            "from quanyu_nlp.topics import NmfTopics, SeededTopics\n"
            "h = hashlib.sha256()\n"
            "for m in (SeededTopics(seeds=SEEDS, n_free=1, iterations=50, random_state=2),\n"
            "          NmfTopics(2, random_state=2, min_docs=1)):\n"
            "    m.fit(DOCS)\n"
            "    h.update(m.topic_terms_.to_csv().encode())\n"
            "    h.update(np.round(m.doc_topics_, 12).tobytes())\n"
            "print(h.hexdigest())\n") % str(__import__("pathlib").Path(__file__).parent)
    outs = set()
    for seed in ("0", "4242"):
        env = dict(__import__("os").environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        outs.add(res.stdout.strip())
    assert len(outs) == 1


@pytest.mark.parametrize("kwargs, msg", [
    ({"ks": [3, 3]}, "ks=[3, 3] lists 3 twice; give each value once: ks=[3]"),
    ({"ks": [2, 3, 2]}, "ks=[2, 3, 2] lists 2 twice; give each value once: ks=[2, 3]"),
    ({"seeds": [1, 1]}, "seeds=[1, 1] lists 1 twice; give each value once: seeds=[1]"),
    ({"ks": 3}, "ks=3 must be a list of candidate numbers of topics"),
    ({"ks": [2, 2.5]}, "2.5 is not a whole number"),
    ({"seeds": ["a"]}, "'a' is not a whole number"),
])
def test_select_k_refuses_repeated_or_non_integer_values(kwargs, msg):
    # ks=[3, 3] used to fit K=3 twice and end in KeyError: 'npmi'; a repeated seed
    # would be compared with itself and make the topics look perfectly stable.
    args = {"ks": [2, 3], "seeds": [1, 2], "iterations": 10, "measures": ["c_npmi"]} | kwargs
    with pytest.raises(ParameterError) as e:
        select_k(DOCS, **args)
    assert msg in str(e.value) and "\n" not in str(e.value)


def test_select_k_accepts_whole_floats_and_numpy_ints():
    res = select_k(DOCS, ks=np.array([2, 3]), seeds=[1.0], iterations=10, model="nmf",
                   measures=["c_npmi"])
    assert list(res.table["k"]) == [2, 3] and res.settings["seeds"] == [1]


# Eight short items, two per theme, written for these tests.
EIGHT = [d.split() for d in (
    "防汛 抢险 堤坝 水位", "防汛 值守 堤坝 巡查", "党员 培训 党课 学习", "党课 学习 党员 讨论",
    "村民 议事 协商 公开", "议事 村民 监督 公开", "垃圾 分类 环境 整治", "环境 整治 垃圾 清运")]


@pytest.mark.parametrize("make, words", [
    (lambda: LdaTopics(12), "K=12 topics for 8 documents (units): use K <= 8, or fit on "
     "paragraphs or sentences"),
    (lambda: LdaTopics(20, backend="gensim"), "K=20 topics for 8 documents (units): use K <= 8"),
    (lambda: NmfTopics(12), "K=12 topics for 8 documents (units): use K <= 8"),
    (lambda: SeededTopics(seeds=SEEDS, n_free=8),
     "2 seeded categories + n_free=8 free topics = K=10 topics for 8 documents (units): "
     "use n_free <= 6"),
    (lambda: SeededTopics(seeds={f"c{i}": ["党员"] for i in range(9)}, n_free=0),
     "K=9 topics for 8 documents (units): seed at most 8 categories (seeds=)"),
])
def test_k_above_the_number_of_documents_is_said_plainly(make, words):
    # The automatic max_docfreq follows K, so K=20 on 8 documents used to end in
    # "no terms left after trimming (max_docfreq=0.2) ... loosen the trimming".
    with pytest.raises(ParameterError) as e:
        make().fit(EIGHT)
    msg = str(e.value)
    assert words in msg and "trimming" not in msg and "\n" not in msg


def test_k_above_the_number_of_documents_for_each_input_type():
    from quanyu_nlp.corpus import corpus_from_texts
    from quanyu_nlp.dfm import dfm

    for x in (dfm(EIGHT), corpus_from_texts(["防汛抢险。", "党员培训。", "村民议事。"])):
        with pytest.raises(ParameterError, match=rf"K=12 topics for {len(x)} documents"):
            LdaTopics(12).fit(x)
    with pytest.raises(ParameterError, match="K=9 topics .the largest of ks. for 8 documents"):
        select_k(EIGHT, ks=[2, 9], seeds=[1])


def test_k_above_the_documents_left_after_filtering():
    docs = EIGHT[:3] + [["的", "了"], ["。"]]
    with pytest.raises(ParameterError) as e:
        LdaTopics(4, min_docs=1, max_docfreq=1.0).fit(docs)
    assert ("K=4 topics for 3 documents (units) that keep a term after filtering (of 5); "
            "use K <= 3") in str(e.value)


@pytest.mark.parametrize("make, words", [
    (lambda: LdaTopics(2), "max_docfreq is automatic for K=2 topics"),
    (lambda: NmfTopics(3, max_docfreq=0.3), "NmfTopics(..., min_docs=1, max_docfreq=0.5)"),
    (lambda: SeededTopics(seeds=SEEDS, n_free=0),
     "max_docfreq is automatic for 2 seeded categories + n_free=0 free topics = K=2 topics"),
])
def test_empty_vocabulary_after_automatic_trimming_names_the_rule_and_the_fix(make, words):
    # Every term is in all four documents or in one only: the trimming keeps nothing.
    docs = [["党建", "引领", f"特色{i}"] for i in range(4)]
    with pytest.raises(ParameterError) as e:
        make().fit(docs)
    msg = str(e.value)
    assert msg.startswith("no terms left after trimming") and words in msg
    assert "min_docs is automatic" in msg and "\n" not in msg
    # the offered fix works
    LdaTopics(2, min_docs=1, max_docfreq=1.0, iterations=5).fit(docs)
