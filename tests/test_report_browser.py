"""The HTML report in headless Chromium on a machine without CJK system fonts.

Chromium runs with a fontconfig file that loads the system font folders but rejects
every font covering Chinese, Japanese or Korean, so the only way Chinese can render is
the subset font the report carries.  We check:

* the page loads with no console message at all (a blocked fetch or a CSP violation
  would print one);
* the DOM has the expected sections and Chinese text;
* a screenshot shows Chinese as glyphs, not boxes: ten different characters are drawn
  in fixed 100 px cells; real glyphs differ from each other, while the "tofu" boxes of
  a missing font are identical.  The same page with the @font-face rule removed is
  rendered as a control and must fail that check, proving the check can fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_report import make_report  # noqa: E402

CHROMIUM = next((p for p in (shutil.which(n) for n in
                             ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium; "
                             ".ci/run installs it)")

TEST_CHARS = "党建引领基层治理组织群"
CELL = 100

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts</dir>
  <cachedir>{cache}</cachedir>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>zh</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ja</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ko</string></patelt></pattern>
    <glob>*CJK*</glob><glob>*cjk*</glob><glob>*wqy*</glob><glob>*arphic*</glob>
    <glob>*DroidSansFallback*</glob><glob>*Han*</glob>
  </rejectfont></selectfont>
</fontconfig>
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    d = tmp_path_factory.mktemp("chromium")
    conf = d / "fonts.conf"
    conf.write_text(FONTS_CONF.format(cache=d / "fccache"), encoding="utf-8")
    e = dict(os.environ, FONTCONFIG_FILE=str(conf), HOME=str(d))
    if shutil.which("fc-list"):
        zh = subprocess.run(["fc-list", ":lang=zh"], env=e, capture_output=True, text=True,
                            timeout=60).stdout.strip()
        assert zh == "", f"CJK fonts still visible to chromium: {zh[:200]}"
    return d, e


def chromium(env, url: str, *args: str) -> subprocess.CompletedProcess:
    d, e = env
    profile = d / f"profile{len(list(d.iterdir()))}"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *args, url]
    res = subprocess.run(cmd, env=e, capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr.decode("utf-8", "replace")[-2000:]
    return res


def glyph_page() -> str:
    """The report plus a row of big test characters in fixed cells at the top left."""
    r = make_report()
    cells = "".join(
        f"<span style='display:inline-block;width:{CELL}px;height:{CELL}px;"
        f"font-size:80px;line-height:{CELL}px;text-align:center;overflow:hidden'>{c}</span>"
        for c in TEST_CHARS)
    r.section("glyphtest", "字形测试").html(
        f"<div id='glyphs' style='position:absolute;top:0;left:0;background:#fff;"
        f"white-space:nowrap;margin:0;padding:0;z-index:9'>{cells}</div>")
    return r.to_html()


def cells_of(png: Path) -> list[np.ndarray]:
    from PIL import Image

    with Image.open(png) as im:
        a = np.asarray(im.convert("L"), dtype=float)
    return [a[:CELL, i * CELL:(i + 1) * CELL] for i in range(len(TEST_CHARS))]


def glyphs_distinct(cells: list[np.ndarray]) -> tuple[bool, float, float]:
    """(all cells inked and pairwise different, min ink, min pairwise difference)."""
    ink = [float((255 - c).mean()) for c in cells]
    diffs = [float(np.abs(cells[i] - cells[j]).mean())
             for i in range(len(cells)) for j in range(i + 1, len(cells))]
    return min(ink) > 5 and min(diffs) > 5, min(ink), min(diffs)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    d = tmp_path_factory.mktemp("pages")
    page = glyph_page()
    real = d / "report.html"
    real.write_text(page, encoding="utf-8")
    control = d / "nofont.html"
    control.write_text(re.sub(r"@font-face\{[^}]*\}", "", page), encoding="utf-8")
    return real, control


def test_dom_has_sections_and_chinese_and_no_console_messages(env, pages):
    real, _ = pages
    res = chromium(env, real.as_uri(), "--dump-dom")
    dom = res.stdout.decode("utf-8")
    err = res.stderr.decode("utf-8", "replace")
    for sid in ("corpus", "segmentation", "coding", "topics", "figures", "reliability",
                "methods"):
        assert f'<section id="{sid}">' in dom
    for text in ("演示运行报告", "支部建在网格上", "本研究使用 quanyu_nlp", TEST_CHARS[0]):
        assert text in dom
    console = [ln for ln in err.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    assert console == [], console


def test_screenshot_shows_glyphs_not_boxes(env, pages, tmp_path):
    real, control = pages
    shots = {}
    for name, page in (("real", real), ("control", control)):
        png = tmp_path / f"{name}.png"
        chromium(env, page.as_uri(), f"--screenshot={png}", "--window-size=1200,800")
        shots[name] = glyphs_distinct(cells_of(png))
    ok, ink, diff = shots["real"]
    assert ok, f"Chinese not drawn as distinct glyphs (min ink {ink:.1f}, min diff {diff:.1f})"
    ok_control, _, diff_control = shots["control"]
    assert not ok_control, ("control page without the embedded font also shows distinct "
                            "glyphs: a CJK system font is visible, so the test proves nothing")
    assert diff > 3 * max(diff_control, 1.0)
