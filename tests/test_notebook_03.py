"""Execute notebooks/03_topics.ipynb top to bottom (slow lane)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_topics.ipynb"
DEMO = ROOT / "corpus" / "demo"


@pytest.mark.slow
def test_topics_notebook_runs(tmp_path, monkeypatch):
    n_docs = len(list(DEMO.glob("dj*.txt"))) if DEMO.is_dir() else 0
    if n_docs < 10:
        pytest.skip(f"corpus/demo has {n_docs} documents (need >= 10)")
    import nbformat
    from nbclient import NotebookClient

    # keep the segmentation cache out of $HOME
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
    assert "recommended K:" in text
    assert "stability" in text and "npmi" in text         # the select_k table
    for label in ("政治引领", "组织引领", "机制引领", "行动引领", "队伍引领"):
        assert label in text                             # seeded topic labels
    assert "ci_low" in text and "ci_high" in text        # effects with intervals
