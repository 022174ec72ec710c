"""Cut the Noto Sans CJK SC font down to the characters a page uses, as WOFF2.

The report must show Chinese on a machine with no CJK font installed, without fetching
anything.  The full font is 16 MB; a subset of the few hundred characters a report uses
is typically 50-300 KB as WOFF2 (brotli), small enough to inline as a ``data:`` URL.
"""

from __future__ import annotations

import base64
import io
import string

from ..viz.style import cjk_font_source

__all__ = ["subset_woff2", "font_face_css", "REPORT_FONT_FAMILY"]

#: The @font-face family name the report CSS uses first.
REPORT_FONT_FAMILY = "Quanyu Report CJK"

# Always keep printable ASCII and common Chinese punctuation so later edits of the page
# by hand (a number, a comma) still render in the same font.
_ALWAYS = string.printable + "，。、；：？！“”‘’（）《》【】—…·％"


def subset_woff2(text: str, font: str = "sans") -> bytes:
    """WOFF2 bytes of Noto CJK SC restricted to the characters of ``text``.

    Parameters
    ----------
    text : str
        Every character the page shows (markup characters do no harm).
    font : {"sans", "serif"}
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = "".join(sorted(set(text) | set(_ALWAYS)))
    opts = subset.Options()
    opts.flavor = "woff2"
    opts.hinting = False          # screens of today do not need CFF hints; saves bytes
    opts.notdef_outline = True
    opts.name_IDs = ["*"]          # keep copyright and the OFL licence records
    opts.name_languages = ["*"]
    opts.layout_features = ["*"]   # keep vertical/half-width punctuation features
    f = TTFont(str(cjk_font_source(font)), lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(f)
    buf = io.BytesIO()
    f.flavor = "woff2"
    f.save(buf)
    return buf.getvalue()


def font_face_css(text: str, font: str = "sans", family: str = REPORT_FONT_FAMILY) -> str:
    """An ``@font-face`` rule carrying the subset font inline (no network access)."""
    data = base64.b64encode(subset_woff2(text, font)).decode("ascii")
    return ("@font-face{font-family:'%s';font-style:normal;font-weight:400 700;"
            "font-display:block;src:url(data:font/woff2;base64,%s) format('woff2');}"
            % (family, data))
