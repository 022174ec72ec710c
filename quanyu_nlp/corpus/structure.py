"""Document structure for the genres this field reads.

Two kinds of structure are recognised:

* **Academic articles** (CNKI style): title, author, affiliation, ``摘要``,
  ``关键词``, a numbered body and ``参考文献`` with one row per reference.
* **Policy and report texts**: the numbered hierarchy ``第一章`` / ``一、`` /
  ``（一）`` / ``1.`` / ``（1）`` and the in-paragraph enumerations ``一是…二是…``.

Every block (paragraph) gets a *section path* such as ``三 > （二）`` and a *part*
(title, author, affiliation, abstract, keywords, heading, body, references,
reference).  Offsets are always into the text given, so they survive reshaping.

Sentence splitting handles closing quotes after 。！？, ellipses, numbered items and the
semicolon lists of policy texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "parse_blocks", "split_sentences", "references", "is_article",
           "article_fields"]

_CN_NUM = "一二三四五六七八九十百零〇两"
# (rank, regex, label group). Rank orders the hierarchy: a marker closes every open
# section of equal or lower rank.
_MARKERS: list[tuple[int, re.Pattern]] = [
    (0, re.compile(rf"^第[{_CN_NUM}\d]+编")),
    (1, re.compile(rf"^第[{_CN_NUM}\d]+章")),
    (2, re.compile(rf"^第[{_CN_NUM}\d]+节")),
    (3, re.compile(rf"^([{_CN_NUM}]+)[、．.]")),
    (4, re.compile(rf"^[（(]([{_CN_NUM}]+)[）)]")),
    (5, re.compile(r"^(\d{1,2})(?:[.．、](?!\d)|\s)")),
    (6, re.compile(r"^[（(](\d{1,2})[）)]")),
    (7, re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩])")),
]
_ARTICLE_LABEL = re.compile(r"^\s*[【\[]?(摘\s*要|内容提要|提要|关\s*键\s*词|关键字|参考文献|"
                            r"注释|Abstract|Key\s*words?|References)[】\]]?\s*[:：]?",
                            re.IGNORECASE)
_AFFIL = re.compile(r"(大学|学院|党校|研究院|研究所|研究中心|委员会|组织部|宣传部|政府|"
                    r"中心|办公室|\d{6})")
_REF_START = re.compile(r"\[\s*\d+\s*\]|［\s*\d+\s*］|^\s*\d+[.．、]\s*\S")
_ENUM_CLAUSE = re.compile(rf"^(?:[{_CN_NUM}]+是|[{_CN_NUM}]+要|第[{_CN_NUM}]+[，,、]|"
                          rf"其[{_CN_NUM}]+[，,、]|首先|其次|再次|最后)")

SENT_END = "。！？!?"
CLOSERS = "”’」』）)》〉】\"'"


@dataclass(frozen=True)
class Block:
    """One paragraph-like block of a document.

    Attributes
    ----------
    start, end : int
        Offsets into the document text (surrounding whitespace excluded).
    part : str
        title, author, affiliation, abstract, keywords, heading, body, references,
        reference.
    section : str
        Section path such as ``三 > （二）``; empty before the first heading.
    """

    start: int
    end: int
    part: str
    section: str = ""
    label: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def _lines(text: str) -> list[tuple[int, int]]:
    """Spans of non-blank paragraphs, split on newlines and on runs of two or more
    ideographic spaces (how flattened reports mark paragraph starts)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        s0 = m.start()
        line = m.group()
        cuts = [0]
        for sm in re.finditer(r"[\u3000]{2,}", line):
            if sm.start() > 0:
                cuts.append(sm.start())
        cuts.append(len(line))
        for a, b in zip(cuts, cuts[1:]):
            seg = line[a:b]
            stripped = seg.strip()
            if not stripped:
                continue
            lead = len(seg) - len(seg.lstrip())
            spans.append((s0 + a + lead, s0 + a + lead + len(stripped)))
    return spans


def _marker(line: str) -> tuple[int, str] | None:
    for rank, pat in _MARKERS:
        m = pat.match(line)
        if m:
            label = m.group(0).rstrip("、．. ").strip()
            if rank == 3:
                label = m.group(1)
            if rank == 5:
                # "2018年" or "3.5" are not list items.
                if re.match(r"^\d{1,2}[.．]\d", line):
                    return None
                label = m.group(1) + "."
            return rank, label
    return None


