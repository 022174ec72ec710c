"""Shared pytest fixtures and hooks (keep small; add fixtures below)."""

import warnings

import pytest


@pytest.fixture(autouse=True)
def _fail_on_missing_glyph():
    """Make any "Glyph ... missing from font(s)" warning raise, failing the test.

    matplotlib reports characters that no configured font has (Chinese drawn as empty
    boxes) through ``warn_external``, which attributes the warning to the *caller's*
    module, so pyproject's ``error::UserWarning:matplotlib.*`` filter misses it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"(?s).*Glyph \d+ .*missing from")
        yield


@pytest.fixture
def run_notebook(tmp_path, monkeypatch):
    """Execute ``notebooks/<name>`` top to bottom and return its text outputs joined.

    The kernel inherits the environment, so caches (and anything else given in ``env``)
    point into ``tmp_path``: a notebook run never writes to $HOME or the repository.
    Any error output fails the test with the cell's traceback.
    """
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parents[1]

    def _run(name: str, env: dict | None = None) -> str:
        monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, str(value))
        path = root / "notebooks" / name
        nb = nbformat.read(path, as_version=4)
        # kernel "python3": jupyter_client starts it with this interpreter
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        outputs = []
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                assert out.get("output_type") != "error", "".join(out.get("traceback", []))
                outputs.append(str(out.get("text", "")) + str(out.get("data", {}).get(
                    "text/plain", "")))
        return "\n".join(outputs)

    return _run
