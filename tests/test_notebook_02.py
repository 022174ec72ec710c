"""Execute notebooks/02_framework_coding.ipynb top to bottom (slow lane)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_framework_coding.ipynb"


@pytest.mark.slow
def test_framework_coding_notebook_runs(run_notebook):
    text = run_notebook("02_framework_coding.ipynb")
    assert "hand-coded sentences match the corpus" in text
    assert "cohen_kappa" in text and "krippendorff_alpha" in text   # reliability table
    assert "macro_f1" in text                                        # cross-validation
    assert "coding_sheet.xlsx" in text and "coding_sheet.csv" in text
    assert "evidence.xlsx" in text and "evidence.tex" in text and "quotes.csv" in text
    assert "[R]" in text or "[N]" in text or "[J]" in text           # GB/T 7714 citations
    assert not list(NOTEBOOK.parent.glob("*.xlsx"))                  # exports not in the repo
    # What a researcher reads: dimension names, tables in codebook order (无 last), and
    # no library warnings (FutureWarning, RuntimeWarning …) among the outputs.
    assert "leadership 五个引领" in text                               # Codings repr
    assert "政治引领  组织引领  机制引领  行动引领  队伍引领   无" in text    # crosstab columns
    assert "## 五个引领 (leadership): counts" in text                  # Markdown export
    assert "Warning" not in text