def _is_heading(line: str, has_marker: bool) -> bool:
    """Short lines without inner sentence punctuation read as headings."""
    body = line.rstrip("。．.：:")
    inner_ends = sum(body.count(p) for p in SENT_END)
    if has_marker:
        return len(line) <= 60 and inner_ends == 0
    return False


def is_article(text: str) -> bool:
    """Whether the text looks like an academic article (has 摘要 and 关键词 lines)."""
    head = text[:4000]
    return bool(re.search(r"(^|\n)\s*[【\[]?摘\s*要", head)) and bool(
        re.search(r"(^|\n)\s*[【\[]?关\s*键\s*(词|字)", head))


def parse_blocks(text: str) -> list[Block]:
    """Split a document into blocks with parts and section paths.

    Examples
    --------
    >>> t = "关于加强党建的通知\\n一、总体要求\\n（一）坚持党建引领\\n各支部要落实三会一课。"
    >>> [(b.part, b.section) for b in parse_blocks(t)]
    [('title', ''), ('heading', '一'), ('heading', '一 > （一）'), ('body', '一 > （一）')]
    """
    spans = _lines(text)
    article = is_article(text)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    zone = "front" if article else "body"
    front_lines: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(spans):
        line = text[s:e]
        lab = _ARTICLE_LABEL.match(line) if article or i < 8 else None
        if lab:
            key = re.sub(r"\s", "", lab.group(1)).lower()
            if key in ("摘要", "内容提要", "提要", "abstract"):
                zone = "abstract"
                blocks.extend(_front_blocks(text, front_lines))
                front_lines = []
                blocks.extend(_after_label(text, s, e, lab.end(), "abstract", "摘要"))
                continue
            if key in ("关键词", "关键字", "keywords", "keyword"):
                zone = "body"
                blocks.extend(_after_label(text, s, e, lab.end(), "keywords", "关键词"))
                continue
            if key in ("参考文献", "references", "注释"):
                zone = "references"
                blocks.append(Block(s, e, "references", "", "参考文献"))
                rest = line[lab.end():].strip()
                if rest:  # references on the same line as the label
                    off = s + line.index(rest, lab.end())
                    blocks.extend(_split_refs(text, off, e))
                continue
        if zone == "front":
            front_lines.append((s, e))
            continue
        if zone == "references":
            blocks.extend(_split_refs(text, s, e))
            continue
        if zone == "abstract" and not _marker(line):
            blocks.append(Block(s, e, "abstract", "", "摘要"))
            continue
        zone = "body"
        mk = _marker(line)
        if mk:
            rank, label = mk
            while stack and stack[-1][0] >= rank:
                stack.pop()
            stack.append((rank, label))
        section = " > ".join(lbl for _, lbl in stack)
        if mk and _is_heading(line, True):
            part = "heading"
        elif not blocks and not article and i == 0 and len(line) <= 60 and not any(
                p in line[:-1] for p in SENT_END) and not line.endswith("。"):
            part = "title"
        else:
            part = "body"
        blocks.append(Block(s, e, part, section, mk[1] if mk else ""))
    if front_lines:  # an article with no 摘要 line after all
        blocks = _front_blocks(text, front_lines) + blocks
    return blocks


def _after_label(text: str, s: int, e: int, label_end: int, part: str,
                 label: str) -> list[Block]:
    """The content after a label such as ``摘要：`` on the same line, if any."""
    rest_start = s + label_end
    while rest_start < e and text[rest_start].isspace():
        rest_start += 1
    return [Block(rest_start, e, part, "", label)] if rest_start < e else []


def _front_blocks(text: str, lines: list[tuple[int, int]]) -> list[Block]:
    """Title / author / affiliation lines before the abstract of an article."""
    out = []
    kinds: list[str] = []
    for s, e in lines:
        line = text[s:e]
        if _AFFIL.search(line) and len(line) <= 80:
            kinds.append("affiliation")
        elif len(line) <= 24 and not any(p in line for p in "。，,：:"):
            kinds.append("author")
        else:
            kinds.append("title")
    # The first non-affiliation line of three or more is the title; a short line right
    # before the affiliation is the author.
    if len(lines) >= 3 and kinds[0] == "author":
        kinds[0] = "title"
    for (s, e), k in zip(lines, kinds):
        out.append(Block(s, e, k, "", k))
    return out


