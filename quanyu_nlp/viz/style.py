"""Journal style for figures: open CJK fonts, column widths, a grayscale-safe palette.

Chinese text in matplotlib comes out as empty boxes on a machine without CJK system
fonts, and PDFs often carry the text as outlines.  :func:`use_style` fixes both:

* It registers **Noto Sans CJK SC** / **Noto Serif CJK SC** (SIL Open Font Licence),
  which the pip package ``mplfonts`` ships, so nothing depends on system fonts.  SimHei
  (also shipped by ``mplfonts``, licence unclear) is never used.
* The shipped files are OpenType/CFF.  matplotlib embeds a Type 42 font as
  ``/FontFile2``, which the PDF specification reserves for TrueType (``glyf``) outlines;
  a CFF font there is rejected by strict viewers and journal preflight.  So the first
  call converts the font once to TrueType outlines with fontTools (about half a minute)
  and caches the result (``$QUANYU_FONT_CACHE`` or ``~/.cache/quanyu_nlp/fonts``).  The
  converted family is named ``"Noto Sans CJK SC glyf"`` so that it never collides with
  a system-wide Noto CJK install.
* ``pdf.fonttype = 42`` and ``svg.fonttype = "none"`` keep text as text; matplotlib
  subsets the embedded font to the glyphs used, so a figure PDF stays ~20 KB and its
  Chinese can be copied.  ``axes.unicode_minus = False`` avoids U+2212 in tick labels.

Examples
--------
>>> from quanyu_nlp.viz import use_style          # doctest: +SKIP
>>> use_style("single")                            # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_output
from ..errors import ParameterError

__all__ = ["use_style", "font_path", "common_font_path", "cjk_font_source", "figure_size",
           "PALETTE", "HATCHES", "MARKERS", "PRESETS", "SEQUENTIAL_CMAP", "CM"]

#: One centimetre in inches (matplotlib sizes are in inches, journals speak cm).
CM = 1 / 2.54

#: Okabe-Ito colours chosen so that their grayscale luminances differ by at least 30/255,
#: ordered dark to light, so series stay distinguishable on a black-and-white printout.
PALETTE = ["#000000", "#0072B2", "#D55E00", "#56B4E9", "#F0E442"]
#: Hatches and markers cycle with the palette for series beyond its length.
HATCHES = ["", "///", "\\\\\\", "xxx", "...", "++", "oo", "--"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
#: Sequential colour map whose luminance rises monotonically (prints as a gray ramp).
SEQUENTIAL_CMAP = "cividis"


@dataclass(frozen=True)
class Preset:
    """Size and type of one figure preset (width in cm, font size in pt)."""

    width_cm: float
    height_cm: float
    font_size: float
    line_width: float


#: single / double journal columns (Elsevier, Springer, most Chinese journals use
#: 8-9 cm and 17-18 cm); slide is a 16:9 half slide.
PRESETS: dict[str, Preset] = {
    "single": Preset(8.5, 6.5, 9.0, 0.8),
    "double": Preset(17.5, 9.0, 10.0, 1.0),
    "slide": Preset(24.0, 13.5, 14.0, 1.5),
}

_FONT_FILES = {"sans": "NotoSansCJKsc-Regular.otf", "serif": "NotoSerifCJKsc-Regular.otf"}
_FAMILY = {"sans": "Noto Sans CJK SC glyf", "serif": "Noto Serif CJK SC glyf"}
#: The same fonts cut to the characters of everyday Chinese text (see common_font_path).
_COMMON_FAMILY = {"sans": "Noto Sans CJK SC glyf common",
                  "serif": "Noto Serif CJK SC glyf common"}
#: Bump when the character set or options of the common cut change (part of its name).
_COMMON_VERSION = "gb2312-v1"
_LATIN_FALLBACK = {"sans": "DejaVu Sans", "serif": "DejaVu Serif"}
_registered: set[str] = set()
_lock = threading.Lock()


def figure_size(preset: str = "single", height_cm: float | None = None) -> tuple[float, float]:
    """Return ``(width, height)`` in inches for a preset; ``height_cm`` overrides height."""
    p = _preset(preset)
    return p.width_cm * CM, (height_cm if height_cm is not None else p.height_cm) * CM


def _preset(preset: str) -> Preset:
    try:
        return PRESETS[preset]
    except KeyError:
        raise ParameterError(f"unknown figure preset {preset!r}; use one of: "
                             f"{', '.join(PRESETS)}") from None


def cjk_font_source(font: str = "sans") -> Path:
    """Path of the original OpenType/CFF Noto CJK SC font shipped by ``mplfonts``.

    The HTML report subsets this file to WOFF2 (browsers read CFF fine).
    """
    if font not in _FONT_FILES:
        raise ParameterError(f"unknown font {font!r}; use 'sans' or 'serif'")
    # find_spec instead of import: importing mplfonts changes rcParams as a side effect.
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ParameterError("the package 'mplfonts' (Noto CJK fonts) is not installed; "
                             "run: pip install mplfonts")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / _FONT_FILES[font]
    if not path.is_file():
        raise ParameterError(f"font file {path} is missing from mplfonts; reinstall it: "
                             "pip install --force-reinstall mplfonts")
    return path


def _cache_dir() -> Path:
    """Where the converted font lives: ``$QUANYU_FONT_CACHE``, else the user cache.

    Deliberately not ``$QUANYU_CACHE_DIR``: tests and runs point that at throw-away
    folders, and the font is a machine-wide derived asset worth converting only once.
    """
    base = os.environ.get("QUANYU_FONT_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(xdg) / "quanyu_nlp" / "fonts"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    import tempfile

    return Path(tempfile.gettempdir()) / "quanyu_nlp-fonts"


def font_path(font: str = "sans") -> Path:
    """Path of the TrueType-outline Noto CJK SC font, converting and caching it if needed.

    Parameters
    ----------
    font : {"sans", "serif"}

    Returns
    -------
    pathlib.Path
        A ``.ttf`` usable by matplotlib (Type 42 embedding), Pillow and wordcloud.
    """
    src = cjk_font_source(font)
    import fontTools

    # The key is the source font's content and the fontTools version, so a stale cache
    # is never used, and a fresh virtual environment with the same font (new mtime)
    # still finds the conversion made before; the conversion is deterministic.
    key = f"{_content_key(src)}-ft{fontTools.version}"
    out = _cache_dir() / f"{src.stem}-glyf-{key}.ttf"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock, _file_lock(out.with_name(out.name + ".lock")):
        # Re-check under the lock: another process (e.g. a pytest-xdist worker) may
        # have converted the font while this one waited.
        if not out.is_file():
            _convert_to_truetype(src, out, _FAMILY[font])
    return out


def _content_key(path: Path) -> str:
    st = path.stat()
    return _content_key_cached(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _content_key_cached(path: str, size: int, mtime_ns: int) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return f"{size}-{h.hexdigest()[:16]}"


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive inter-process lock where the OS has one (POSIX), else a no-op."""
    try:
        import fcntl
    except ImportError:  # Windows: concurrent conversions only waste time
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _convert_to_truetype(src: Path, out: Path, family: str) -> None:
    """Convert CFF outlines to quadratic TrueType outlines (fontTools' otf2ttf recipe)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    # recalcTimestamp=False: the same source gives a byte-identical converted font.
    f = TTFont(str(src), recalcTimestamp=False)
    order = f.getGlyphOrder()
    glyph_set = f.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # max_err of 1 font unit (of 1000) is invisible; reverse_direction because
        # TrueType contours run clockwise, CFF counter-clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    f["loca"] = newTable("loca")
    glyf = f["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in f:
            del f[tag]
    maxp = f["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    # post format 3 (no glyph names): format 2 cannot index 65535 names.
    f["post"].formatType = 3.0
    f["head"].glyphDataFormat = 0
    f.sfntVersion = "\x00\x01\x00\x00"
    # A distinct family name keeps matplotlib from picking a system-wide CFF copy of
    # the same font.  Format conversion is a modification the OFL allows; the
    # copyright and licence records (name IDs 0, 13, 14) are kept.
    _save_as_family(f, out, family)


def _save_as_family(f, out: Path, family: str) -> None:
    """Rename ``f`` to ``family`` (family, full and PostScript names) and save it."""
    name = f["name"]
    ps = family.replace(" ", "")
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            name.setName(family, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (3, 4):
            name.setName(f"{family} Regular", rec.nameID, rec.platformID, rec.platEncID,
                         rec.langID)
        elif rec.nameID == 6:
            name.setName(f"{ps}-Regular", rec.nameID, rec.platformID, rec.platEncID,
                         rec.langID)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(out) as tmp:
        f.save(str(tmp))
        tmp.chmod(0o644)  # mkstemp makes 0600; a font cache may be shared read-only


def common_font_path(font: str = "sans") -> Path:
    """Path of the TrueType font cut to everyday characters, made and cached if needed.

    Every PDF embeds a subset of its font, and matplotlib makes that subset with
    fontTools from the font *file* each time it saves: for the full 65,535-glyph font
    that took about 0.5 s of every PDF.  This cut holds the characters of GB 2312
    (the 6,763 common hanzi, kana, Greek, Cyrillic, full-width forms), everything
    below U+2E80 (Latin, punctuation, symbols) and the CJK punctuation block, with
    the glyphs their OpenType features reach, so the same glyphs are drawn with the
    same metrics and shaping.  :func:`use_style` lists it first and the full font
    second: matplotlib's font fallback takes a rarer character (堃, 㑇 …) from the full
    font, which is then embedded (and subset) as a second font.

    Parameters
    ----------
    font : {"sans", "serif"}

    Returns
    -------
    pathlib.Path
    """
    full = font_path(font)
    out = full.with_name(f"{full.stem}-common-{_COMMON_VERSION}.ttf")
    if out.is_file():
        return out
    with _lock, _file_lock(out.with_name(out.name + ".lock")):
        if not out.is_file():
            _cut_common(full, out, _COMMON_FAMILY[font])
    return out


def _is_common(cp: int) -> bool:
    if cp < 0x2E80 or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFFEF:
        return True
    try:
        chr(cp).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _cut_common(full: Path, out: Path, family: str) -> None:
    """Subset the converted font to :func:`_is_common` characters under a new family."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    f = TTFont(str(full), recalcTimestamp=False)
    keep = [cp for cp in f.getBestCmap() if _is_common(cp)]
    # Keep what matters for drawing exactly as the full font does: every layout
    # feature (matplotlib shapes text with HarfBuzz), hinting, the kern table, the
    # names (copyright and OFL licence records) and the .notdef outline.
    opts = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"],
                          notdef_outline=True, hinting=True, legacy_kern=True,
                          glyph_names=False, recalc_timestamp=False)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(f)
    _save_as_family(f, out, family)


