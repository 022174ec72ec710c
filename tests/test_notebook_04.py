"""Execute notebooks/04_figures_for_papers.ipynb top to bottom (slow lane)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_figures_for_papers.ipynb"
FIGURES = ["fig01_distribution", "fig02_heatmap_year", "fig03_share_over_time",
           "fig04_topic_terms", "fig05_select_k", "fig06_topic_effects", "fig07_keyness",
           "fig08_cooccurrence", "fig09_agreement_table", "fig10_confusion",
           "fig11_wordcloud"]


@pytest.mark.slow
def test_figures_notebook_runs_and_writes_bundle(tmp_path, run_notebook):
    out = tmp_path / "figures"
    joined = run_notebook("04_figures_for_papers.ipynb",
                          env={"QUANYU_FIGURES_OUT": out,
                               "PYTHONWARNINGS": "error::UserWarning:matplotlib"})
    assert not re.search(r"Glyph \d+ .*missing", joined), "missing glyphs in the notebook"

    for stem in FIGURES:
        for ext in ("pdf", "svg", "png", "csv", "caption.txt"):
            path = out / f"{stem}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path
        cap = (out / f"{stem}.caption.txt").read_text(encoding="utf-8")
        assert "corpus_hash: " in cap and "not given" not in cap.split("corpus_hash: ")[1][:20]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count("<figure") == 9
    assert "本研究使用 quanyu_nlp" in report and "Texts were analysed" in report
    assert "@font-face" in report
    # Namespace URIs (xmlns) are names, not fetches; no src/href/url() may point outside.
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", report)
    assert not re.search(r"url\(\s*['\"]?https?:", report)
