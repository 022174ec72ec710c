"""Tests of ``quanyu topics``: outputs, reproducibility, one-line errors, no partial output."""

from __future__ import annotations

import csv
import json

import pytest

from quanyu_nlp.cli import main
from test_topics import TEXTS


@pytest.fixture()
def docs(tmp_path):
    p = tmp_path / "docs.txt"
    p.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    return p


def _run(capsys, *args):
    code = main(["topics", *map(str, args)])
    return code, capsys.readouterr()


def test_writes_three_files(docs, tmp_path, capsys):
    out = tmp_path / "out"
    code, cap = _run(capsys, docs, "--k", 2, "--seed", 1, "--iterations", 100, "-o", out)
    assert code == 0, cap.err
    assert sorted(p.name for p in out.iterdir()) == ["doc_topics.csv", "model_info.json",
                                                     "topics.csv"]
    topics = list(csv.DictReader(open(out / "topics.csv", encoding="utf-8")))
    assert {"topic", "rank", "term", "weight"} <= set(topics[0])
    assert {r["topic"] for r in topics} == {"0", "1"}
    doc_topics = list(csv.DictReader(open(out / "doc_topics.csv", encoding="utf-8")))
    assert list(doc_topics[0]) == ["doc_id", "topic", "weight"] and len(doc_topics) == 40
    assert doc_topics[0]["doc_id"] == "docs-1"
    info = json.loads((out / "model_info.json").read_text(encoding="utf-8"))
    assert info["settings"]["k"] == 2 and info["settings"]["seed"] == 1
    assert info["model"]["preprocessing"]["min_len"] == 2
    assert info["model"]["preprocessing"]["tokens_shorter_than_min_len"] > 0
    assert info["corpus"]["documents"] == 20 and len(info["corpus"]["content_hash"]) == 64
    assert len(info["coherence"]["per_topic"]) == 2
    assert {"quanyu_nlp", "tomotopy", "gensim"} <= set(info["versions"])


def test_same_seed_gives_byte_identical_topics(docs, tmp_path, capsys):
    for name in ("a", "b"):
        code, cap = _run(capsys, docs, "--k", 3, "--seed", 7, "--iterations", 60,
                         "-o", tmp_path / name)
        assert code == 0, cap.err
    for f in ("topics.csv", "doc_topics.csv", "model_info.json"):
        a = (tmp_path / "a" / f).read_bytes()
        b = (tmp_path / "b" / f).read_bytes()
        if f == "model_info.json":   # the output path differs, nothing else
            a = a.replace(b'"a"', b'"b"').replace(b"/a\"", b"/b\"")
        assert a == b, f


@pytest.mark.parametrize("model", ["nmf", "seeded"])
def test_other_models(docs, tmp_path, capsys, model):
    out = tmp_path / model
    code, cap = _run(capsys, docs, "--k", 6, "--model", model, "--iterations", 60,
                     "-o", out)
    assert code == 0, cap.err
    topics = list(csv.DictReader(open(out / "topics.csv", encoding="utf-8")))
    labels = {r["label"] for r in topics}
    if model == "seeded":
        assert {"政治引领", "组织引领", "机制引领", "行动引领", "队伍引领"} <= labels
        info = json.loads((out / "model_info.json").read_text(encoding="utf-8"))
        assert info["model"]["framework"] == "quanyu"


def test_csv_input_with_text_column(tmp_path, capsys):
    p = tmp_path / "units.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "body"])
        for i, t in enumerate(TEXTS):
            w.writerow([f"r{i}", t])
    code, cap = _run(capsys, p, "--k", 2, "--text-column", "body", "--iterations", 50,
                     "-o", tmp_path / "out")
    assert code == 0, cap.err


def _assert_clean_error(code, cap, culprit, out):
    assert code == 2
    lines = [ln for ln in cap.err.splitlines() if ln.strip()]
    assert lines[-1].startswith("quanyu: error: ") and culprit in lines[-1]
    assert "Traceback" not in cap.err and len(lines) <= 2
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


def test_missing_input(tmp_path, capsys):
    out = tmp_path / "out"
    code, cap = _run(capsys, tmp_path / "missing.txt", "--k", 5, "-o", out)
    _assert_clean_error(code, cap, "missing.txt", out)


def test_empty_corpus(tmp_path, capsys):
    p = tmp_path / "empty.txt"
    p.write_text("\n \n", encoding="utf-8")
    out = tmp_path / "out"
    code, cap = _run(capsys, p, "--k", 5, "-o", out)
    _assert_clean_error(code, cap, "empty.txt", out)


@pytest.mark.parametrize("k, culprit", [(1, "--k 1"), (0, "--k 0"),
                                         (25, "--k 25 is more topics than the")])
def test_bad_k(docs, tmp_path, capsys, k, culprit):
    out = tmp_path / "out"
    code, cap = _run(capsys, docs, "--k", k, "-o", out)
    _assert_clean_error(code, cap, culprit, out)


def test_seeded_k_smaller_than_the_categories(docs, tmp_path, capsys):
    out = tmp_path / "out"
    code, cap = _run(capsys, docs, "--k", 3, "--model", "seeded", "-o", out)
    _assert_clean_error(code, cap, "5 categories", out)


def test_existing_output_is_not_overwritten(docs, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    code, cap = _run(capsys, docs, "--k", 2, "-o", out)
    assert code == 2 and "already exists" in cap.err
    assert (out / "keep.txt").exists()


def test_unknown_text_column(tmp_path, capsys):
    p = tmp_path / "units.csv"
    p.write_text("id,text\n1,党员培训\n", encoding="utf-8")
    out = tmp_path / "out"
    code, cap = _run(capsys, p, "--k", 2, "--text-column", "body", "-o", out)
    _assert_clean_error(code, cap, "body", out)