def _split_refs(text: str, s: int, e: int) -> list[Block]:
    """One block per reference, also when several share one line."""
    seg = text[s:e]
    starts = [m.start() for m in re.finditer(r"[\[［]\s*\d+\s*[\]］]", seg)]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    out = []
    for a, b in zip(starts, starts[1:] + [len(seg)]):
        piece = seg[a:b]
        st = piece.strip()
        if not st:
            continue
        lead = len(piece) - len(piece.lstrip())
        m = re.match(r"[\[［]\s*(\d+)\s*[\]］]", st)
        out.append(Block(s + a + lead, s + a + lead + len(st), "reference", "",
                         m.group(1) if m else ""))
    return out


def references(text: str) -> list[Block]:
    """The reference blocks of an article, one per reference."""
    return [b for b in parse_blocks(text) if b.part == "reference"]


def article_fields(text: str) -> dict[str, str]:
    """Title, author, affiliation, abstract and keywords of an article, where present."""
    out: dict[str, str] = {}
    for b in parse_blocks(text):
        if b.part in ("title", "author", "affiliation") and b.part not in out:
            out[b.part] = text[b.start:b.end]
        elif b.part in ("abstract", "keywords") and b.part not in out:
            out[b.part] = _ARTICLE_LABEL.sub("", text[b.start:b.end], count=1).strip()
    return out


def split_sentences(text: str, start: int = 0, end: int | None = None,
                    semicolons: str = "auto") -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentence spans (offsets into ``text``).

    Parameters
    ----------
    semicolons : {"auto", "always", "never"}
        ``auto`` splits at ``；`` when the next item is enumerated (二是, （二）, 2.)
        or when the paragraph is a list of long semicolon-separated items, as in policy
        texts; ``never`` keeps semicolon lists together.

    Examples
    --------
    >>> t = "他说：“要坚持党建引领。”大家都同意……会议结束！"
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['他说：“要坚持党建引领。”', '大家都同意……会议结束！']
    """
    end = len(text) if end is None else end
    seg = text[start:end]
    cuts: list[int] = []
    i, n = 0, len(seg)
    while i < n:
        ch = seg[i]
        if ch in SENT_END:
            j = i + 1
            while j < n and seg[j] in SENT_END:
                j += 1
            while j < n and seg[j] in CLOSERS:
                j += 1
            cuts.append(j)
            i = j
            continue
        if ch == "…" or seg.startswith("...", i):
            j = i
            while j < n and seg[j] in "….":
                j += 1
            k = j
            while k < n and seg[k] in CLOSERS:
                k += 1
            # An ellipsis ends a sentence only at a closing quote or the paragraph's
            # end; mid-sentence ("等等……") it does not.
            if k == n or (k > j and k < n and seg[k] not in "，,、；;：:"):
                cuts.append(k)
            i = k
            continue
        i += 1
    if semicolons != "never":
        cuts = sorted(set(cuts + _semicolon_cuts(seg, cuts, semicolons == "always")))
    spans = []
    prev = 0
    for c in cuts + [n]:
        piece = seg[prev:c]
        st = piece.strip()
        if st:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + prev + lead, start + prev + lead + len(st)))
        prev = c
    return spans


def _semicolon_cuts(seg: str, cuts: list[int], always: bool) -> list[int]:
    semis = [m.end() for m in re.finditer(r"[；;]", seg)]
    if not semis:
        return []
    if always:
        return semis
    out = []
    bounds = [0] + sorted(cuts) + [len(seg)]
    for a, b in zip(bounds, bounds[1:]):
        inner = [p for p in semis if a < p < b]
        if not inner:
            continue
        pieces = [seg[x:y].strip() for x, y in zip([a] + inner, inner + [b])]
        listy = len(inner) >= 2 and all(len(p) >= 8 for p in pieces[:-1])
        for p, nxt in zip(inner, pieces[1:]):
            if listy or _ENUM_CLAUSE.match(nxt) or _marker(nxt):
                out.append(p)
    return out


def clause_label(sentence: str) -> str:
    """The enumeration label a sentence starts with (``一是``, ``二要``), else ``""``."""
    m = _ENUM_CLAUSE.match(sentence)
    return m.group(0).rstrip("，,、") if m else ""
