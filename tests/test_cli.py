"""The `quanyu` command: help, info, corpus summary, and clean one-line errors."""

import subprocess
import sys
from pathlib import Path

import pytest

from quanyu_nlp.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "quanyu_nlp.cli", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_help_lists_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for cmd in ("info", "corpus", "run"):
        assert cmd in out


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "quanyu_nlp" in out and "pandas" in out


def test_corpus_summary_on_fixture(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("党建联合体。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("组织力提升。", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("doc_id,region\na,青岚市\nb,柘阳市\n", encoding="utf-8")
    assert main(["corpus", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 documents" in out and "region: 柘阳市 1, 青岚市 1" in out


@pytest.mark.skipif(not (ROOT / "corpus" / "demo" / "manifest.csv").exists(),
                    reason="demo corpus not present")
def test_corpus_summary_on_demo(capsys):
    assert main(["corpus", str(ROOT / "corpus" / "demo")]) == 0
    out = capsys.readouterr().out
    assert "documents" in out and "field:" in out and "year:" in out


@pytest.mark.parametrize("args,culprit", [
    (["corpus", "/nonexistent/folder"], "/nonexistent/folder"),
    (["run", "/nonexistent/exp.toml"], "/nonexistent/exp.toml"),
])
def test_user_errors_are_one_line(args, culprit):
    p = run_cli(*args)
    assert p.returncode == 2
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and culprit in err[0] and "Traceback" not in p.stderr


def test_debug_shows_traceback():
    p = run_cli("--debug", "corpus", "/nonexistent/folder")
    assert p.returncode != 0 and "Traceback" in p.stderr


def test_run_bad_config_leaves_nothing(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("党建。", encoding="utf-8")
    cfg = tmp_path / "x.toml"
    cfg.write_text('[corpus]\npath = "docs"\n[coding]\nframework = "nosuch"\n'
                   '[topics]\nenabled = false\n', encoding="utf-8")
    out = tmp_path / "out"
    p = run_cli("run", str(cfg), "--out", str(out))
    assert p.returncode == 2, p.stderr
    assert "nosuch" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".out")]
