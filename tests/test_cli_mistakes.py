"""The mistakes a social scientist makes at the command line, each caught on one line.

House rule: every user mistake (bad file, wrong encoding, bad codebook, bad config,
unknown column) is one line on stderr naming the file, field or line and the fix, exit
status 2, never a traceback, and nothing the user had is lost: no input is overwritten,
no half-written output is left.  All texts here are written for these tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from quanyu_nlp.cli import main

TEXTS = [
    "社区党委组建党建联合体，把新就业群体纳入组织覆盖。",
    "镇党委组织党员深入学习贯彻新思想，开展主题教育。",
    "今天多云转晴，最高气温二十六度。",
]

# twelve short documents on three themes, so that a two-topic model has something to find
THEMES = [
    ["党建联合体", "组织覆盖", "新就业群体", "快递小哥", "网格员", "便民服务"],
    ["理论学习", "主题教育", "党员干部", "思想武装", "理想信念", "读书班"],
    ["乡村振兴", "集体经济", "合作社", "村党支部", "致富带头人", "特色种植"],
]


def _doc(i: int) -> str:
    words = THEMES[i % 3]
    first = "，".join(words[j % 6] for j in range(i, i + 8))
    second = "，".join(words[j % 6] for j in range(i + 2, i + 7))
    return f"{first}的工作持续推进。\n\n{second}取得成效。\n"


def _err(capsys, *args) -> str:
    """Run the CLI in-process; assert a one-line user error and return that line."""
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    errors = [ln for ln in cap.err.splitlines() if ln.startswith("quanyu: error:")]
    assert code == 2, cap.err
    assert len(errors) == 1 and "Traceback" not in cap.err, cap.err
    return errors[0]


def _no_leftovers(folder) -> None:
    """No temporary file or folder of an atomic write stays behind."""
    left = [p.name for p in folder.iterdir() if p.name.startswith(".") and
            (".partial-" in p.name or p.suffix in (".csv", ".txt", ".xlsx", ".tmp"))]
    assert not left, left


@pytest.fixture
def texts(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.csv").write_text("id,text,region\n" + "".join(
        f"u{i},{t},甲\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    (d / "ok.txt").write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return d


@pytest.fixture
def corpus_dir(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for i in range(12):
        (d / f"d{i:02d}.txt").write_text(_doc(i), encoding="utf-8")
    rows = "".join(f"d{i:02d}.txt,{2019 + i % 4},{'甲乙丙'[i % 3]}\n" for i in range(12))
    (d / "manifest.csv").write_text("file,year,region\n" + rows, encoding="utf-8")
    return d


# ---------------------------------------------------------------------------------------
# quanyu segment


def test_segment_output_equal_to_input_keeps_the_input(texts, capsys):
    src = texts / "ok.txt"
    before = src.read_bytes()
    line = _err(capsys, "segment", src, "-o", texts / ".." / "in" / "ok.txt")
    assert "is the input" in line and "ok.txt" in line
    assert src.read_bytes() == before


def test_segment_output_folder_is_one_line(texts, capsys):
    line = _err(capsys, "segment", texts / "ok.txt", "-o", texts)
    assert "is a folder" in line and "give a file name" in line


def test_segment_gbk_names_the_encoding_and_reads_with_it(texts, tmp_path, capsys):
    gbk = texts / "gbk.txt"
    gbk.write_bytes(("\n".join(TEXTS) + "\n").encode("gb18030"))
    line = _err(capsys, "segment", gbk, "-o", tmp_path / "x.txt")
    assert "gbk.txt" in line and "--encoding gb18030" in line
    assert not (tmp_path / "x.txt").exists()
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert main(["segment", str(texts / "ok.txt"), "-o", str(a)]) == 0
    assert main(["segment", str(gbk), "--encoding", "gb18030", "-o", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_segment_unknown_encoding_name(texts, capsys):
    line = _err(capsys, "segment", texts / "ok.txt", "--encoding", "gbkk")
    assert "'gbkk' is not an encoding" in line


# ---------------------------------------------------------------------------------------
# quanyu code: reading what spreadsheet programs write


def _coded(path):
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("kind", ["gbk", "utf16", "semicolon", "xlsx_named_csv", "bom"])
def test_code_reads_what_excel_and_wps_save(texts, tmp_path, kind):
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(3)], "text": TEXTS})
    src = tmp_path / "in.csv"
    if kind == "gbk":
        src.write_bytes(frame.to_csv(index=False).encode("gb18030"))
    elif kind == "utf16":
        src.write_bytes(frame.to_csv(index=False).encode("utf-16"))
    elif kind == "semicolon":
        src.write_text(frame.to_csv(index=False, sep=";"), encoding="utf-8")
    elif kind == "bom":
        src.write_text("\ufeff" + frame.to_csv(index=False), encoding="utf-8")
    else:
        frame.to_excel(tmp_path / "book.xlsx", index=False)
        src.write_bytes((tmp_path / "book.xlsx").read_bytes())  # renamed, still a workbook
    ref, out = tmp_path / "ref.csv", tmp_path / "out.csv"
    assert main(["code", str(texts / "ok.csv"), "-o", str(ref)]) == 0
    assert main(["code", str(src), "-o", str(out)]) == 0
    got, want = _coded(out), _coded(ref)
    assert got["text"].tolist() == TEXTS
    assert got["leadership"].tolist() == want["leadership"].tolist()


@pytest.mark.parametrize("kind, culprit", [
    ("empty", "is empty"),
    ("header_only", "has a header but no rows"),
    ("binary", "binary file"),
    ("folder", "is a folder"),
    ("txt", "not a table"),
    ("missing", "does not exist"),
    ("ragged", "line 3"),
])
def test_code_bad_input_file(tmp_path, capsys, kind, culprit):
    src = tmp_path / ("in.txt" if kind == "txt" else "in.csv")
    if kind == "empty":
        src.write_text("", encoding="utf-8")
    elif kind == "header_only":
        src.write_text("id,text\n", encoding="utf-8")
    elif kind == "binary":
        src.write_bytes(bytes(range(256)) * 4)
    elif kind == "folder":
        src.mkdir()
    elif kind == "txt":
        src.write_text("\n".join(TEXTS), encoding="utf-8")
    elif kind == "ragged":
        src.write_text(f"id,text\nu1,{TEXTS[0]}\nu2,{TEXTS[1]},多,余\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    line = _err(capsys, "code", src, "-o", out)
    assert culprit in line and "in." in line
    assert not out.exists()
    _no_leftovers(tmp_path)


def test_code_unknown_text_column_suggests_the_one_it_sees(tmp_path, capsys):
    src = tmp_path / "zw.csv"
    src.write_text(f"编号,正文\n1,{TEXTS[0]}\n", encoding="utf-8")
    line = _err(capsys, "code", src, "-o", tmp_path / "out.csv")
    assert "no column 'text' in zw.csv" in line and "--text-column 正文" in line


@pytest.mark.parametrize("which", ["input", "train"])
def test_code_output_equal_to_an_input_keeps_it(texts, capsys, which):
    train = texts / "train.csv"
    train.write_text(f"text,leadership\n{TEXTS[0]},组织引领\n{TEXTS[1]},政治引领\n",
                     encoding="utf-8")
    target = texts / "ok.csv" if which == "input" else train
    before = target.read_bytes()
    line = _err(capsys, "code", texts / "ok.csv", "--train", train, "-o", target)
    assert "is the input" in line
    assert target.read_bytes() == before


def test_code_output_folder_is_one_line(texts, capsys):
    line = _err(capsys, "code", texts / "ok.csv", "-o", texts)
    assert "is a folder" in line


def test_code_xlsx_output_is_a_workbook(texts, tmp_path):
    out = tmp_path / "coded.xlsx"
    assert main(["code", str(texts / "ok.csv"), "-o", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"
    assert pd.read_excel(out)["text"].tolist() == TEXTS


def test_code_training_label_names_file_and_row(texts, capsys):
    train = texts / "train.csv"
    train.write_text(f"text,leadership\n{TEXTS[0]},组织引领\n{TEXTS[1]},政治领导\n",
                     encoding="utf-8")
    line = _err(capsys, "code", texts / "ok.csv", "--train", train, "-o", texts / "o.csv")
    assert "train.csv row 3" in line and "政治领导" in line


# ---------------------------------------------------------------------------------------
# quanyu reliability


def test_reliability_output_equal_to_a_sheet_keeps_the_coding(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("unit_id,leadership\n1,组织引领\n2,政治引领\n3,无\n", encoding="utf-8")
    b.write_text("unit_id,leadership\n1,组织引领\n2,组织引领\n3,无\n", encoding="utf-8")
    before = b.read_bytes()
    line = _err(capsys, "reliability", a, b, "-o", b)
    assert "is the input" in line
    assert b.read_bytes() == before


# ---------------------------------------------------------------------------------------
# quanyu topics


@pytest.mark.parametrize("flag, value", [
    ("--iterations", -5), ("--iterations", 0), ("--n-terms", 0), ("--min-len", 0),
    ("--min-docs", -1), ("--max-docfreq", 5), ("--workers", -1)])
def test_topics_numbers_are_checked_by_flag_before_reading(tmp_path, capsys, flag, value):
    out = tmp_path / "out"
    # the input does not even exist: the flag is checked first
    line = _err(capsys, "topics", tmp_path / "nosuch", "--k", 2, flag, value, "-o", out)
    assert f"{flag} {value}" in line
    assert not out.exists()


@pytest.mark.parametrize("where", ["input", "parent", "foreign"])
def test_topics_overwrite_never_deletes_the_users_files(corpus_dir, tmp_path, capsys, where):
    before = sorted(p.name for p in corpus_dir.iterdir())
    if where == "input":
        out = corpus_dir
    elif where == "parent":
        out = tmp_path
    else:
        out = tmp_path / "notes"
        out.mkdir()
        (out / "my notes.txt").write_text("访谈记录", encoding="utf-8")
    line = _err(capsys, "topics", corpus_dir, "--k", 2, "-o", out, "--overwrite")
    assert "-o" in line or "--overwrite" in line
    assert sorted(p.name for p in corpus_dir.iterdir()) == before
    if where == "foreign":
        assert (out / "my notes.txt").read_text(encoding="utf-8") == "访谈记录"


def test_topics_output_is_a_file(corpus_dir, tmp_path, capsys):
    f = tmp_path / "x.txt"
    f.write_text("保留", encoding="utf-8")
    line = _err(capsys, "topics", corpus_dir, "--k", 2, "-o", f, "--overwrite")
    assert "is a file" in line
    assert f.read_text(encoding="utf-8") == "保留"


def test_topics_overwrite_replaces_its_own_output(corpus_dir, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["topics", str(corpus_dir), "--k", "2", "--iterations", "20", "-o", str(out),
            "--no-coherence"]
    assert main(args) == 0
    first = (out / "topics.csv").read_bytes()
    assert main(args + ["--overwrite"]) == 0
    assert (out / "topics.csv").read_bytes() == first
    capsys.readouterr()


# ---------------------------------------------------------------------------------------
# quanyu corpus: years, encodings, notes


def test_manifest_year_not_in_digits_is_refused_at_its_line(corpus_dir, capsys):
    man = corpus_dir / "manifest.csv"
    lines = man.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",2020,", ",二〇二〇,")
    man.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = _err(capsys, "corpus", corpus_dir)
    assert "manifest.csv line 3, column year" in line and "二〇二〇" in line


def test_table_year_not_in_digits_is_refused_at_its_line(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_text(f"text,year\n{TEXTS[0]},2021\n{TEXTS[1]},2021年\n", encoding="utf-8")
    line = _err(capsys, "corpus", src)
    assert "t.csv line 3, column year" in line and "2021年" in line


def test_excel_years_are_years(tmp_path, capsys):
    src = tmp_path / "t.xlsx"
    pd.DataFrame({"text": TEXTS, "year": [2019.0, 2020.0, None]}).to_excel(src, index=False)
    assert main(["corpus", str(src), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["variables"]["year"] == {"2019": 1, "2020": 1, "(missing)": 1}


def test_corpus_json_stays_json_and_notes_go_to_stderr(corpus_dir, capsys):
    (corpus_dir / "empty.txt").write_text("  \n", encoding="utf-8")
    assert main(["corpus", str(corpus_dir), "--json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["documents"] == 12
    assert "quanyu: note: skipped 1 empty file(s): empty.txt" in cap.err


@pytest.mark.parametrize("args, culprit", [
    (["--encoding", "gbkk"], "'gbkk' is not an encoding"),
    (["--encoding", "utf-8"], "it reads as gb18030"),
])
def test_corpus_encoding_mistakes(tmp_path, capsys, args, culprit):
    src = tmp_path / "g.txt"
    src.write_bytes(TEXTS[0].encode("gb18030"))
    line = _err(capsys, "corpus", src, *args)
    assert culprit in line and "g.txt" in line


def test_corpus_header_only_table(tmp_path, capsys):
    src = tmp_path / "h.csv"
    src.write_text("id,text\n", encoding="utf-8")
    line = _err(capsys, "corpus", src)
    assert "h.csv" in line and "no rows" in line


# ---------------------------------------------------------------------------------------
# quanyu run: the config file


BASE = """
[experiment]
name = "mistakes"
[corpus]
path = "corpus"
[topics]
k = 2
iterations = 10
[coding]
enabled = false
[figures]
enabled = false
[report]
enabled = false
"""


def _config(tmp_path, extra: str = "", base: str = BASE):
    """BASE with ``extra`` merged in: keys under a [section] of extra replace BASE's."""
    sections: dict[str, list[str]] = {}
    cur = None
    for text in (base, extra):
        for ln in text.strip().splitlines():
            if ln.startswith("["):
                cur = ln
                sections.setdefault(cur, [])
            elif ln.strip():
                key = ln.split("=")[0].strip()
                sections[cur] = [x for x in sections[cur] if x.split("=")[0].strip() != key]
                sections[cur].append(ln)
    cfg = tmp_path / "exp.toml"
    cfg.write_text("\n".join(f"{s}\n" + "\n".join(v) for s, v in sections.items()) + "\n",
                   encoding="utf-8")
    return cfg


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("extra, culprit", [
    ('[topics]\nselect_seeds = ["a"]\nk = [2, 3]', "select_seeds must be a list of whole"),
    ('[explore]\nkwic = [1]', "kwic must be a list of strings"),
    ('[coding]\ndimensions = [1]', "dimensions must be a list of strings"),
    ('[structure]\nparts = ["bodyy"]', "did you mean 'body'"),
    ('[segment]\nstopwords = ["zh", "我的停用词.txt"]', "我的停用词.txt"),
    ('[segment]\nmin_len = 0', "min_len = 0 must be 1 or more"),
    ('[topics]\nn_terms = 0', "n_terms = 0 must be 1 or more"),
    ('[topics]\nn_free = -1', "n_free = -1 must be 0 or more"),
    ('[evidence]\nn_quotes = -1', "n_quotes = -1 must be 0 or more"),
    ('[corpus]\nencoding = "gbkk"', "'gbkk' is not an encoding"),
    ('[experiment]\nname = "组/一"', "names the run folder"),
    ('[topics]\nselect_seeds = []\nk = [2, 3]', "needs at least one seed"),
    ('[coding]\nhuman_sheets = ["corpus"]', "is a folder, not a file"),
    ('[experiment]\nseed = "1"', "seed must be int"),
    ('[experiment]\nnmae = "x"', "did you mean 'name'"),
    ('[coding]\nthreshold = 1', "below 1"),
    ('[explore]\nkwic = ["党建联合体", ""]', "empty keyword"),
    ('[topics]\neffects = "~ region +"', "cannot be parsed"),
    ('[topics]\neffects = "~ 地区"', "unknown column '地区'"),
    ('[experiment]\nseed = -1', "-1 is not a seed"),
    ('[experiment]\nseed = 99999999999', "99999999999 is not a seed"),
    ('[topics]\nk = [2, 2]', "lists 2 twice"),
    ('[evidence]\nby = ["region", "region"]', "lists 'region' twice"),
    ('[coding]\ndimensions = ["leadership", "leadership"]', "lists 'leadership' twice"),
])
def test_config_mistake_is_one_line_at_its_line(corpus_dir, tmp_path, capsys, cache, extra,
                                                culprit):
    cfg = _config(tmp_path, extra)
    out = tmp_path / "run"
    line = _err(capsys, "run", cfg, "--out", out, "--quiet", "--no-progress")
    assert culprit in line and "exp.toml line " in line, line
    assert not out.exists()
    _no_leftovers(tmp_path)


