"""The user guides' Python examples run as written, on the bundled demo corpus.

A guide whose example no longer runs teaches the wrong API; running every ```python
block of docs/corpus.md and docs/explore.md in order (one namespace per page, as a reader
would in one notebook) keeps them honest.
"""

import re
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ["docs/corpus.md", "docs/explore.md"]


def _blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("guide", GUIDES)
def test_guide_examples_run(guide, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)  # the guides read corpus/demo relative to the project
    blocks = _blocks(ROOT / guide)
    assert blocks, f"{guide} has no Python examples"
    ns: dict = {}
    for i, code in enumerate(blocks, start=1):
        exec(compile(code, f"{guide} example {i}", "exec"), ns)  # noqa: S102


def test_corpus_guide_shows_what_the_code_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = (ROOT / "docs/corpus.md").read_text(encoding="utf-8")
    ns: dict = {}
    exec(compile(_blocks(ROOT / "docs/corpus.md")[0], "corpus.md", "exec"), ns)  # noqa: S102
    printed = capsys.readouterr().out.splitlines()
    # the repr and the region counts quoted in the guide are the real ones
    assert printed[0].startswith("<Corpus: 66 documents, 69,878 characters")
    assert "# <Corpus: 66 documents, 69,878 characters" in text
    assert f"# {printed[1]}" in text


def test_explore_guide_kwic_line_is_real(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    ns: dict = {}
    for code in _blocks(ROOT / "docs/explore.md")[:2]:
        exec(compile(code, "explore.md", "exec"), ns)  # noqa: S102
    out = capsys.readouterr().out
    assert "市直机关以“结对共建”   党建联合体  推动力量下沉" in out
