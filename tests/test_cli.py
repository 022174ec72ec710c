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


# -- argparse mistakes are one line; a reader that leaves early is no error -----------------

@pytest.mark.parametrize("args,prog,culprit", [
    (["corpus"], "quanyu corpus", "required: path"),
    (["corpuss", "x"], "quanyu", "invalid choice: 'corpuss'"),
    (["topics", "x.txt", "--k", "abc"], "quanyu topics", "invalid int value: 'abc'"),
    (["reliability"], "quanyu reliability", "required: SHEET"),
    (["--nope"], "quanyu", "unrecognized arguments: --nope"),
])
def test_argument_mistakes_are_one_line(args, prog, culprit):
    p = run_cli(*args)
    assert p.returncode == 2 and p.stdout == ""
    err = p.stderr.strip().splitlines()
    assert len(err) == 1, p.stderr
    assert err[0].startswith(f"{prog}: error: ") and culprit in err[0], err[0]
    assert err[0].endswith(f"(see {prog} --help)")
    assert "usage:" not in p.stderr


def test_argument_mistake_in_process_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["segment"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("quanyu segment: error: ")


@pytest.mark.parametrize("args", [["info"], ["corpus", "{docs}"], ["corpus", "{docs}", "--json"]])
def test_reader_leaving_early_is_quiet(tmp_path, args):
    # `quanyu corpus x | head -1`: the pipe is closed before the command writes
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(f"第{i}篇：党建引领基层治理。", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "quanyu_nlp.cli",
                             *[a.format(docs=tmp_path) for a in args]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    code = proc.wait()
    proc.stderr.close()
    assert err == "", err
    assert code in (0, 141)