def test_config_paths_are_relative_to_the_config_not_the_cwd(corpus_dir, tmp_path, capsys,
                                                             cache, monkeypatch):
    cfg = _config(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["run", str(cfg), "--out", str(tmp_path / "run"), "--quiet",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "results:" in out and "report:" not in out   # [report] enabled = false


def test_run_twice_into_one_folder_keeps_the_first(corpus_dir, tmp_path, capsys, cache):
    cfg = _config(tmp_path)
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--no-progress"]) == 0
    capsys.readouterr()
    before = (out / "manifest.json").read_bytes()
    line = _err(capsys, "run", cfg, "--out", out, "--quiet", "--no-progress")
    assert "already exists" in line
    assert (out / "manifest.json").read_bytes() == before


def test_run_out_is_a_file(corpus_dir, tmp_path, capsys, cache):
    f = tmp_path / "results.txt"
    f.write_text("保留", encoding="utf-8")
    line = _err(capsys, "run", _config(tmp_path), "--out", f, "--quiet")
    assert "is a file" in line and f.read_text(encoding="utf-8") == "保留"


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_interrupted_run_leaves_nothing(corpus_dir, tmp_path, capsys, cache, monkeypatch, exc):
    from quanyu_nlp import experiment

    def boom(ctx):
        raise exc("stopped in the middle")

    steps = [(n, boom if n == "topics" else f, s, u) for n, f, s, u in experiment.STEPS]
    monkeypatch.setattr(experiment, "STEPS", steps)
    out = tmp_path / "run"
    args = ["run", str(_config(tmp_path)), "--out", str(out), "--quiet", "--no-progress"]
    if exc is KeyboardInterrupt:
        assert main(args) == 130
        assert "interrupted" in capsys.readouterr().err
    else:
        with pytest.raises(RuntimeError):  # a bug keeps its traceback
            main(args)
    assert not out.exists()
    _no_leftovers(tmp_path)


def test_run_applies_the_stopword_lists(corpus_dir, tmp_path, capsys, cache):
    cfg = _config(tmp_path, '[segment]\nstopwords = ["zh", "extra.txt"]\nmin_len = 1')
    (tmp_path / "extra.txt").write_text("成效\n", encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--no-progress"]) == 0
    freq = pd.read_csv(out / "tables" / "frequency.csv", keep_default_na=False)
    terms = set(freq["feature"])
    assert not terms & {"，", "的", "。", "成效"}
    assert "党建联合体" in terms


def test_run_topics_on_paragraphs(corpus_dir, tmp_path, capsys, cache):
    cfg = _config(tmp_path, '[topics]\nunit = "paragraphs"')
    out = tmp_path / "run"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--no-progress"]) == 0
    dt = pd.read_csv(out / "tables" / "doc_topics.csv")
    assert len(dt) == 24   # two paragraphs in each of the twelve documents


def test_run_labelled_in_gbk_with_a_bad_label_names_file_and_row(corpus_dir, tmp_path,
                                                                   capsys, cache):
    lab = tmp_path / "labelled.csv"
    lab.write_bytes(f"text,leadership\n{TEXTS[0]},组织引领\n{TEXTS[1]},政治领导\n"
                    .encode("gb18030"))
    cfg = _config(tmp_path, '[coding]\nenabled = true\nlabelled = "labelled.csv"\n'
                  'dimensions = ["leadership"]')
    line = _err(capsys, "run", cfg, "--out", tmp_path / "run", "--quiet", "--no-progress")
    assert "labelled.csv row 3, column leadership" in line and "政治领导" in line


def test_run_human_sheet_of_one_dimension_while_coding_two(corpus_dir, tmp_path, capsys,
                                                            cache):
    # The sheet codes leadership only; the run codes leadership and results.
    sheet = tmp_path / "coded.csv"
    sheet.write_text("unit_id,leadership\n" + "".join(
        f"d{i:02d}.p0001,{'组织引领' if i % 3 == 0 else '无'}\n" for i in range(12)),
        encoding="utf-8")
    cfg = _config(tmp_path, '[coding]\nenabled = true\nhuman_sheets = ["coded.csv"]\n'
                  'dimensions = ["leadership", "results"]\n[structure]\nunit = "paragraphs"')
    out = tmp_path / "run"
    code = main(["run", str(cfg), "--out", str(out), "--quiet", "--no-progress"])
    cap = capsys.readouterr()
    assert code == 0, cap.err
    rel = pd.read_csv(out / "tables" / "reliability.csv")
    assert set(rel["dimension"]) == {"leadership"}


# ---------------------------------------------------------------------------------------
# the real command: stderr, exit status, no traceback


@pytest.mark.parametrize("args", [
    ["code", "{t}/ok.csv", "-o", "{t}"],
    ["segment", "{t}/ok.txt", "-o", "{t}"],
    ["topics", "{t}", "-o", "{t}/ok.txt", "--overwrite"],
    ["corpus", "{t}/ok.csv", "--text-column", "正文"],
])
def test_subprocess_errors_are_one_line_on_stderr(texts, args):
    p = subprocess.run([sys.executable, "-m", "quanyu_nlp.cli",
                        *[a.format(t=texts) for a in args]], capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stdout == ""
    err = p.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("quanyu: error:"), p.stderr
    assert (texts / "ok.csv").read_text(encoding="utf-8").startswith("id,text,region\n")


def test_run_folder_inside_the_corpus_is_refused(corpus_dir, tmp_path, capsys, cache):
    # A config kept in the corpus folder: its default runs/ folder would be read as
    # documents by the next run.
    cfg = corpus_dir / "exp.toml"
    cfg.write_text(_config(tmp_path).read_text(encoding="utf-8").replace(
        'path = "corpus"', 'path = "."'), encoding="utf-8")
    line = _err(capsys, "run", cfg, "--quiet", "--no-progress")
    assert "inside the corpus folder" in line and "--out" in line
    assert not (corpus_dir / "runs").exists()


def test_run_notes_are_one_line_each_on_stderr(corpus_dir, tmp_path):
    with open(corpus_dir / "manifest.csv", "a", encoding="utf-8") as fh:
        fh.write("d99.txt,2020,甲\n")   # a row for a file that is not there
    cfg = _config(tmp_path)
    p = subprocess.run([sys.executable, "-m", "quanyu_nlp.cli", "run", str(cfg), "--out",
                        str(tmp_path / "run"), "--quiet", "--no-progress"],
                       capture_output=True, text=True,
                       env={**os.environ, "QUANYU_CACHE_DIR": str(tmp_path)})
    assert p.returncode == 0, p.stderr
    notes = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert notes == [f"quanyu: note: {corpus_dir / 'manifest.csv'}: 1 manifest row(s) match "
                     "no file, e.g. 'd99.txt'"]


def test_variable_of_a_corpus_without_manifest_says_how_to_add_one(corpus_dir, tmp_path,
                                                                   capsys, cache):
    (corpus_dir / "manifest.csv").unlink()
    cfg = _config(tmp_path, '[explore]\ngroup_by = "region"')
    line = _err(capsys, "run", cfg, "--out", tmp_path / "run", "--quiet", "--no-progress")
    assert "exp.toml line" in line and "add a manifest.csv" in line


def _swallowing_step(ctx):
    """What tomotopy's training loop does with Ctrl-C: take it and carry on."""
    import signal

    try:
        signal.raise_signal(signal.SIGINT)
    except KeyboardInterrupt:
        pass
    return {"tables": {}}


def test_ctrl_c_swallowed_by_a_library_still_stops_the_run(corpus_dir, tmp_path, capsys,
                                                          cache, monkeypatch):
    from quanyu_nlp import experiment

    steps = [(n, _swallowing_step if n == "topics" else f, s, u)
             for n, f, s, u in experiment.STEPS]
    monkeypatch.setattr(experiment, "STEPS", steps)
    out = tmp_path / "run"
    assert main(["run", str(_config(tmp_path)), "--out", str(out), "--quiet",
                 "--no-progress"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists()
    _no_leftovers(tmp_path)
    # the interrupted step was not cached as if it had finished
    assert not list((tmp_path / "cache").rglob("topics-*.pkl"))


def test_ctrl_c_swallowed_while_fitting_topics_writes_nothing(corpus_dir, tmp_path, capsys,
                                                              monkeypatch):
    from quanyu_nlp.cli import topics

    segment = topics._segment

    def segment_and_swallow(corpus):
        _swallowing_step(None)
        return segment(corpus)

    monkeypatch.setattr(topics, "_segment", segment_and_swallow)
    out = tmp_path / "out"
    assert main(["topics", str(corpus_dir), "--k", "2", "--iterations", "5",
                 "-o", str(out)]) == 130
    assert not out.exists()
    _no_leftovers(tmp_path)


def test_documents_in_formats_not_read_are_named_not_dropped(corpus_dir, tmp_path, capsys):
    (corpus_dir / "会议纪要.doc").write_bytes(b"\xd0\xcf\x11\xe0old word")
    assert main(["corpus", str(corpus_dir)]) == 0
    err = capsys.readouterr().err
    assert "skipped 1 .doc file(s) (save as .docx in Word/WPS)" in err
    only = tmp_path / "only"
    only.mkdir()
    (only / "a.wps").write_bytes(b"\xd0\xcf\x11\xe0")
    line = _err(capsys, "corpus", only)
    assert "no supported files" in line and ".wps" in line


@pytest.mark.parametrize("line, hint", [
    ('path = "D:\\语料\\党建"', "a Windows path needs /"),
    ("path = corpus", "text values need quotes"),
    ("path = \u201ccorpus\u201d", "curly quotes"),
    ('kwic = ["党建"\uff0c"组织"]', "full-width \uff0c"),
    ("seed = \uff14", "full-width \uff14"),
    ("lines = True", "lower case"),
    ("seed = 1,", "remove a trailing comma"),
    ('name = "a"\nname = "b"', "given twice"),
])
def test_toml_syntax_errors_say_what_to_type(tmp_path, capsys, line, hint):
    cfg = tmp_path / "exp.toml"
    section = "[corpus]" if line.startswith(("path", "kwic", "lines")) else "[experiment]"
    if line.startswith("kwic"):
        section = '[corpus]\npath = "."\n[explore]'
    cfg.write_text(f"{section}\n{line}\n", encoding="utf-8")
    err = _err(capsys, "run", cfg)
    assert "exp.toml line " in err and "TOML syntax error" in err and hint in err, err


def test_title_row_above_the_header_is_named(tmp_path, capsys):
    src = tmp_path / "汇总.csv"
    src.write_text(f"2023年党建案例汇总,,\nid,text,region\n1,{TEXTS[0]},甲\n", encoding="utf-8")
    line = _err(capsys, "code", src, "-o", tmp_path / "out.csv")
    assert "looks like a title" in line and "delete the rows above the header" in line


def test_empty_first_worksheet_is_passed_over(tmp_path, capsys):
    src = tmp_path / "book.xlsx"
    with pd.ExcelWriter(src) as w:
        pd.DataFrame().to_excel(w, sheet_name="说明", index=False)
        pd.DataFrame({"text": TEXTS}).to_excel(w, sheet_name="数据", index=False)
    out = tmp_path / "out.csv"
    assert main(["code", str(src), "-o", str(out)]) == 0
    assert _coded(out)["text"].tolist() == TEXTS


def test_segment_given_a_workbook_says_what_to_do(tmp_path, capsys):
    src = tmp_path / "texts.xlsx"
    pd.DataFrame({"text": TEXTS}).to_excel(src, index=False)
    line = _err(capsys, "segment", src)
    assert "texts.xlsx is a Word, Excel or PDF file" in line and "save it as .txt" in line


@pytest.mark.parametrize("cmd", ["code", "segment", "topics", "run"])
def test_a_file_where_the_output_folder_should_be(texts, corpus_dir, tmp_path, capsys,
                                                  cache, cmd):
    blocker = tmp_path / "results"
    blocker.write_text("旧结果", encoding="utf-8")
    target = blocker / "sub" / ("out" if cmd in ("topics", "run") else "out.csv")
    args = {"code": ["code", texts / "ok.csv", "-o", target],
            "segment": ["segment", texts / "ok.txt", "-o", target],
            "topics": ["topics", corpus_dir, "--k", 2, "-o", target],
            "run": ["run", _config(tmp_path), "--out", target, "--quiet"]}[cmd]
    line = _err(capsys, *args)
    assert f"{blocker} is a file, not a folder" in line or \
        f"{blocker.name} is a file, not a folder" in line, line
    assert blocker.read_text(encoding="utf-8") == "旧结果"


def test_resume_sees_files_that_changed(corpus_dir, tmp_path, capsys, cache):
    cfg = _config(tmp_path, '[segment]\nstopwords = ["zh", "extra.txt"]')
    extra = tmp_path / "extra.txt"
    extra.write_text("成效\n", encoding="utf-8")
    runs = [tmp_path / f"run{i}" for i in range(4)]

    def run(i):
        assert main(["run", str(cfg), "--out", str(runs[i]), "--resume",
                     "--no-progress"]) == 0
        return capsys.readouterr().out

    run(0)
    assert "[corpus] reused" in run(1)                  # nothing changed: reused
    (corpus_dir / "d99.txt").write_text(_doc(5), encoding="utf-8")
    out = run(2)                                        # a text added to the corpus
    assert "[corpus] done" in out
    assert len(pd.read_csv(runs[2] / "tables" / "documents.csv")) == 13
    extra.write_text("成效\n党建联合体\n", encoding="utf-8")
    out = run(3)                                        # the stopword file corrected
    assert "[corpus] reused" in out and "[segment] done" in out
    freq = pd.read_csv(runs[3] / "tables" / "frequency.csv", keep_default_na=False)
    assert "党建联合体" not in set(freq["feature"])


def test_run_piped_into_head_is_no_traceback(corpus_dir, tmp_path):
    cfg = _config(tmp_path)
    out = tmp_path / "run"
    py = sys.executable
    p = subprocess.run(f'"{py}" -m quanyu_nlp.cli run "{cfg}" --out "{out}" --no-progress '
                       "| head -1", shell=True, capture_output=True, text=True,
                       env={**os.environ, "QUANYU_CACHE_DIR": str(tmp_path / "cache")})
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr
    assert (out / "manifest.json").is_file()


def test_training_file_with_another_text_column_name(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(f"编号,正文\n1,{TEXTS[0]}\n", encoding="utf-8")
    train = tmp_path / "train.csv"
    train.write_text(f"text,leadership\n{TEXTS[1]},政治引领\n", encoding="utf-8")
    line = _err(capsys, "code", src, "--text-column", "正文", "--train", train, "-o",
                tmp_path / "out.csv")
    assert "train.csv" in line and "rename its text column to '正文'" in line


@pytest.mark.parametrize("cmd", ["code", "topics"])
@pytest.mark.parametrize("seed", [-1, 2 ** 32])
def test_seed_out_of_range_is_named_by_its_flag(texts, tmp_path, capsys, cmd, seed):
    src = texts / ("ok.csv" if cmd == "code" else "ok.txt")
    line = _err(capsys, cmd, src, "--seed", seed, "-o", tmp_path / "out")
    assert f"--seed {seed} is not a seed" in line


def test_manifest_path_written_relative_to_the_corpus(corpus_dir, tmp_path, capsys, cache):
    cfg = _config(tmp_path, '[corpus]\nmanifest = "manifest.csv"')
    line = _err(capsys, "run", cfg, "--out", tmp_path / "run", "--quiet")
    assert "relative to the config file; did you mean 'corpus/manifest.csv'?" in line


def test_manifest_file_names_as_windows_and_people_write_them(corpus_dir, capsys):
    sub = corpus_dir / "县级"
    sub.mkdir()
    (corpus_dir / "d00.txt").rename(sub / "d00.txt")
    man = corpus_dir / "manifest.csv"
    text = man.read_text(encoding="utf-8")
    text = (text.replace("d00.txt,", "县级\\d00.txt,").replace("d01.txt,", "./d01.txt,")
            .replace("d02.txt,", "d02,"))
    man.write_text(text, encoding="utf-8")
    assert main(["corpus", str(corpus_dir), "--json"]) == 0
    cap = capsys.readouterr()
    assert "(missing)" not in json.loads(cap.out)["variables"]["year"], cap.err
    man.write_text(text + "./d03.txt,2020,甲\n", encoding="utf-8")
    line = _err(capsys, "corpus", corpus_dir)
    assert "manifest.csv line 14: file 'd03.txt' has a row already" in line


def test_a_trailing_empty_column_is_not_taken_for_a_title_row(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_text(f"编号,内容文本,\n1,{TEXTS[0]},\n", encoding="utf-8")
    line = _err(capsys, "code", src, "-o", tmp_path / "out.csv")
    assert "looks like a title" not in line and "--text-column" in line


# ---------------------------------------------------------------------------------------
# a folder given where a file is written: the example name fits what is written


def _to_markdown(folder):
    from quanyu_nlp.frameworks import framework_to_markdown
    framework_to_markdown("quanyu", folder)


def _html(folder):
    from quanyu_nlp._io import atomic_write
    atomic_write(folder, "<!DOCTYPE html><html><p>报告</p></html>")


def _latex(folder):
    from quanyu_nlp._io import atomic_write
    atomic_write(folder, "\\begin{table}党建\\end{table}\n")


def _told(folder):
    from quanyu_nlp._io import atomic_write
    atomic_write(folder, "组织力\n", suffix=".txt")


def _table(folder):
    from quanyu_nlp._io import write_table
    write_table(pd.DataFrame({"词": ["党建"]}), folder)


@pytest.mark.parametrize("write,example", [
    (_to_markdown, "out.md"), (_html, "out.html"), (_latex, "out.tex"), (_told, "out.txt"),
    (_table, "out.csv"),
])
def test_folder_as_output_suggests_a_name_of_the_right_kind(tmp_path, write, example):
    from quanyu_nlp.errors import OutputError

    with pytest.raises(OutputError) as err:
        write(tmp_path)
    msg = str(err.value)
    assert "is a folder" in msg and "\n" not in msg
    assert f"e.g. {tmp_path / example}" in msg, msg
    assert list(tmp_path.iterdir()) == []


def test_folder_as_output_without_a_known_kind_names_no_suffix(tmp_path):
    from quanyu_nlp._io import atomic_output
    from quanyu_nlp.errors import OutputError

    with pytest.raises(OutputError, match="is a folder; give the name of the file") as err:
        with atomic_output(tmp_path):
            pass
    assert "out.csv" not in str(err.value)


def test_segment_output_folder_suggests_a_txt(texts, capsys):
    line = _err(capsys, "segment", texts / "ok.csv", "-o", texts)
    assert f"e.g. {texts / 'out.txt'}" in line, line
