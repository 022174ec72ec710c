"""Text helpers shared by the coders: tokens with offsets, clauses, negation, purpose.

The coders read Chinese sentences the way the codebook tells a human coder to: a seed
term counts only when it is asserted (not negated inside its clause), and a result
counts only when it is reported as achieved (not inside a purpose or plan clause).
Everything here works on character offsets into the unit's text so that a matched
span can always be shown verbatim.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

__all__ = ["tokenize", "clause_spans", "clause_of", "NEGATORS", "PURPOSE_MARKERS",
           "ACHIEVED_MARKERS", "is_negated", "in_purpose_clause"]

# Clause delimiters: a negator or a purpose marker governs only its own clause.
_CLAUSE_RE = re.compile(r"[，,；;。！？!?：:\n]+")
_SENT_RE = re.compile(r"[。！？!?；;\n]+")

# Negation tokens (as the segmenter outputs them).  Tokens such as 不断, 不仅, 不忘,
# 坚定不移, 毫不动摇 come out of the segmenter as one word, so matching whole tokens
# keeps them from being mistaken for negation.
NEGATORS = frozenset({"未", "没有", "没", "不", "尚未", "并非", "并未", "从未", "未能",
                      "无法", "不再", "未曾", "不是", "非", "缺乏", "缺少", "不够", "不足以"})

# Purpose / plan / duty markers: what follows is an aim, not an achieved result.
PURPOSE_MARKERS = frozenset({"为了", "要", "将", "让", "力争", "争取", "旨在", "以便",
                             "确保", "必须", "应当", "应该", "需要", "计划", "拟", "致力于",
                             "努力", "着力", "务必", "要求", "以期", "力求", "必将"})
# Markers of a purpose that opens a sentence and so governs the whole sentence.
SENTENCE_PURPOSE_OPENERS = frozenset({"为了", "要", "将", "力争", "争取", "必须", "应当",
                                      "应该", "需要", "计划", "拟", "务必", "为", "着力",
                                      "旨在", "确保"})
# Markers that a result is reported as achieved or observed.
ACHIEVED_MARKERS = ("了", "显著", "明显", "大幅", "有效", "得到", "已", "日益", "成为",
                    "取得", "感受到", "更加", "普遍", "累计", "达到", "切实感到", "纷纷")


@lru_cache(maxsize=1)
def _segment_fn():
    """Return the project's segmenter if it is available, else rjieba's tokenizer.

    The project segmenter (``quanyu_nlp.segment``) adds the party-building lexicon, so
    it is preferred; rjieba is the same backend without that lexicon.
    """
    try:
        from ..segment import segment  # type: ignore[attr-defined]
    except Exception:  # the segmentation package is built separately
        segment = None
    if segment is not None:
        def _seg(texts: list[str]) -> list[list[tuple[str, int, int]]]:
            try:
                toks = segment(list(texts), cache=False)
            except TypeError:
                toks = segment(list(texts))
            out = []
            for i in range(len(toks)):
                words = toks.tokens(i)
                offs = toks.offsets(i)
                out.append([(w, int(s), int(e)) for w, (s, e) in zip(words, offs)])
            return out
        return _seg

    import rjieba

    def _seg_rjieba(texts: list[str]) -> list[list[tuple[str, int, int]]]:
        return [[(w, int(s), int(e)) for w, s, e in rjieba.tokenize(t)] for t in texts]

    return _seg_rjieba


def tokenize(texts: Iterable[str]) -> list[list[tuple[str, int, int]]]:
    """Segment texts into ``(token, start, end)`` triples, offsets into each text.

    Whitespace-only tokens are dropped.
    """
    texts = [str(t) for t in texts]
    if not texts:
        return []
    res = _segment_fn()(texts)
    return [[(w, s, e) for (w, s, e) in toks if w.strip()] for toks in res]


def token_lists(texts: Iterable[str]) -> list[list[str]]:
    """Segment texts and return just the token strings."""
    return [[w for w, _, _ in toks] for toks in tokenize(texts)]


def _spans_between(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    """Non-empty spans of ``text`` between the matches of ``pattern`` (the whole text if none)."""
    spans, pos = [], 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans or [(0, len(text))]


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of ``text`` (delimited by ，；：。！？ and newlines)."""
    return _spans_between(_CLAUSE_RE, text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences inside ``text``."""
    return _spans_between(_SENT_RE, text)


def clause_of(spans: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The span (from ``spans``) that contains character ``pos``."""
    for s, e in spans:
        if s <= pos < e:
            return (s, e)
    return (0, spans[-1][1] if spans else pos)


def _tokens_between(tokens, start: int, end: int) -> list[str]:
    return [w for (w, s, e) in tokens if s >= start and e <= end]


def is_negated(tokens, span: tuple[int, int], match_start: int) -> bool:
    """True if a negator token precedes ``match_start`` inside the clause ``span``."""
    return any(w in NEGATORS for w in _tokens_between(tokens, span[0], match_start))


def in_purpose_clause(tokens, clause: tuple[int, int], sentence: tuple[int, int],
                      match_start: int) -> bool:
    """True if the match at ``match_start`` sits in a purpose, plan or duty clause.

    Either a purpose marker precedes the match in its own clause (…，让群众获得感更强),
    or the sentence opens with one (要…，…；为了…，…).
    """
    before = _tokens_between(tokens, clause[0], match_start)
    if any(w in PURPOSE_MARKERS for w in before):
        return True
    sent_tokens = _tokens_between(tokens, sentence[0], sentence[1])
    return bool(sent_tokens) and sent_tokens[0] in SENTENCE_PURPOSE_OPENERS


def has_achieved_marker(text: str) -> bool:
    """True if ``text`` reports something as done or observed (了, 显著, 得到, …)."""
    return any(m in text for m in ACHIEVED_MARKERS)
