"""``quanyu info``: versions, fonts found and paths, for bug reports and methods sections."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata

PACKAGES = ["quanyu_nlp", "pandas", "numpy", "scipy", "pyarrow", "rjieba", "jieba", "gensim",
            "tomotopy", "scikit-learn", "statsmodels", "matplotlib", "mplfonts", "fonttools",
            "networkx", "wordcloud", "dask", "openpyxl", "python-docx", "pypdf"]


def versions() -> dict[str, str]:
    """Installed versions of the packages a run depends on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def fonts() -> dict[str, str]:
    """The CJK fonts figures use: the shipped source and whether its TrueType copy is cached.

    Looking does not convert: the first ``use_style()`` does that once per machine.
    """
    from ..errors import QuanyuError
    from ..viz import style

    out = {}
    for font in ("sans", "serif"):
        try:
            src = style.cjk_font_source(font)
        except QuanyuError as exc:
            out[font] = f"missing ({exc.message})"
            continue
        cached = sorted(style._cache_dir().glob(f"{src.stem}-glyf-*.ttf"))
        out[font] = f"{src}" + (f" (TrueType copy cached: {cached[-1]})" if cached else
                                " (TrueType copy made on first use_style())")
    return out


def collect() -> dict:
    from pathlib import Path

    import quanyu_nlp

    info = {"versions": versions(), "platform": platform.platform(),
            "executable": sys.executable,
            "package_path": str(Path(quanyu_nlp.__file__).parent)}
    info["cjk_fonts"] = fonts()
    try:
        from ..segment import LEXICON_VERSION
        info["party_lexicon"] = LEXICON_VERSION
    except Exception:
        info["party_lexicon"] = "unavailable"
    try:
        from ..frameworks import list_frameworks
        info["frameworks"] = list_frameworks()
    except Exception:
        info["frameworks"] = "unavailable"
    return info


def run(args) -> int:
    info = collect()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"quanyu_nlp {info['versions']['quanyu_nlp']} on Python {info['versions']['python']}"
          f" ({info['platform']})")
    print(f"  package:   {info['package_path']}")
    print(f"  python:    {info['executable']}")
    print(f"  lexicon:   {info['party_lexicon']}")
    print(f"  frameworks: {info['frameworks']}")
    for font, where in info["cjk_fonts"].items():
        print(f"  CJK font ({font}): {where}")
    print("  versions:  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()
                                      if k not in ("quanyu_nlp", "python")))
    return 0


def register(sub) -> None:
    p = sub.add_parser("info", help="versions, fonts found and paths")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=run)
