"""The main job: `quanyu run experiments/demo.toml`, deterministic, atomic, resumable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quanyu_nlp.errors import QuanyuError
from quanyu_nlp.experiment import run

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "experiments" / "demo.toml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    old = os.environ.get("QUANYU_CACHE_DIR")
    try:
        os.environ["QUANYU_CACHE_DIR"] = str(base / "cache-a")
        a = run(DEMO, out=base / "a", quiet=True)
        os.environ["QUANYU_CACHE_DIR"] = str(base / "cache-b")
        b = run(DEMO, out=base / "b", quiet=True)
        os.environ["QUANYU_CACHE_DIR"] = str(base / "cache-a")
        c = run(DEMO, out=base / "c", quiet=True, resume=True)
    finally:
        if old is None:
            os.environ.pop("QUANYU_CACHE_DIR", None)
        else:
            os.environ["QUANYU_CACHE_DIR"] = old
    return a, b, c


def test_run_folder_contents(demo_runs):
    a, _, _ = demo_runs
    for name in ("config.resolved.toml", "manifest.json", "report.html", "log.txt"):
        assert (a.path / name).is_file(), name
    tables = sorted(p.name for p in (a.path / "tables").iterdir())
    for t in ("codings.csv", "codings.parquet", "topics.csv", "doc_topics.csv",
              "frequency.csv", "keyness.csv", "k_selection.csv", "topic_effects.csv",
              "evidence_quotes_leadership.csv", "evidence_counts_leadership.csv"):
        assert t in tables, t
    assert any(p.suffix == ".pdf" for p in (a.path / "figures").iterdir())
    m = json.loads((a.path / "manifest.json").read_text(encoding="utf-8"))
    for key in ("package_versions", "python", "platform", "corpus", "framework", "seeds",
                "step_seconds", "config_hash"):
        assert m[key], key
    assert m["corpus"]["content_hash"] and m["framework"]["name"] == "quanyu"
    assert m["corpus"]["documents"] == 66
    assert "coding" in m["step_seconds"]


def test_same_config_gives_byte_identical_tables(demo_runs):
    a, b, _ = demo_runs
    names = sorted(p.name for p in (a.path / "tables").glob("*.csv"))
    assert names == sorted(p.name for p in (b.path / "tables").glob("*.csv"))
    for n in names:
        assert (a.path / "tables" / n).read_bytes() == (b.path / "tables" / n).read_bytes(), n


def test_resume_reuses_finished_steps(demo_runs):
    a, _, c = demo_runs
    log = (c.path / "log.txt").read_text(encoding="utf-8")
    assert "[segment] reused" in log and "[coding] reused" in log
    for p in (a.path / "tables").glob("*.csv"):
        assert (c.path / "tables" / p.name).read_bytes() == p.read_bytes(), p.name
    assert (c.path / "report.html").is_file()


def test_run_returns_tables_as_frames(demo_runs):
    a, _, _ = demo_runs
    assert set(a.tables["codings"]["dimension"]) == {"leadership", "results"}
    assert len(a.figures) >= 5 and all(p.exists() for p in a.figures.values())


def _cfg(tmp_path, extra):
    (tmp_path / "docs").mkdir(exist_ok=True)
    themes = ["社区党委组建党建联合体，扩大组织覆盖，网格党支部延伸到小区楼栋。",
              "汛期党员突击队连夜加固堤坝，转移群众，志愿者送去物资和药品。",
              "村党支部开展理论学习和微党课宣讲，学习贯彻新思想，坚定理想信念。"]
    for i in range(9):
        text = f"第{i}篇。" + themes[i % 3] + themes[(i + 1) % 3][:8] + "。"
        (tmp_path / "docs" / f"d{i}.txt").write_text(text, encoding="utf-8")
    p = tmp_path / "exp.toml"
    p.write_text('[corpus]\npath = "docs"\n' + extra, encoding="utf-8")
    return p


@pytest.mark.parametrize("extra,pattern", [
    ('[evidence]\nby = ["province"]\n[topics]\nenabled = false\n', "province"),
    ('[topics]\nk = 12\n', "k = 12 is too large"),
    ('[coding]\nframework = "nosuch"\n[topics]\nenabled = false\n', "nosuch"),
    ('[explore]\nkeyness_by = "region"\n[topics]\nenabled = false\n', "region"),
])
def test_bad_input_is_one_line_and_leaves_nothing(tmp_path, extra, pattern):
    cfg = _cfg(tmp_path, extra)
    out = tmp_path / "out"
    with pytest.raises(QuanyuError, match=pattern) as err:
        run(cfg, out=out, quiet=True)
    assert "\n" not in str(err.value) and "exp.toml" in str(err.value)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_unwritable_output(tmp_path):
    cfg = _cfg(tmp_path, "[topics]\nenabled = false\n")
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(QuanyuError, match="afile is a file, not a folder"):
        run(cfg, out=blocker / "run", quiet=True)


def test_cli_prints_where_results_went(tmp_path):
    cfg = _cfg(tmp_path, '[topics]\nk = 2\niterations = 20\n[figures]\nenabled = false\n'
                         '[report]\nenabled = false\n')
    out = tmp_path / "r"
    p = subprocess.run([sys.executable, "-m", "quanyu_nlp.cli", "run", str(cfg), "--out",
                        str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"results: {out}" in p.stdout
    assert (out / "manifest.json").exists()
