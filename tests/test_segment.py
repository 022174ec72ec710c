"""Segmentation: offsets, lexicon, slogan rules, backends, dictionaries, transforms, cache."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quanyu_nlp.errors import DictionaryError, ParameterError
from quanyu_nlp.segment import (LEXICON_VERSION, Segmenter, Tokens, load_lexicon,
                                load_stopwords, load_user_dict, segment, textstat_newwords,
                                tokens_ngrams, tokens_phrases, tokens_remove)

SEG = Segmenter()
SEG_POS = Segmenter(pos=True)
SEG_JIEBA = Segmenter(backend="jieba")

# fixtures written for these tests
FIXTURES = [
    "坚持党建引领，推动两个覆盖，提升基层党组织的组织力。",
    "全域党建以党建联合体为支点，统筹区域化党建资源。",
    "社区党委牵头成立联合党委，网格党支部和红色物业一起服务居民。",
    "党员干部要增强四个意识、坚定四个自信、做到两个维护。",
    "认真落实三会一课制度，深入开展两学一做学习教育。",
    "驰而不息纠治四风，严格执行中央八项规定精神，一体推进三不腐。",
    "学习贯彻习近平新时代中国特色社会主义思想，推进全面从严治党。",
    "今天多云转晴，最高气温二十六度，适合出门散步。",
    "Mixed English 2026 与中文混排，共 3 段。",
]


def _check_offsets(text, toks, offs):
    prev = 0
    for tok, (s, e) in zip(toks, offs):
        assert text[s:e] == tok
        assert s >= prev and e > s
        assert text[prev:s].strip() == ""  # only whitespace is skipped
        assert not tok.isspace()
        prev = e
    assert text[prev:].strip() == ""


# -- offsets (property) -------------------------------------------------------------
_ALPHABET = st.sampled_from(list("党建组织力两个覆盖四结合一二三九大专项不腐全域联合体“”，。、"
                                 "的了是abcXYZ019 .-_%+#&\n\t\u3000\r") + ["🎉", "é"])
_TEXT = st.one_of(st.text(_ALPHABET, max_size=60), st.text(max_size=40))


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_offsets_cover_text(texts):
    toks = SEG.segment(texts, cache=False)
    assert len(toks) == len(texts)
    for i, text in enumerate(texts):
        _check_offsets(text, toks.tokens(i), toks.offsets(i))


@settings(max_examples=60, deadline=None)
@given(st.text(_ALPHABET, max_size=60))
def test_offsets_with_pos_and_jieba(text):
    for seg in (SEG_POS, SEG_JIEBA):
        toks = seg.segment([text], cache=False)
        _check_offsets(text, toks.tokens(0), toks.offsets(0))
        if seg.pos:
            assert len(toks.pos(0)) == len(toks.tokens(0))


_SLOGAN_TEXTS = ["推进工作要做到“四个结合”，重推重抓九大专项。", "落实五个坚守要求，把五个坚守贯穿全程",
                 "会议开了两个小时，讨论了三个方面。", "  坚持“四个结合” \u3000 ", "四个结合", ""]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_TEXT, st.sampled_from(_SLOGAN_TEXTS)), min_size=1, max_size=5))
def test_streaming_lines_equal_joined_tokens(texts):
    # the CLI's streaming path must give exactly the tokens of segment(): slogan merges,
    # quoted slogans known across texts, whitespace tokens dropped
    expected = [" ".join(u) for u in SEG.segment(texts, cache=False)]
    assert list(SEG.iter_joined(texts)) == expected
    assert list(Segmenter(slogan_rules=False).iter_joined(texts)) == \
        [" ".join(u) for u in Segmenter(slogan_rules=False).segment(texts, cache=False)]


def test_streaming_lines_fixtures():
    texts = _SLOGAN_TEXTS + ["党建\ud800联合体", "坚持 \t 党建引领"]
    assert list(SEG.iter_joined(texts)) == [" ".join(u) for u in SEG.segment(texts, cache=False)]
    lines = list(SEG.iter_joined(texts))
    assert lines[0].startswith("推进 工作 要 做到 “ 四个结合 ” ，")
    assert lines[3] == "坚持 “ 四个结合 ”" and lines[5] == "" and lines[-1] == "坚持 党建引领"
    with pytest.raises(ParameterError, match="list of texts"):
        list(SEG.iter_joined("党建"))


def test_lone_surrogate_does_not_break_offsets():
    text = "党建\ud800联合体"
    toks = SEG.segment([text], cache=False)
    _check_offsets(text, toks.tokens(0), toks.offsets(0))
    assert "\ud800" in toks.tokens(0)


# -- lexicon -------------------------------------------------------------------------
@pytest.mark.parametrize("term", ["组织力", "两个维护", "党建联合体", "全域党建", "两个覆盖",
                                  "四个意识", "三会一课", "联合党委", "网格党支部", "红色物业",
                                  "党群服务中心", "习近平新时代中国特色社会主义思想",
                                  "全面从严治党", "两学一做", "三不腐"])
def test_domain_terms_stay_whole(term):
    text = f"我们要{term}，并且把{term}放在心上。"
    assert SEG.cut(text).count(term) == 2


def test_place_and_urban_core_not_cut_across():
    assert SEG.cut("南阳市中心城区推进全域党建") == ["南阳市", "中心城区", "推进", "全域党建"]


@pytest.mark.parametrize("text, term", [
    ("始终坚持党的基本路线不动摇。", "基本路线"),       # not 党的基本/路线
    ("持续加强党的纪律建设。", "纪律建设"),             # not 党的纪律/建设
    ("用党的创新理论武装头脑。", "创新理论"),           # not 创新/理论武装
    ("把基层党组织建强。", "基层党组织"),
    ("强化党组织政治功能。", "党组织"),
    ("带领广大党员干部学习。", "党员干部"),             # not 广大党员/干部
    ("基层组织力得到提升。", "组织力"),                 # not 基层组织/力
])
def test_lexicon_terms_win_in_context(text, term):
    assert term in SEG.cut(text)
    assert term in Segmenter(backend="jieba").cut(text)


def test_organisational_strength_does_not_swallow_organisational_forces():
    assert SEG.cut("整合各方组织力量。")[2:4] == ["组织", "力量"]


def test_party_secretary_after_place_keeps_standard_reading():
    # SIGHAN PKU and MSR cut 上海市委/书记; the lexicon must not pull 市委书记 out
    assert SEG.cut("上海市委书记出席会议。")[:2] == ["上海市委", "书记"]


def test_lexicon_off_splits_terms():
    off = Segmenter(lexicon=False, slogan_rules=False)
    assert off.cut("提升组织力") == ["提升", "组织", "力"]
    assert "两个覆盖" not in off.cut("推动两个覆盖")
    assert "党建联合体" not in off.cut("组建党建联合体")


def test_lexicon_file_is_versioned_and_large():
    entries = load_lexicon()
    assert len(entries) >= 600
    assert len({e.word for e in entries}) == len(entries)
    assert all(e.freq and e.freq > 0 and e.pos for e in entries)
    assert LEXICON_VERSION.count(".") == 2
    assert SEG.config["lexicon_version"] == LEXICON_VERSION
    assert Segmenter(lexicon=False).config_hash != SEG.config_hash


# -- slogan rules ----------------------------------------------------------------------
def test_slogan_rule_quoted_and_before_punctuation():
    toks = SEG.cut("推进工作要做到“四个结合”，重推重抓九大专项。")
    assert "四个结合" in toks and "九大专项" in toks


def test_slogan_rule_recurrence():
    toks = SEG.cut("落实五个坚守要求，把五个坚守贯穿全程")
    assert toks.count("五个坚守") == 2


def test_slogan_rule_leaves_counts_alone():
    toks = SEG.cut("会议开了两个小时，讨论了三个方面。")
    assert "两个小时" not in toks and "三个方面" not in toks


def test_slogan_rules_off():
    toks = Segmenter(slogan_rules=False).cut("做到“四个结合”")
    assert "四个结合" not in toks


def test_slogan_rule_keeps_offsets_and_pos():
    text = "做到“四个结合”"
    t = SEG_POS.segment([text], cache=False)
    i = t.tokens(0).index("四个结合")
    assert t.offsets(0)[i] == (3, 7) and t.pos(0)[i] == "nz"


# -- backends ---------------------------------------------------------------------------
def test_backends_agree_on_fixtures():
    a = SEG.segment(FIXTURES, cache=False)
    b = SEG_JIEBA.segment(FIXTURES, cache=False)
    assert a.to_lists() == b.to_lists()


def test_backends_agree_without_lexicon_and_with_user_dict():
    ud = {"初心讲堂": None, "暖心服务": 500}
    texts = FIXTURES + ["社区开办初心讲堂，提供暖心服务。"]
    a = Segmenter(lexicon=False, user_dict=ud).segment(texts, cache=False)
    b = Segmenter(backend="jieba", lexicon=False, user_dict=ud).segment(texts, cache=False)
    assert a.to_lists() == b.to_lists()
    assert "初心讲堂" in a.tokens(len(texts) - 1)


def test_unknown_backend():
    with pytest.raises(ParameterError, match="backend"):
        Segmenter(backend="pkuseg")


def test_pos_tags():
    t = SEG_POS.segment(["提升组织力"], cache=False)
    assert t.tokens(0) == ["提升", "组织力"] and t.pos(0) == ["v", "n"]
    assert SEG.segment(["提升组织力"], cache=False).pos(0) is None


# -- user dictionaries --------------------------------------------------------------------
def test_user_dict_term_without_freq_wins(tmp_path):
    f = tmp_path / "ud.txt"
    f.write_text("初心讲堂\n暖心服务 300 n\n", encoding="utf-8")
    seg = Segmenter(user_dict=f)
    assert "初心讲堂" in seg.cut("社区开办初心讲堂")
    assert "初心讲堂" not in Segmenter().cut("社区开办初心讲堂")
    freq = {e.word: e.freq for e in seg.entries}
    assert freq["初心讲堂"] > 1 and freq["暖心服务"] == 300


def test_user_dict_in_code():
    assert "初心讲堂" in segment(["开办初心讲堂"], user_dict=["初心讲堂"], cache=False).tokens(0)
    assert load_user_dict({"初心讲堂": None})[0].freq is None
    assert load_user_dict(["初心讲堂 20 n"])[0] == ("初心讲堂", 20, "n")


@pytest.mark.parametrize("content,needle", [
    ("\ufeff初心讲堂 10\n".encode("utf-8"), "BOM"),
    ("初心讲堂 10\r\n暖心 5\r\n".encode("utf-8"), "CRLF"),
    ("初心讲堂\t10\n".encode("utf-8"), "tab"),
    ("初心讲堂 1x n\n".encode("utf-8"), "frequency"),
    ("初心讲堂 -3\n".encode("utf-8"), "frequency"),
    ("初心讲堂 0\n".encode("utf-8"), "positive"),
    ("初心讲堂 10 n extra\n".encode("utf-8"), "fields"),
    ("初心讲堂 10\n暖心服务\n初心讲堂 20\n".encode("utf-8"), "duplicate"),
    ("党建".encode("gb18030"), "UTF-8"),
])
def test_user_dict_errors_name_file_and_line(tmp_path, content, needle):
    f = tmp_path / "bad_dict.txt"
    f.write_bytes(content)
    with pytest.raises(DictionaryError) as exc:
        load_user_dict(f)
    msg = str(exc.value)
    assert "bad_dict.txt" in msg and needle in msg and "\n" not in msg
    if needle == "duplicate":
        assert "line 3" in msg and "line 1" in msg


def test_user_dict_missing_file(tmp_path):
    with pytest.raises(DictionaryError, match="does not exist"):
        Segmenter(user_dict=tmp_path / "nope.txt")


def test_user_dict_bad_code_values():
    with pytest.raises(DictionaryError, match="frequency"):
        load_user_dict({"初心讲堂": -1})
    with pytest.raises(DictionaryError, match="whitespace"):
        load_user_dict({"初心 讲堂": 3})


def test_user_dict_changes_config_hash():
    assert Segmenter(user_dict=["初心讲堂"]).config_hash != SEG.config_hash
    assert Segmenter(user_dict=["初心讲堂"]).config_hash == \
        Segmenter(user_dict={"初心讲堂": None}).config_hash


# -- stopwords and transforms -------------------------------------------------------------
def test_stopword_lists():
    zh, party = load_stopwords("zh"), load_stopwords("party")
    assert {"的", "了", "，", "。"} <= zh
    assert {"坚持", "推进", "加强", "进一步", "全面"} <= party
    assert load_stopwords("zh+party") == zh | party
    assert load_stopwords(["甲", "乙"]) == {"甲", "乙"}
    with pytest.raises(DictionaryError, match="unknown stopword list"):
        load_stopwords("klingon")


def test_tokens_remove_keeps_offsets():
    t = SEG_POS.segment([FIXTURES[0]], cache=False)
    r = tokens_remove(t, stopwords="zh+party")
    assert r.tokens(0) == ["党建引领", "两个覆盖", "基层党组织", "组织力"]
    _check_offsets_subset(FIXTURES[0], r.tokens(0), r.offsets(0))
    assert tokens_remove(t, min_len=4).tokens(0) == ["党建引领", "两个覆盖", "基层党组织"]
    assert tokens_remove(t, max_len=1).tokens(0) == ["，", "，", "的", "。"]
    assert "，" not in tokens_remove(t, pos=["x"]).tokens(0)
    assert set(tokens_remove(t, keep_pos=["n"]).pos(0)) <= {"n", "nz", "nt", "nr", "ns"}
    assert t.n_tokens == len(t.tokens(0))  # the original is unchanged
    assert r.meta["steps"][-1]["step"] == "tokens_remove"


def test_tokens_remove_pos_needs_tags():
    with pytest.raises(ParameterError, match="pos=True"):
        tokens_remove(SEG.segment(["提升组织力"], cache=False), pos=["x"])


def _check_offsets_subset(text, toks, offs):
    for tok, (s, e) in zip(toks, offs):
        assert text[s:e] == tok


def test_tokens_ngrams():
    t = SEG.segment(["提升组织力，扩大两个覆盖"], cache=False)
    bi = tokens_ngrams(t, n=2)
    assert bi.tokens(0)[:2] == ["提升_组织力", "组织力_，"]
    assert bi.offsets(0)[0] == (0, 5)
    both = tokens_ngrams(t, n=(1, 2), sep="")
    assert both.tokens(0)[:5] == t.tokens(0) and "提升组织力" in both.tokens(0)
    with pytest.raises(ParameterError):
        tokens_ngrams(t, n=0)


def test_tokens_phrases_spans_parts_and_is_reproducible():
    texts = ["基层组织 覆盖 全面", "基层组织 覆盖 提升", "基层组织 覆盖 加强"] * 4
    t = Segmenter(lexicon=False).segment(texts, cache=False)
    p1 = tokens_phrases(t, min_count=2, threshold=0.5)
    p2 = tokens_phrases(t, min_count=2, threshold=0.5)
    assert p1 == p2
    for i, text in enumerate(texts):
        for tok, (s, e) in zip(p1.tokens(i), p1.offsets(i)):
            assert text[s:e].replace(" ", "") == tok
    assert any(len(tok) > 2 for tok in p1.tokens(0))
    assert p1.meta["steps"][-1]["phrases"]


# -- Tokens object -------------------------------------------------------------------------
def test_tokens_api():
    t = SEG.segment(["提升组织力。", "", "扩大两个覆盖"], cache=False)
    assert isinstance(t, Tokens) and len(t) == 3
    assert list(t) == t.to_lists() == [["提升", "组织力", "。"], [], ["扩大", "两个覆盖"]]
    assert t.unit_ids == ["text1", "text2", "text3"]
    assert t.tokens("text3") == t.tokens(2) == t[2]
    assert t.offsets(0) == [(0, 2), (2, 5), (5, 6)]
    assert list(t.ntoken()) == [3, 0, 2]
    fr = t.to_frame()
    assert list(fr.columns) == ["unit_id", "token_no", "token", "start", "end", "pos"]
    assert fr.token_no.tolist() == [1, 2, 3, 1, 2]
    assert "<table>" in t._repr_html_() and "Tokens" in repr(t)
    assert t.meta["segmenter"]["backend"] == "rjieba" and t.meta["config_hash"]
    with pytest.raises(ValueError):
        t._starts[0] = 5  # immutable arrays
    with pytest.raises(IndexError):
        t.tokens(7)


def test_corpus_input_keeps_ids_and_docvars():
    class Fake:
        texts = ["提升组织力", "两个覆盖"]
        unit_ids = ["a", "b"]
        docvars = pd.DataFrame({"year": [2020, 2021]})

    t = segment(Fake(), cache=False)
    assert t.unit_ids == ["a", "b"] and t.docvars.year.tolist() == [2020, 2021]
    corpus_mod = pytest.importorskip("quanyu_nlp.corpus")
    c = corpus_mod.corpus_from_texts(["提升组织力。", "扩大两个覆盖。"], docvars={"year": [1, 2]})
    t2 = segment(c, cache=False)
    assert t2.unit_ids == list(c.unit_ids) and t2.docvars.year.tolist() == [1, 2]


def test_single_string_is_an_error():
    with pytest.raises(ParameterError, match="segment\\(\\[text\\]\\)"):
        segment("提升组织力")


# -- cache ----------------------------------------------------------------------------------
def test_cache_hit_gives_same_tokens(tmp_path):
    texts = FIXTURES * 3
    seg = Segmenter(pos=True)
    a = seg.segment(texts, cache=tmp_path)
    b = seg.segment(texts, cache=tmp_path)
    assert a.meta["cache"] == "miss" and b.meta["cache"] == "hit"
    assert a == b and a.pos(3) == b.pos(3)
    assert len(list((tmp_path / "segment").glob("*.npz"))) == 1
    c = Segmenter(pos=True, lexicon=False).segment(texts, cache=tmp_path)
    assert c.meta["cache"] == "miss"  # another configuration, another entry
    d = seg.segment(texts[:-1], cache=tmp_path)
    assert d.meta["cache"] == "miss"  # other texts, another entry
    assert not list((tmp_path / "segment").glob(".*"))  # no temp files left


def test_cache_env_and_off(tmp_path, monkeypatch):
    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path))
    a = segment(["提升组织力"])
    b = segment(["提升组织力"])
    assert (a.meta["cache"], b.meta["cache"]) == ("miss", "hit")
    assert segment(["提升组织力"], cache=False).meta["cache"] == "off"


def test_corrupt_cache_is_ignored(tmp_path):
    seg = Segmenter()
    a = seg.segment(["提升组织力"], cache=tmp_path)
    path = a.meta["cache_file"]
    with open(path, "wb") as fh:
        fh.write(b"garbage")
    b = seg.segment(["提升组织力"], cache=tmp_path)
    assert b.meta["cache"] == "miss" and b == a


# -- new words --------------------------------------------------------------------------------
def test_textstat_newwords_finds_unknown_term_only():
    texts = ["社区建起初心讲堂，初心讲堂服务骑手。", "村里的初心讲堂开门了", "我们到初心讲堂学习",
             "去初心讲堂上课", "新建初心讲堂后群众满意", "全域党建在村里推开",
             "各地推进全域党建", "全域党建成效明显", "把全域党建做实"]
    df = textstat_newwords(texts, min_count=3, min_entropy=0.5)
    assert df.term.tolist()[0] == "初心讲堂"
    assert "全域党建" not in df.term.tolist()  # in the lexicon, so not new
    assert {"freq", "pmi", "left_entropy", "right_entropy", "score"} <= set(df.columns)
    assert df.loc[0, "freq"] == 6
    known = textstat_newwords(texts, min_count=3, min_entropy=0.5, user_dict=["初心讲堂"])
    assert "初心讲堂" not in known.term.tolist()
    assert textstat_newwords(["abc"], min_count=1).empty


def test_slogan_quoted_once_is_kept_whole_everywhere():
    texts = ["会议提出“三大全球倡议”。", "各国响应三大全球倡议的号召"]
    toks = SEG.segment(texts, cache=False)
    assert "三大全球倡议" in toks.tokens(0) and "三大全球倡议" in toks.tokens(1)
    # alone, the second text gives no support for the merge
    assert "三大全球倡议" not in SEG.cut(texts[1])


# -- stopword arguments that name lists or files ------------------------------------------
@pytest.mark.parametrize("source, fix", [
    (["zh", "party"], "write stopwords='zh+party'"),
    (("party",), "write stopwords='party'"),
    (["zh+party"], "write stopwords='zh+party'"),
    (["zh", "红色驿站"], "write stopwords=load_stopwords('zh') | {'红色驿站'}"),
])
def test_a_list_of_list_names_is_refused_with_the_fix(source, fix):
    # ["zh", "party"] used to remove the tokens "zh" and "party" only (a real bug:
    # no count showed it, since Chinese text has neither).
    with pytest.raises(ParameterError) as e:
        load_stopwords(source)
    msg = str(e.value)
    assert "is the name of a built-in list, but a list is read as the stopwords themselves" \
        in msg and msg.endswith(fix) and "\n" not in msg


def test_tokens_remove_passes_the_list_check_on():
    t = SEG.segment(["坚持党建引领，提升组织力。"], cache=False)
    with pytest.raises(ParameterError, match="stopwords='zh\\+party'"):
        tokens_remove(t, stopwords=["zh", "party"])
    # the fix works, and a set from load_stopwords is taken as it is
    fixed = tokens_remove(t, stopwords="zh+party").tokens(0)
    assert fixed == tokens_remove(t, stopwords=load_stopwords("zh+party")).tokens(0)
    assert "坚持" not in fixed and "，" not in fixed


def test_a_frozenset_is_taken_as_words_so_sets_combine():
    assert load_stopwords(frozenset({"zh", "party"})) == {"zh", "party"}
    both = load_stopwords(load_stopwords("zh") | {"红色驿站"})
    assert "红色驿站" in both and "的" in both


def test_a_stopword_file_inside_a_list_is_refused(tmp_path):
    f = tmp_path / "我的停用词.txt"
    f.write_text("红色驿站\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=f"is a file, .*pass the path alone: "
                                             f"stopwords='{f}'"):
        load_stopwords([str(f)])
    assert load_stopwords(str(f)) == {"红色驿站"}


@pytest.mark.parametrize("source, words", [
    ("zh, party", "join built-in lists with +: stopwords='zh+party'"),
    ("zh party", "join built-in lists with +: stopwords='zh+party'"),
    ("zh+partyy", "did you mean 'zh+party'?"),
    ("停用词表/我的.txt", "stopword file 停用词表/我的.txt does not exist (looked for "),
])
def test_stopword_strings_that_are_neither_a_list_nor_a_file(source, words):
    with pytest.raises(DictionaryError) as e:
        load_stopwords(source)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_list_names_joined_with_spaces_around_plus_are_read():
    assert load_stopwords("zh + party") == load_stopwords("zh+party")