def _register(font: str) -> list[str]:
    """Register the fonts with matplotlib once per process; return their families,
    the common cut first and the full font as its fallback."""
    from matplotlib import font_manager

    if font not in _registered:
        font_manager.fontManager.addfont(str(common_font_path(font)))
        font_manager.fontManager.addfont(str(font_path(font)))
        _registered.add(font)
    return [_COMMON_FAMILY[font], _FAMILY[font]]


def use_style(preset: str = "single", font: str = "sans") -> dict:
    """Set matplotlib's rcParams for journal figures with Chinese text.

    Parameters
    ----------
    preset : {"single", "double", "slide"}
        ``single``: 8.5 cm wide, 9 pt; ``double``: 17.5 cm wide, 10 pt; ``slide``: 24 cm,
        14 pt.
    font : {"sans", "serif"}
        Noto Sans CJK SC (黑体 look) or Noto Serif CJK SC (宋体 look).

    Returns
    -------
    dict
        The rcParams that were set (handy for ``matplotlib.rc_context``).

    Notes
    -----
    The first call on a machine converts the font to TrueType outlines and caches it
    (about 30 s for sans, 45 s for serif); later calls take milliseconds.
    """
    import matplotlib as mpl
    from cycler import cycler

    p = _preset(preset)
    if font not in _FONT_FILES:
        raise ParameterError(f"unknown font {font!r}; use 'sans' or 'serif'")
    families = _register(font)
    generic = "sans-serif" if font == "sans" else "serif"
    rc = {
        # The families themselves, not the generic name: matplotlib falls back from
        # font to font only along a list of families (a generic name resolves to one
        # font), and the full font must catch what the common cut lacks.
        "font.family": families + [_LATIN_FALLBACK[font]],
        f"font.{generic}": families + [_LATIN_FALLBACK[font]],
        "font.size": p.font_size,
        "axes.titlesize": p.font_size,
        "axes.labelsize": p.font_size,
        "xtick.labelsize": p.font_size - 1,
        "ytick.labelsize": p.font_size - 1,
        "legend.fontsize": p.font_size - 1,
        "figure.titlesize": p.font_size + 1,
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        # Fixed salt: SVG clip-path ids stop changing between runs (reproducible files).
        "svg.hashsalt": "quanyu_nlp",
        "figure.figsize": (p.width_cm * CM, p.height_cm * CM),
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.02,
        "axes.prop_cycle": cycler(color=PALETTE) + cycler(marker=MARKERS[:len(PALETTE)]),
        "image.cmap": SEQUENTIAL_CMAP,
        "lines.linewidth": p.line_width,
        "lines.markersize": 3 + p.line_width,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "legend.frameon": False,
        "hatch.linewidth": 0.5,
    }
    mpl.rcParams.update(rc)
    return rc


def cjk_style_active() -> bool:
    """Whether matplotlib's current default font is one of the toolkit's CJK fonts."""
    import matplotlib as mpl

    fam = mpl.rcParams["font.family"]
    fam = [fam] if isinstance(fam, str) else list(fam)
    families = []
    for f in fam:
        families += list(mpl.rcParams.get(f"font.{f}", [f])) if f in (
            "sans-serif", "serif") else [f]
    return bool(families) and families[0] in (*_FAMILY.values(), *_COMMON_FAMILY.values())


def ensure_cjk_style() -> None:
    """Apply :func:`use_style` with its defaults unless a CJK style is already active.

    Displays call this before they draw: without it, a figure drawn in a fresh session
    would fall back to matplotlib's DejaVu Sans and print every Chinese character as an
    empty box.  A style the user set with :func:`use_style` (any preset or font) is
    left as it is.
    """
    if not cjk_style_active():
        use_style()

