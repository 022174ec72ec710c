"""Execute notebooks/04_figures_for_papers.ipynb top to bottom (slow lane)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_figures_for_papers.ipynb"
DEMO = ROOT / "corpus" / "demo"
FIGURES = ["fig01_distribution", "fig02_heatmap_year", "fig03_share_over_time",
           "fig04_topic_terms", "fig05_select_k", "fig06_topic_effects", "fig07_keyness",
           "fig08_cooccurrence", "fig09_agreement_table", "fig10_confusion",
           "fig11_wordcloud"]


def _not_ready() -> str | None:
    """Why the notebook cannot run yet, or None when everything it needs exists."""
    n_docs = len(list(DEMO.glob("dj*.txt"))) if DEMO.is_dir() else 0
    if n_docs < 10:
        return f"corpus/demo has {n_docs} documents (need >= 10): demo corpus not written yet"
    for module, names in (("quanyu_nlp.corpus", ["read_corpus", "corpus_reshape"]),
                          ("quanyu_nlp.segment", ["segment", "tokens_remove"]),
                          ("quanyu_nlp.coding", ["code", "DictionaryCoder"]),
                          ("quanyu_nlp.topics", ["LdaTopics", "select_k", "topic_effects"]),
                          ("quanyu_nlp.features", ["fcm", "textstat_keyness"]),
                          ("quanyu_nlp.evidence", ["evidence_table"])):
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            return f"{module} is not importable yet ({exc})"
        missing = [n for n in names if not hasattr(mod, n)]
        if missing:
            return f"{module} does not provide {', '.join(missing)} yet"
    return None


@pytest.mark.slow
def test_figures_notebook_runs_and_writes_bundle(tmp_path, monkeypatch):
    reason = _not_ready()
    if reason:
        pytest.skip(reason)
    import nbformat
    from nbclient import NotebookClient

    out = tmp_path / "figures"
    # The kernel inherits the environment: figures and caches go to tmp_path.
    monkeypatch.setenv("QUANYU_FIGURES_OUT", str(out))
    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHONWARNINGS", "error::UserWarning:matplotlib")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()

    text = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text.append(o.get("text", "") if "text" in o else str(o.get("data", "")))
    joined = "\n".join(text)
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
