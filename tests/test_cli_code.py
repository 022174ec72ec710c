"""Tests of ``quanyu code`` and ``quanyu reliability``."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from quanyu_nlp.cli import main

LEAD = {"政治引领", "组织引领", "机制引领", "行动引领", "队伍引领", "无"}


def _write(path, rows, header):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def units(tmp_path):
    return _write(tmp_path / "units.csv",
                  [["u1", "社区党委组建党建联合体，把新就业群体纳入组织覆盖。", "甲"],
                   ["u2", "今天多云转晴，最高气温二十六度。", "乙"],
                   ["u3", "镇党委组织党员深入学习贯彻新思想。健全议事协商机制。", "甲"]],
                  ["id", "text", "region"])


def test_code_adds_label_and_score_columns(units, tmp_path, capsys):
    out = tmp_path / "coded.csv"
    assert main(["code", str(units), "--framework", "quanyu", "-o", str(out)]) == 0
    df = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert list(df.columns[:3]) == ["id", "text", "region"]
    assert {"leadership", "leadership_score"} <= set(df.columns)
    assert len(df) == 3
    assert set(df["leadership"]) <= LEAD
    assert df["leadership"].tolist()[:2] == ["组织引领", "无"]
    assert df["leadership_score"].astype(float).between(0, 1).all()
    assert "3 rows" in capsys.readouterr().out


def test_code_by_sentence(units, tmp_path):
    out = tmp_path / "coded.csv"
    assert main(["code", str(units), "--unit", "sentence", "-o", str(out)]) == 0
    df = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(df) == 4                       # u3 has two sentences
    assert df["id"].tolist() == ["u1", "u2", "u3", "u3"]
    for r in df.itertuples():
        assert r.text[int(r.sentence_start):int(r.sentence_end)] == r.sentence
    assert df["sentence_no"].tolist() == ["1", "1", "1", "2"]
    u3 = df[df["id"] == "u3"]["leadership"].tolist()
    assert u3 == ["政治引领", "机制引领"]


def test_code_with_training_file_of_some_dimensions(units, tmp_path):
    train = _write(tmp_path / "train.csv",
                   [["社区建成书香角。", "政治引领"], ["村里建成书香角。", "政治引领"],
                    ["街道建成书香角。", "政治引领"], ["今天天气晴朗。", "无"],
                    ["游客很多。", ""]], ["text", "leadership"])
    probe = _write(tmp_path / "probe.csv", [["社区新建成书香角。"]], ["text"])
    out = tmp_path / "o.csv"
    assert main(["code", str(probe), "--train", str(train), "-o", str(out)]) == 0
    assert pd.read_csv(out, encoding="utf-8-sig")["leadership"][0] == "政治引领"


def test_bad_training_label_is_one_line_naming_file_row_column(units, tmp_path, capsys):
    train = _write(tmp_path / "train.csv", [["社区成立联合党委。", "组织引领"],
                                            ["游客很多。", "组织"]], ["text", "leadership"])
    out = tmp_path / "o.csv"
    assert main(["code", str(units), "--train", str(train), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "train.csv row 3, column leadership" in err and "'组织'" in err
    assert not out.exists()


def test_unknown_text_column_is_a_clean_error(units, tmp_path, capsys):
    out = tmp_path / "o.csv"
    assert main(["code", str(units), "--text-column", "body", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'body'" in err and "id, text, region" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv"]


def test_missing_input_and_unknown_framework(tmp_path, units, capsys):
    assert main(["code", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.csv")]) == 2
    assert "none.csv" in capsys.readouterr().err
    assert main(["code", str(units), "--framework", "nosuch", "-o", str(tmp_path / "o.csv")]) == 2
    assert "nosuch" in capsys.readouterr().err


def test_reliability_command(tmp_path, capsys):
    ids = ["u1", "u2", "u3", "u4"]
    pd.DataFrame({"unit_id": ids, "leadership": ["组织引领", "无", "政治引领", "无"]}).to_csv(
        tmp_path / "a.csv", index=False)
    pd.DataFrame({"unit_id": ids, "leadership": ["组织引领", "无", "组织引领", "无"]}).to_csv(
        tmp_path / "b.csv", index=False)
    out = tmp_path / "rel.csv"
    assert main(["reliability", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"),
                 "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "leadership" in text and "cohen_kappa" in text and "krippendorff_alpha" in text
    rel = pd.read_csv(out)
    assert rel.loc[0, "percent_agreement"] == pytest.approx(0.75)


def test_reliability_bad_label(tmp_path, capsys):
    pd.DataFrame({"unit_id": ["u1"], "leadership": ["好"]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"unit_id": ["u1"], "leadership": ["无"]}).to_csv(tmp_path / "b.csv", index=False)
    assert main(["reliability", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err
    assert "a.csv row 2, column leadership" in err


def test_sentences_are_coded_with_their_neighbours_in_the_row(tmp_path):
    # One row is a passage on training cadres; the middle sentence is weak on its own.
    passage = ("镇党委选优配强村党组织书记，分批开展党员干部教育培训。这批党员进步很快。"
               "一批年轻干部在乡村振兴一线成长起来，党员队伍结构持续优化。")
    src = _write(tmp_path / "p.csv", [["p1", passage], ["p2", "这批党员进步很快。"]],
                 ["id", "text"])
    got = {}
    for w in ("0.2", "0"):
        out = tmp_path / f"coded{w}.csv"
        assert main(["code", str(src), "--unit", "sentence", "--context-weight", w,
                     "-o", str(out)]) == 0
        df = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        got[w] = df[df["sentence"] == "这批党员进步很快。"]["leadership"].tolist()
    assert got["0.2"][0] == "队伍引领"          # read within its passage
    assert got["0.2"][1] == got["0"][1] == got["0"][0] != "队伍引领"   # alone


def test_bad_context_weight_is_one_line(units, tmp_path, capsys):
    out = tmp_path / "coded.csv"
    assert main(["code", str(units), "--context-weight", "3", "-o", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert "--context-weight 3" in err and len(err.splitlines()) == 1
    assert not out.exists()
    assert main(["code", str(units), "--threshold", "1.5", "-o", str(out)]) != 0
    err = capsys.readouterr().err.strip()
    assert "--threshold 1.5" in err and len(err.splitlines()) == 1
