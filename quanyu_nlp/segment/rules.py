"""Rule layer: keep numbered slogans whole even when no dictionary lists them.

Party documents coin numbered formulations all the time (“四个结合”, “九大专项”,
“三个导向”).  A dictionary cannot list them all, and jieba cuts them into 数词+量词
and a noun (四个/结合).  The rule merges adjacent tokens back into one when

* the span is in quotation marks: ``“四个结合”`` (the author marks it as a term), or
* the span follows a verb that takes a formulation as its object (做到, 落实, 重抓 …),
  is followed by punctuation or the end of the unit, and has a Chinese numeral and a
  two-character noun tail (``重推重抓九大专项。``), or
* the same 数词+量词+two-character n-gram (Chinese numeral) occurs at least twice in
  the unit, or
* the span was put in quotation marks anywhere in the texts segmented together
  (:class:`KnownSlogans`): an author who writes “三大全球倡议” once marks the term for
  its unquoted occurrences too.

Spans starting with a plain counting use (两个小时, 三个方面, 五个人) are left alone.
The segmenter merges only whole tokens (a span whose ends fall inside a token is
skipped), so offsets stay exact; it does so for all units at once on the offset arrays.
Only units that contain a candidate are scanned, which keeps the cost off the fast path.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["slogan_spans", "KnownSlogans", "SLOGAN_POS", "QUICK"]

SLOGAN_POS = "nz"

_NUM = "[一二三四五六七八九十两百千万0-9０-９]"
_CL = "[个大项不条种化有心要抓为]"
_HAN = "[\u4e00-\u9fff]"
_OPEN = "“「『\"‘"
_CLOSE = "”」』\"’"
_PUNCT = frozenset("，。、；：！？”」』）)],.;:!?…—\n")

_QUOTED = re.compile(f"[{_OPEN}]({_NUM}{{1,3}}{_CL}{_HAN}{{0,6}})[{_CLOSE}]")
# unquoted spans need Chinese numerals (slogans are written 四个…, never 4个…) and a
# two-character tail; quoted spans may use any numeral and a tail of up to six characters
_CNUM = "[一二三四五六七八九十两百千万]"
_CNUM1 = "[二三四五六七八九十两百千万]"  # first numeral of an unquoted slogan: not 一
# a cheap pre-filter run on every unit: 数词 + 量词 followed by a Han character
# (unquoted rules never start with 一: 一个/一大/一项 + noun is ordinary prose, and
# it is so frequent that the filter would pass nearly every unit)
QUICK = re.compile(f"{_CNUM1}{_CNUM}{{0,2}}{_CL}{_HAN}|[{_OPEN}]{_NUM}{{1,3}}{_CL}")
# no look-behind here: a pattern that starts with a character class lets the regex engine
# skip ahead quickly; the preceding character is checked in Python on the few matches
_BIGRAM = re.compile(f"{_CNUM1}{_CNUM}{{0,2}}{_CL}{_HAN}{{2}}")
_NOT_BEFORE = set("第每这那前后头初")

_SLOGAN_VERBS = frozenset("""做到 落实 坚持 推进 实施 抓好 抓实 抓住 围绕 突出 强化 践行 增强 坚定
树牢 树立 重抓 重推 推动 贯彻 把握 聚焦 深化 构建 打造 统筹 秉持 坚守 用好 发挥 夯实 扛起 守住
牢记 落细 深化 推行 健全 完善 开展 实行 执行 遵循 提出 强调 坚决 严守 践诺 紧扣 牢固""".split())

# first characters of a tail that make the span an ordinary count, not a slogan
_COUNT_HEADS = set("月年天日周时分秒人多余次倍亿万元角吨米个只件位名家座所本张台辆架艘层级"
                   "批类套份条支片块样点步岁届期页章节")
_COUNT_TAILS = ("方面", "部分", "问题", "阶段", "环节", "层面", "维度", "国家", "地区", "城市",
                "领域", "小组", "星期", "礼拜", "小时", "钟头", "世纪", "时期", "百分点", "以上",
                "以下", "左右", "之多", "之一", "多月", "多年", "月份", "年度", "季度", "单位")
_NUM_CHARS = set("一二三四五六七八九十两百千万0123456789０１２３４５６７８９")
# characters that never occur in a slogan's noun tail (numbers, particles, prepositions)
_BAD_TAIL = _NUM_CHARS | set("的了和与及到在是等着过也都就从向对把被")


def _is_count(span: str, strict: bool = True) -> bool:
    i = 0
    while i < len(span) and span[i] in _NUM_CHARS:
        i += 1
    if i >= 2 and span[i:i + 1] == "大" and span[0] in "十二":
        return True  # 十五大, 二十大: a party congress (十五大精神), not a numbered slogan
    tail = span[i + 1:]
    if not tail:
        return False
    # a quoted span is marked as a term by its author: only plain counts are refused
    return (tail[0] in _COUNT_HEADS or tail.startswith(_COUNT_TAILS)
            or (strict and any(ch in _BAD_TAIL for ch in tail)))


class KnownSlogans:
    """Numbered slogans an author put in quotation marks somewhere in the corpus.

    Once a text marks “三大全球倡议” as a term, its unquoted occurrences in every unit of
    the same call are kept whole too.  Looked up by their 数词+量词 prefix.
    """

    __slots__ = ("pattern", "terms")

    def __init__(self, terms):
        self.terms = frozenset(terms)
        by_prefix: dict[str, list[str]] = {}
        for t in self.terms:
            m = _PREFIX.match(t)
            if m:
                by_prefix.setdefault(m.group(), []).append(t)
        # one regex shaped like a trie (prefix, then its tails, longest first: 三大全球倡议
        # before 三大全球), so the scan runs in the regex engine, not in Python
        alts = [re.escape(p) + "(?:" + "|".join(re.escape(t[len(p):]) for t in
                                               sorted(v, key=lambda t: (-len(t), t))) + ")"
                for p, v in sorted(by_prefix.items())]
        self.pattern = re.compile("|".join(alts)) if alts else None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __reduce__(self):
        return (KnownSlogans, (sorted(self.terms),))

    @classmethod
    def from_texts(cls, texts) -> "KnownSlogans":
        """Collect quoted numbered slogans from all texts (one regex pass, C speed)."""
        found = set()
        finder = _QUOTED.findall
        for t in texts:
            found.update(finder(t))
        return cls(f for f in found if len(f) >= 3 and not _is_count(f, strict=False))


_PREFIX = re.compile(f"{_NUM}{{1,3}}{_CL}")


def slogan_spans(text: str, known: KnownSlogans | None = None) -> list[tuple[int, int]]:
    """Character spans of numbered slogans the text supports, sorted, non-overlapping.

    Parameters
    ----------
    text : str
    known : KnownSlogans, optional
        Slogans quoted elsewhere in the corpus; their occurrences here count as support.

    Examples
    --------
    >>> slogan_spans("做到“四个结合”，重抓九大专项。")
    [(3, 7), (11, 15)]
    >>> slogan_spans("推进三大全球倡议落地", KnownSlogans(["三大全球倡议"]))
    [(2, 8)]
    """
    spans: dict[int, int] = {}
    for m in _QUOTED.finditer(text):
        if len(m.group(1)) >= 2 and not _is_count(m.group(1), strict=False):
            spans[m.start(1)] = max(spans.get(m.start(1), 0), m.end(1))
    if known and known.pattern is not None:
        for m in known.pattern.finditer(text):
            # not inside a longer numeral (四个坚持 in 十四个坚持) or an ordinal (第三个)
            if m.start() and (text[m.start() - 1] in _NOT_BEFORE
                              or text[m.start() - 1] in _NUM_CHARS):
                continue
            spans.setdefault(m.start(), m.end())
    # one pass finds 数词+量词+two characters; a recurring n-gram is stronger evidence
    # than a following punctuation mark, so recurrences are taken first
    grams = [(m.start(), m.group()) for m in _BIGRAM.finditer(text)
             if not m.start() or text[m.start() - 1] not in _NOT_BEFORE]
    if grams:
        counts = Counter(g for _, g in grams)
        n = len(text)
        for start, g in grams:
            if counts[g] >= 2 and not _is_count(g):
                spans.setdefault(start, start + len(g))
        for start, g in grams:
            end = start + len(g)
            # unquoted and seen once: only before punctuation and after a verb that takes
            # a formulation as object (做到四个结合。); otherwise ordinary counted nouns
            # (确定了三大任务。) would merge too
            if (end == n or text[end] in _PUNCT) and \
                    text[max(0, start - 2):start] in _SLOGAN_VERBS and not _is_count(g):
                spans.setdefault(start, end)
    out: list[tuple[int, int]] = []
    for s in sorted(spans):
        e = spans[s]
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out
