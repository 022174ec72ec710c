"""Tests for quanyu_nlp.dfm: counts checked by hand on tiny Chinese token lists."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from quanyu_nlp.dfm import (Dfm, dfm, dfm_group, dfm_match, dfm_remove, dfm_select,
                            dfm_subset, dfm_trim, dfm_weight)
from quanyu_nlp.errors import ColumnError, ParameterError

# Three short "units" written for these tests.  By hand:
#   u1: 党 建 党 组织 -> 党 2, 建 1, 组织 1
#   u2: 村 党建 联合体 村 -> 村 2, 党建 1, 联合体 1
#   u3: 党建 联合体 党 -> 党建 1, 联合体 1, 党 1
TOKS = [["党", "建", "党", "组织"], ["村", "党建", "联合体", "村"], ["党建", "联合体", "党"]]
FEATS = ["党", "建", "组织", "村", "党建", "联合体"]  # order of first appearance
COUNTS = [[2, 1, 1, 0, 0, 0],
          [0, 0, 0, 2, 1, 1],
          [1, 0, 0, 0, 1, 1]]


class FakeTokens:
    """Stand-in with the Tokens contract of docs/design.md."""

    def __init__(self, lists, unit_ids, docvars, meta=None):
        self._lists = lists
        self.unit_ids = unit_ids
        self.docvars = docvars
        self.meta = meta or {"segmenter": {"backend": "fake"}}

    def to_lists(self):
        return [list(t) for t in self._lists]


def make_tokens():
    dv = pd.DataFrame({"field": ["城市基层", "农村", "农村"], "year": [2020, 2021, 2021],
                       "region": ["东", "西", None]})
    return FakeTokens(TOKS, ["d1", "d2", "d3"], dv)


def _segment_or_none():
    try:
        from quanyu_nlp.segment import segment  # noqa: F401
    except Exception:
        return None
    return segment


# ------------------------------------------------------------------ construction
def test_counts_and_feature_order_by_hand():
    d = dfm(TOKS)
    assert d.features == FEATS
    assert d.matrix.toarray().tolist() == COUNTS
    assert d.unit_ids == ["text1", "text2", "text3"]
    assert d.featfreq().tolist() == [3, 1, 1, 2, 2, 2]
    assert d.docfreq().tolist() == [2, 1, 1, 1, 2, 2]
    assert d.ntoken().tolist() == [4, 4, 3]
    assert sp.isspmatrix_csr(d.matrix) or isinstance(d.matrix, sp.csr_array)


def test_one_character_tokens_are_kept():
    # The scikit-learn default token_pattern would drop 党, 建, 村.
    d = dfm([["党", "村", "县", "人"], ["党"]])
    assert d.features == ["党", "村", "县", "人"]
    assert d.featfreq().tolist() == [2, 1, 1, 1]
    assert d.meta["history"][0]["dropped_short"] == 0


def test_min_len_and_whitespace_are_counted_not_silent():
    d = dfm([["党", "党建", " ", "\n", "村"]], min_len=2)
    assert d.features == ["党建"]
    h = d.meta["history"][0]
    assert h["dropped_short"] == 2 and h["dropped_whitespace"] == 2
    with pytest.raises(ParameterError):
        dfm(TOKS, min_len=0)


def test_tokens_object_carries_ids_docvars_meta():
    t = make_tokens()
    d = dfm(t)
    assert d.unit_ids == ["d1", "d2", "d3"]
    assert d.docvars["field"].tolist() == ["城市基层", "农村", "农村"]
    assert d.meta["source"]["segmenter"]["backend"] == "fake"
    assert d.doc_ids == ["d1", "d2", "d3"]


def test_bad_inputs_raise_parameter_error():
    with pytest.raises(ParameterError, match="segment"):
        dfm(["党建联合体", "村党支部"])
    with pytest.raises(ParameterError, match="single string"):
        dfm("党建联合体")
    with pytest.raises(ParameterError, match="non-string"):
        dfm([["党", 3]])


def test_empty_units_and_empty_input():
    d = dfm([[], ["党"], []])
    assert d.shape == (3, 1) and d.ntoken().tolist() == [0, 1, 0]
    assert dfm([]).shape == (0, 0)


def test_immutable_and_read_only_arrays():
    d = dfm(TOKS)
    with pytest.raises(AttributeError):
        d.features = ["x"]
    with pytest.raises(ValueError):
        d.matrix.data[0] = 99
    f = d.features
    f.append("新")
    assert "新" not in d.features
    dv = d.docvars
    dv["x"] = 1
    assert "x" not in d.docvars.columns


def test_pickle_roundtrip():
    d = dfm_trim(dfm(make_tokens()), min_count=2)
    e = pickle.loads(pickle.dumps(d))
    assert e.features == d.features
    assert (e.matrix != d.matrix).nnz == 0
    assert e.to_token_lists() == d.to_token_lists()
    assert e.trim_report.equals(d.trim_report)


def test_direct_constructor_validates():
    d = Dfm(np.array([[1, 0], [2, 3]]), ["党", "村"])
    assert d.unit_ids == ["text1", "text2"]
    assert d.to_token_lists() == [["党"], ["党", "党", "村", "村", "村"]]
    with pytest.raises(ParameterError):
        Dfm(np.array([[1, 0]]), ["党"])
    with pytest.raises(ParameterError):
        Dfm(np.array([[1, 0]]), ["党", "党"])


# ------------------------------------------------------------------ trim
def test_trim_min_count_report():
    d = dfm(TOKS)
    t = dfm_trim(d, min_count=2)
    assert t.features == ["党", "村", "党建", "联合体"]
    rep = t.trim_report
    assert rep["feature"].tolist() == ["建", "组织"]
    assert rep["count"].tolist() == [1, 1]
    assert rep["reason"].tolist() == ["min_count", "min_count"]
    h = t.meta["history"][-1]
    assert h["features_removed"] == 2 and h["tokens_removed"] == 2
    assert h["features_before"] == 6 and h["features_after"] == 4
    assert h["tokens_before"] == 11
    assert t.featfreq().sum() == 9


def test_trim_docfreq_share_and_count():
    d = dfm(TOKS)
    # docfreq: 党 2, 建 1, 组织 1, 村 1, 党建 2, 联合体 2
    assert dfm_trim(d, min_docs=2).features == ["党", "党建", "联合体"]
    # 0.5 of 3 units = 1.5 -> features in 2 units are removed
    t = dfm_trim(d, max_docfreq=0.5)
    assert t.features == ["建", "组织", "村"]
    assert set(t.trim_report["reason"]) == {"max_docfreq"}
    assert dfm_trim(d, max_docfreq=1).features == ["建", "组织", "村"]
    with pytest.raises(ParameterError, match="share"):
        dfm_trim(d, max_docfreq=1.5)
    with pytest.raises(ParameterError):
        dfm_trim(d, min_count=-1)


def test_trim_max_features_ties_keep_feature_order():
    d = dfm(TOKS)
    t = dfm_trim(d, max_features=3)
    # counts 党3 then 村2 党建2 联合体2 tie -> first two in feature order
    assert t.features == ["党", "村", "党建"]
    assert t.trim_report.set_index("feature")["reason"]["联合体"] == "max_features"


def test_trim_units_emptied_and_accumulated_report():
    d = dfm([["党", "党"], ["村"], ["党", "组织"]])
    t = dfm_trim(d, min_count=2)
    assert t.meta["history"][-1]["units_emptied"] == 1
    t2 = dfm_trim(t, max_docfreq=1)
    assert t2.features == []
    rep = t2.trim_report
    assert rep["step"].tolist() == [1, 1, 2]
    assert rep["feature"].tolist() == ["村", "组织", "党"]


def test_trim_requires_counts():
    with pytest.raises(ParameterError, match="weighted"):
        dfm_trim(dfm_weight(dfm(TOKS), "prop"), min_count=1)


# ------------------------------------------------------------------ weighting
def test_weights_by_hand():
    d = dfm(TOKS)
    p = dfm_weight(d, "prop").matrix.toarray()
    assert np.allclose(p[0], [0.5, 0.25, 0.25, 0, 0, 0])
    b = dfm_weight(d, "boolean").matrix.toarray()
    assert b.tolist() == [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 0, 0, 0, 1, 1]]
    lc = dfm_weight(d, "logcount").matrix.toarray()
    assert math.isclose(lc[0, 0], 1 + math.log10(2))
    assert lc[0, 1] == 1.0 and lc[0, 3] == 0.0
    tf = dfm_weight(d, "tfidf")
    x = tf.matrix.toarray()
    # 党: count 2 in u1, docfreq 2 of 3 -> 2 * log10(3/2)
    assert math.isclose(x[0, 0], 2 * math.log10(1.5))
    assert math.isclose(x[1, 3], 2 * math.log10(3))
    assert tf.weighting == "tfidf" and tf.meta["history"][-1]["scheme"] == "tfidf"
    assert dfm_weight(d, "count") is d


def test_weight_errors():
    d = dfm(TOKS)
    with pytest.raises(ParameterError, match="scheme"):
        dfm_weight(d, "bm25")
    with pytest.raises(ParameterError, match="already weighted"):
        dfm_weight(dfm_weight(d, "prop"), "tfidf")


def test_prop_empty_row_stays_zero():
    d = dfm_weight(dfm([["党"], []]), "prop")
    assert d.matrix.toarray().tolist() == [[1.0], [0.0]]


# ------------------------------------------------------------------ group / subset
def test_group_sums_by_docvar():
    d = dfm(make_tokens())
    g = dfm_group(d, "field")
    assert g.unit_ids == ["农村", "城市基层"]  # sorted labels
    fr = g.to_frame()
    assert fr.loc["农村"].tolist() == [1, 0, 0, 2, 2, 2]
    assert fr.loc["城市基层"].tolist() == [2, 1, 1, 0, 0, 0]
    # year is constant within each field group, region is not (西 vs missing)
    assert g.docvars.columns.tolist() == ["field", "year"]
    assert g.docvars["year"].tolist() == [2021, 2020]
    assert g.to_token_lists()[0] == ["村", "党建", "联合体", "村", "党建", "联合体", "党"]


def test_group_unknown_variable_lists_available():
    d = dfm(make_tokens())
    with pytest.raises(ColumnError, match="available: field, year, region"):
        dfm_group(d, "level")


def test_group_by_labels_and_missing_values():
    d = dfm(make_tokens())
    g = dfm_group(d, "region")
    assert len(g) == 3 and "NA" in g.unit_ids
    g2 = dfm_group(d, ["a", "b", "a"])
    assert g2.to_frame().loc["a"].tolist() == [3, 1, 1, 0, 1, 1]
    with pytest.raises(ParameterError):
        dfm_group(d, ["a"])


def test_subset_by_condition_ids_and_mask():
    d = dfm(make_tokens())
    s = dfm_subset(d, ("field", "农村"))
    assert s.unit_ids == ["d2", "d3"]
    assert s.to_token_lists() == [TOKS[1], TOKS[2]]
    assert dfm_subset(d, ["d3"]).matrix.toarray().tolist() == [COUNTS[2]]
    assert dfm_subset(d, [True, False, False]).unit_ids == ["d1"]
    with pytest.raises(ParameterError, match="unknown unit"):
        dfm_subset(d, ["d9"])
    with pytest.raises(ColumnError):
        dfm_subset(d, ("genre", "x"))


# ------------------------------------------------------------------ select / remove / match
def test_select_remove_glob_regex():
    d = dfm(TOKS)
    assert dfm_select(d, ["联合体", "党", "不存在"]).features == ["党", "联合体"]
    assert dfm_remove(d, ["党", "村"]).features == ["建", "组织", "党建", "联合体"]
    assert dfm_select(d, "党*", valuetype="glob").features == ["党", "党建"]
    assert dfm_select(d, r"^.{3}$", valuetype="regex").features == ["联合体"]
    assert dfm_select(dfm([["AI", "ai", "党"]]), "ai", case_insensitive=True).features == [
        "AI", "ai"]
    with pytest.raises(ParameterError):
        dfm_select(d, "(", valuetype="regex")


def test_match_to_training_vocabulary():
    d = dfm(TOKS)
    m = dfm_match(d, ["联合体", "新词", "党"])
    assert m.features == ["联合体", "新词", "党"]
    assert m.matrix.toarray().tolist() == [[0, 0, 2], [1, 0, 0], [1, 0, 1]]
    assert m.to_token_lists() == [["党", "党"], ["联合体"], ["联合体", "党"]]


def test_topfeatures():
    d = dfm(TOKS)
    top = d.topfeatures(2)
    assert top.index.tolist() == ["党", "村"] and top.tolist() == [3, 2]
    assert d.topfeatures(1, scheme="docfreq").index.tolist() == ["党"]


# ------------------------------------------------------------------ conversions
def test_to_sklearn_no_copy_and_usable():
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    d = dfm(TOKS)
    X, names = d.to_sklearn()
    assert X is d.matrix
    assert names.tolist() == FEATS
    TfidfTransformer().fit_transform(X)
    LatentDirichletAllocation(n_components=2, random_state=0, max_iter=5).fit(X)


def test_to_gensim_ids_aligned():
    from gensim.models import LdaModel

    d = dfm(TOKS)
    dictionary, corpus = d.to_gensim()
    assert dictionary.token2id == {f: i for i, f in enumerate(FEATS)}
    assert dictionary[4] == "党建"
    assert dictionary.dfs[0] == 2 and dictionary.num_docs == 3
    bows = [[(int(i), int(c)) for i, c in doc] for doc in corpus]
    assert bows[0] == [(0, 2), (1, 1), (2, 1)]
    _, lst = d.to_gensim(as_list=True)
    assert lst == bows and isinstance(lst[0][0][0], int)
    LdaModel(corpus, id2word=dictionary, num_topics=2, random_state=1, passes=1)


def test_token_lists_follow_trim_in_original_order():
    d = dfm_trim(dfm(TOKS), min_count=2)
    assert d.to_token_lists() == [["党", "党"], ["村", "党建", "联合体", "村"],
                                  ["党建", "联合体", "党"]]
    assert d.to_tomotopy_docs() == d.to_token_lists()
    w = dfm_weight(d, "tfidf")
    assert w.to_token_lists() == d.to_token_lists()


def test_tomotopy_accepts_docs():
    tp = pytest.importorskip("tomotopy")
    docs = dfm(TOKS).to_tomotopy_docs()
    mdl = tp.LDAModel(k=2, seed=1)
    for words in docs:
        if words:
            mdl.add_doc(words)
    mdl.train(5, workers=1)
    assert set(mdl.used_vocabs) == set(FEATS)


def test_to_frame_and_html():
    d = dfm([["<b>", "党&群"], ["党&群"]])
    fr = d.to_frame()
    assert fr.loc["text1", "<b>"] == 1
    h = d._repr_html_()
    assert "<b>" not in h.split("</p>", 1)[1]
    assert "&lt;b&gt;" in h and "&amp;" in h
    with pytest.raises(ParameterError, match="max_cells"):
        d.to_frame(max_cells=1)
    assert "2 units" in repr(d)


# ------------------------------------------------------------------ real segmenter
def test_with_real_segmenter_when_available():
    segment = _segment_or_none()
    if segment is None:
        pytest.skip("quanyu_nlp.segment not importable yet")
    texts = ["村党支部联合周边企业组建党建联合体。", "党建联合体带动村集体增收。"]
    toks = segment(texts)
    d = dfm(toks)
    lists = toks.to_lists()
    kept = [[t for t in u if t.strip()] for u in lists]
    assert d.ntoken().tolist() == [len(u) for u in kept]
    assert d.to_token_lists() == kept
    # one-character tokens the segmenter produced are features
    ones = {t for u in kept for t in u if len(t) == 1}
    assert ones <= set(d.features)


def test_dfm_of_corpus_segments_it_and_keeps_doc_ids():
    segment = _segment_or_none()
    if segment is None:
        pytest.skip("quanyu_nlp.segment not importable yet")
    from quanyu_nlp.corpus import corpus_from_texts, corpus_reshape

    c = corpus_from_texts(["村党支部组建党建联合体。联合体带动村集体增收。",
                           "社区党组织牵头成立联合党委。"],
                          docvars={"field": ["农村", "城市基层"]})
    d = dfm(c)
    assert d.unit_ids == c.unit_ids and d.doc_ids == c.doc_ids
    assert d.docvars["field"].tolist() == ["农村", "城市基层"]
    assert (d.matrix != dfm(segment(c)).matrix).nnz == 0
    sents = corpus_reshape(c, "sentences")
    ds = dfm(sents)
    assert ds.doc_ids == sents.doc_ids and len(set(ds.doc_ids)) == 2
    g = dfm_group(ds, ds.doc_ids)
    assert g.unit_ids == sorted(set(c.doc_ids))
    assert g.featfreq().tolist() == ds.featfreq().tolist()


def test_real_tokens_group_and_weight_are_reproducible():
    segment = _segment_or_none()
    if segment is None:
        pytest.skip("quanyu_nlp.segment not importable yet")
    from quanyu_nlp.corpus import corpus_from_texts

    texts = ["村党支部组建党建联合体，带动村集体增收。", "社区党组织牵头成立联合党委。",
             "党建联合体推动村企联建。"]
    c = corpus_from_texts(texts, docvars={"field": ["农村", "城市基层", "农村"]})
    a = dfm(segment(c, cache=False))
    b = dfm(segment(c, cache=False))
    assert a.features == b.features and (a.matrix != b.matrix).nnz == 0
    g = dfm_group(a, "field")
    rural = np.asarray(a.matrix[[0, 2]].sum(axis=0)).ravel()
    assert g.to_frame().loc["农村"].tolist() == rural.tolist()
    # one-character tokens produced by the segmenter (e.g. punctuation, 村) are features
    ones = {t for u in segment(c, cache=False).to_lists() for t in u if len(t) == 1}
    assert ones and ones <= set(a.features)
