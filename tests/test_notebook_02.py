"""Execute notebooks/02_framework_coding.ipynb top to bottom (slow lane)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_framework_coding.ipynb"
DEMO = ROOT / "corpus" / "demo"
SAMPLE = ROOT / "corpus" / "demo_coded_sample.csv"


@pytest.mark.slow
def test_framework_coding_notebook_runs(tmp_path, monkeypatch):
    if len(list(DEMO.glob("dj*.txt"))) < 10 or not SAMPLE.exists():
        pytest.skip("demo corpus or its hand-coded sample is missing")
    import nbformat
    from nbclient import NotebookClient

    # The kernel inherits the environment: keep the segmentation cache out of $HOME.
    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()

    outputs = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", out
            outputs.append(str(out.get("text", "")) + str(out.get("data", {}).get(
                "text/plain", "")))
    text = "\n".join(outputs)
    assert "hand-coded sentences match the corpus" in text
    assert "cohen_kappa" in text and "krippendorff_alpha" in text   # reliability table
    assert "macro_f1" in text                                        # cross-validation
    assert "coding_sheet.xlsx" in text and "coding_sheet.csv" in text
    assert "evidence.xlsx" in text and "evidence.tex" in text and "quotes.csv" in text
    assert "[R]" in text or "[N]" in text or "[J]" in text           # GB/T 7714 citations
    assert not list(NOTEBOOK.parent.glob("*.xlsx"))                  # exports not in the repo
