"""The package surface: top-level exports resolve lazily; import stays light."""

import subprocess
import sys

import quanyu_nlp


def test_every_top_level_export_resolves():
    for name in quanyu_nlp._EXPORTS:
        assert getattr(quanyu_nlp, name) is not None, name
    assert "segment" in dir(quanyu_nlp)


def test_import_does_not_load_heavy_libraries():
    code = ("import sys, quanyu_nlp; heavy = [m for m in ('gensim', 'tomotopy', 'sklearn', "
            "'matplotlib', 'pandas') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == ""
