"""Explicit, recorded text normalisation.

Normalisation changes the text, so it is a step a researcher chooses and reports: it
runs on documents (before any reshaping, so offsets stay valid) and is written into
``corpus.meta["steps"]`` with its options and how many documents it changed.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import ParameterError
from .._io import sha256_text
from .core import Corpus

__all__ = ["corpus_normalize", "normalize_text", "CHROME_PATTERNS"]

# Full-width letters, digits and ASCII symbols that are not Chinese punctuation.  The
# full-width forms of ，。：；！？（） ARE the standard Chinese punctuation, so they are
# kept: converting them would damage the text, not normalise it.
_KEEP_FULLWIDTH = set("，：；！？（）")
_FW_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)
             if chr(cp) not in _KEEP_FULLWIDTH}
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"，。、；：？！“”‘’（）《》【】…—"

#: Lines of web-page chrome: navigation and tool lines that scrapers keep.
CHROME_PATTERNS = [
    r"^(【?\s*)?(下载|打印|关闭|关闭窗口|收藏|分享|分享到|纠错|返回顶部|返回首页|回到顶部)(\s*】?)$",
    r"字号\s*[:：]?\s*(大|中|小|【)",
    r"^【\s*(大|中|小)\s*】",
    r"扫一扫|微信扫一扫|扫描二维码|手机扫码|用微信扫描",
    r"^(相关报道|相关新闻|相关链接|相关阅读|推荐阅读|延伸阅读|责任编辑|编辑[:：]|浏览次数|阅读次数|访问量)",
    r"^(上一篇|下一篇)[:：]",
    r"^(首页|当前位置|您当前的位置|您现在的位置)\s*[:：>＞]",
    r"(网站地图|联系我们|版权所有|ICP备|公网安备)",
]
_CHROME = [re.compile(p) for p in CHROME_PATTERNS]


def normalize_text(text: str, *, fullwidth: bool = True, whitespace: bool = True,
                   invisible: bool = True, t2s: bool = False, strip_chrome: bool = False,
                   paragraph_marks: bool = True, _cc=None) -> str:
    """Normalise one text; see :func:`corpus_normalize` for the options."""
    if invisible:
        text = _INVISIBLE.sub("", text)
        text = _CONTROL.sub("", text)
        text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\xa0", " ")
    if fullwidth:
        text = text.translate(_FW_TABLE)
    if t2s:
        text = (_cc or _opencc()).convert(text)
    if paragraph_marks:
        # Flattened reports mark paragraphs with two ideographic spaces.
        text = re.sub(r"[ \t]*\u3000{2,}", "\n", text)
    if strip_chrome:
        text = "\n".join(line for line in text.split("\n")
                         if not (len(line.strip()) <= 40
                                 and any(p.search(line.strip()) for p in _CHROME)))
    if whitespace:
        text = text.replace("\u3000", " ")
        text = re.sub(r"[ \t]+", " ", text)
        # PDF extraction puts spaces between Chinese characters; they carry no meaning.
        text = re.sub(rf"(?<=[{_CJK}{_CJK_PUNCT}]) (?=[{_CJK}{_CJK_PUNCT}])", "", text)
        text = "\n".join(line.strip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return unicodedata.normalize("NFC", text)


def _opencc():
    try:
        from opencc import OpenCC
    except ImportError:  # pragma: no cover - a core dependency
        raise ParameterError("t2s=True needs OpenCC: pip install opencc-python-reimplemented"
                             ) from None
    return OpenCC("t2s")


def corpus_normalize(corpus: Corpus, *, fullwidth: bool = True, whitespace: bool = True,
                     invisible: bool = True, t2s: bool = False, strip_chrome: bool = False,
                     paragraph_marks: bool = True) -> Corpus:
    """Normalise the documents' text and record the step.

    Parameters
    ----------
    fullwidth : bool
        Full-width letters, digits and symbols to half-width (Chinese punctuation
        such as ，：；！？（） is kept).
    whitespace : bool
        Collapse runs of spaces, drop spaces between Chinese characters (a PDF
        artefact), trim lines, at most one blank line in a row.
    invisible : bool
        Remove zero-width and control characters and BOMs.
    t2s : bool
        Traditional to simplified Chinese with OpenCC.
    strip_chrome : bool
        Remove web-page chrome lines (下载 / 打印 / 字号 / 扫一扫 / 相关报道 …).
    paragraph_marks : bool
        Runs of two or more ideographic spaces start a new paragraph.

    Returns
    -------
    Corpus
        A new document-level corpus; ``meta["steps"]`` records the options.

    Examples
    --------
    >>> from quanyu_nlp.corpus import corpus_from_texts
    >>> c = corpus_normalize(corpus_from_texts(["２０２３年，ＡＢＣ社区\u200b党 建"]))
    >>> c.texts[0]
    '2023年，ABC社区党建'
    """
    if corpus.level != "documents":
        raise ParameterError("corpus_normalize works on documents: normalise before "
                             "corpus_reshape so that offsets stay valid")
    opts = dict(fullwidth=fullwidth, whitespace=whitespace, invisible=invisible, t2s=t2s,
                strip_chrome=strip_chrome, paragraph_marks=paragraph_marks)
    cc = _opencc() if t2s else None
    units = corpus.units
    new = [normalize_text(t, **opts, _cc=cc) for t in units["text"]]
    changed = sum(a != b for a, b in zip(units["text"], new))
    units["text"] = new
    if "content_hash" in units:
        units["content_hash"] = [sha256_text(t) for t in new]
    return corpus._derive(units, step={"step": "corpus_normalize", **opts,
                                       "changed_documents": int(changed)}, documents=None)
