"""`quanyu segment`: one output line per input line, clean errors, no partial output."""

import subprocess
import sys

import pytest

from quanyu_nlp.cli import main

LINES = ["坚持党建引领，推动两个覆盖，提升组织力。", "", "全域党建以党建联合体为支点。 Mixed  English 2026",
         "   "]


def _write(tmp_path, lines, name="docs.txt"):
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_segment_to_file(tmp_path):
    src = _write(tmp_path, LINES)
    out = tmp_path / "seg.txt"
    assert main(["segment", str(src), "-o", str(out)]) == 0
    got = out.read_text(encoding="utf-8").split("\n")
    assert got[-1] == "" and len(got) - 1 == len(LINES)
    got = got[:-1]
    assert got[0] == "坚持 党建引领 ， 推动 两个覆盖 ， 提升 组织力 。"
    assert got[1] == "" and got[3] == ""
    for g, line in zip(got, LINES):
        assert "  " not in g and g.replace(" ", "") == "".join(line.split())


def test_segment_to_stdout_and_options(tmp_path, capsys):
    src = _write(tmp_path, ["提升组织力"])
    assert main(["segment", str(src)]) == 0
    assert capsys.readouterr().out == "提升 组织力\n"
    assert main(["segment", str(src), "--no-lexicon"]) == 0
    assert capsys.readouterr().out == "提升 组织 力\n"
    assert main(["segment", str(src), "--pos", "--backend", "jieba"]) == 0
    assert capsys.readouterr().out == "提升/v 组织力/n\n"
    ud = tmp_path / "ud.txt"
    ud.write_text("提升组织力 50 nz\n", encoding="utf-8")
    assert main(["segment", str(src), "--user-dict", str(ud), "--jobs", "1"]) == 0
    assert capsys.readouterr().out == "提升组织力\n"


def test_crlf_and_bom_input(tmp_path, capsys):
    src = tmp_path / "win.txt"
    src.write_bytes("\ufeff提升组织力\r\n\r\n两个覆盖\r\n".encode("utf-8"))
    assert main(["segment", str(src)]) == 0
    assert capsys.readouterr().out == "提升 组织力\n\n两个覆盖\n"


def test_empty_file(tmp_path, capsys):
    src = tmp_path / "empty.txt"
    src.write_text("", encoding="utf-8")
    assert main(["segment", str(src)]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("kind", ["missing", "folder", "binary", "gbk", "bad_dict"])
def test_bad_input_is_one_line_error_without_output(tmp_path, kind):
    out = tmp_path / "out.txt"
    args = []
    if kind == "missing":
        src = tmp_path / "missing.txt"
    elif kind == "folder":
        src = tmp_path / "folder.txt"
        src.mkdir()
    elif kind == "binary":
        src = tmp_path / "blob.txt"
        src.write_bytes(b"\x00\x01\x02binary\x00")
    elif kind == "gbk":
        src = tmp_path / "gbk.txt"
        src.write_bytes("党建引领".encode("gb18030"))
    else:
        src = _write(tmp_path, ["提升组织力"], "ok.txt")
        bad = tmp_path / "bad_dict.txt"
        bad.write_bytes("组织力\t5\n".encode("utf-8"))
        args = ["--user-dict", str(bad)]
    p = subprocess.run([sys.executable, "-m", "quanyu_nlp.cli", "segment", str(src),
                        "-o", str(out), *args], capture_output=True, text=True)
    assert p.returncode == 2
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in p.stderr
    culprit = "bad_dict.txt" if kind == "bad_dict" else src.name
    assert culprit in err[0]
    assert not out.exists()
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".out.txt")]


def test_parallel_cli_equals_serial(tmp_path):
    src = _write(tmp_path, LINES * 30)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert main(["segment", str(src), "-o", str(a)]) == 0
    assert main(["segment", str(src), "-o", str(b), "--jobs", "2"]) == 0
    assert a.read_bytes() == b.read_bytes()
