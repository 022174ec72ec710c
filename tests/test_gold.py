"""Tests of the hand-coded gold set of the coding benchmark (benchmarks/gold.py).

The label file is checked on its own; the texts are checked against the shared corpora
when they are present (env QUANYU_CORPORA, else ../shared/corpora beside the repo).
Fixture texts below are our own sentences, never corpus text.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("quanyu_gold", REPO / "benchmarks" / "gold.py")
gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gold)


def _corpora_root() -> Path | None:
    env = os.environ.get("QUANYU_CORPORA")
    root = Path(env) if env else REPO.parent / "shared" / "corpora"
    return root if root.is_dir() else None


def _sha1(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- the label file itself


@pytest.fixture(scope="module")
def gold_df() -> pd.DataFrame:
    return gold.read_gold_csv()


def test_columns(gold_df):
    assert list(gold_df.columns[: len(gold.COLUMNS)]) == gold.COLUMNS


def test_at_least_200_rows(gold_df):
    assert len(gold_df) >= 200


def test_ids_unique_and_well_formed(gold_df):
    assert gold_df["id"].is_unique
    assert gold_df["id"].str.fullmatch(r"g\d{4}").all()


def test_labels_valid(gold_df):
    for dim, allowed in gold.LABELS.items():
        assert set(gold_df[dim]) <= set(allowed), dim
    assert set(gold_df["source"]) <= set(gold.SOURCES)


def test_spans_ordered_and_disjoint(gold_df):
    assert (gold_df["start"] >= 0).all()
    assert (gold_df["start"] < gold_df["end"]).all()
    for _, g in gold_df.sort_values(["path", "start"]).groupby("path"):
        # one sentence per span: spans in one file never overlap
        assert (g["start"].iloc[1:].to_numpy() >= g["end"].iloc[:-1].to_numpy()).all()


def test_paths_relative_posix(gold_df):
    assert not gold_df["path"].str.startswith("/").any()
    assert not gold_df["path"].str.contains("\\\\", regex=True).any()
    assert not gold_df["path"].str.contains(r"\.\.", regex=True).any()


def test_sha1_hex(gold_df):
    assert gold_df["sha1"].str.fullmatch(r"[0-9a-f]{40}").all()


def test_notes_hold_no_corpus_text(gold_df):
    # Notes are a few English words; Chinese there could only be copied text.
    allowed = set("".join(l for ls in gold.LABELS.values() for l in ls))
    for note in gold_df["note"]:
        han = {c for c in note if "\u4e00" <= c <= "\u9fff"}
        assert han <= allowed, note


def test_every_category_present(gold_df):
    for dim, allowed in gold.LABELS.items():
        assert set(gold_df[dim]) == set(allowed), dim


def test_recode_file_if_present(gold_df):
    if not gold.RECODE_CSV.exists():
        pytest.skip("no recode file yet (benchmarks/data/coding_gold_recode.csv)")
    rec = pd.read_csv(gold.RECODE_CSV, dtype=str, keep_default_na=False)
    assert list(rec.columns) == ["id", "leadership", "results"]
    assert rec["id"].is_unique and set(rec["id"]) <= set(gold_df["id"])
    for dim, allowed in gold.LABELS.items():
        assert set(rec[dim]) <= set(allowed)


def test_second_coder_file(gold_df):
    # labels only (no text, no notes), ids from both batches, and its agreement is the
    # one the README reports (a change to either label file shows up here)
    rec = pd.read_csv(gold.CODER2_CSV, dtype=str, keep_default_na=False)
    assert list(rec.columns) == ["id", "leadership", "results"]
    assert rec["id"].is_unique and set(rec["id"]) <= set(gold_df["id"])
    assert (rec["id"] < "g0416").sum() == 150 and (rec["id"] >= "g0416").sum() == 70
    for dim, allowed in gold.LABELS.items():
        assert set(rec[dim]) <= set(allowed)
    agree = gold.recode_agreement(gold_df, gold.CODER2_CSV)
    assert agree.loc["leadership", "n"] == 220
    assert round(agree.loc["leadership", "kappa"], 3) == 0.932
    assert round(agree.loc["results", "kappa"], 3) == 0.859


# ---------------------------------------------------------------- against the corpora


def test_load_gold_against_shared_corpora():
    root = _corpora_root()
    if root is None:
        pytest.skip("shared corpora not found: set QUANYU_CORPORA or put ../shared/corpora beside the repo")
    df = gold.load_gold(root)
    assert len(df) >= 200
    assert (df["text"].str.len() == df["end"] - df["start"]).all()
    assert [_sha1(t) for t in df["text"]] == list(df["sha1"])
    # clean sentences: no markup, no line breaks, no surrounding whitespace
    assert not df["text"].str.contains(r"[<>\n\r]", regex=True).any()
    assert (df["text"] == df["text"].str.strip()).all()


# ---------------------------------------------------------------- loader on our fixtures


def _write_fixture(tmp_path: Path, text: str, spans: list[tuple[int, int]], newline: str = "\n"):
    root = tmp_path / "corpora"
    (root / "demo").mkdir(parents=True)
    (root / "demo" / "a.txt").write_bytes(text.encode("utf-8"))
    rows = []
    for i, (s, e) in enumerate(spans, 1):
        rows.append(dict(id=f"g{i:04d}", path="demo/a.txt", start=s, end=e, sha1=_sha1(text[s:e]),
                         source="grassroots", leadership="无", results="无", note=""))
    csv = tmp_path / "gold.csv"
    pd.DataFrame(rows, columns=gold.COLUMNS).to_csv(csv, index=False)
    return root, csv


def test_load_gold_fixture_keeps_crlf_offsets(tmp_path):
    text = "支部开展学习。\r\n党员带头服务群众！\r\n天气晴。"
    s2 = text.index("党员")
    spans = [(0, 7), (s2, s2 + 9), (text.index("天气"), len(text))]
    root, csv = _write_fixture(tmp_path, text, spans)
    df = gold.load_gold(root, csv)
    assert df["text"].tolist() == ["支部开展学习。", "党员带头服务群众！", "天气晴。"]


def test_load_gold_context_stays_in_its_section_and_drops_markup(tmp_path):
    # illustrative text written for this test: two news items under Markdown headings
    text = ("### 甲村建起党群服务站\n\n<p>支部开展学习。</p><p>党员带头服务群众！</p>"
            "<p>**群众**很满意。</p>\n\n[查看原文](https://example.org/1)\n\n"
            "### 乙地天气\n\n<p>天气晴。</p>")
    s2 = text.index("党员")
    s3 = text.index("天气晴")
    root, csv = _write_fixture(tmp_path, text, [(s2, s2 + 9), (s3, s3 + 4)])
    df = gold.load_gold(root, csv, context=True)
    assert df["text"].tolist() == ["党员带头服务群众！", "天气晴。"]
    assert df["prev_text"].tolist() == ["支部开展学习。", ""]      # not the other item
    assert df["next_text"].tolist() == ["群众很满意。", ""]        # markup dropped
    assert "prev_text" not in gold.load_gold(root, csv).columns


def test_load_gold_sha1_mismatch_names_id_and_path(tmp_path):
    text = "支部开展学习。党员带头服务群众。"
    root, csv = _write_fixture(tmp_path, text, [(0, 7), (7, len(text))])
    (root / "demo" / "a.txt").write_text("支部开展学习。党员带头服务居民。", encoding="utf-8")
    with pytest.raises(gold.GoldError, match=r"g0002.*demo/a\.txt.*differs"):
        gold.load_gold(root, csv)


def test_load_gold_missing_file_and_short_file(tmp_path):
    text = "支部开展学习。"
    root, csv = _write_fixture(tmp_path, text, [(0, 7)])
    (root / "demo" / "a.txt").write_text("支部", encoding="utf-8")
    with pytest.raises(gold.GoldError, match="g0001.*runs past the end"):
        gold.load_gold(root, csv)
    (root / "demo" / "a.txt").unlink()
    with pytest.raises(gold.GoldError, match="g0001.*not found"):
        gold.load_gold(root, csv)


def test_read_gold_csv_rejects_bad_label_and_duplicate_id(tmp_path):
    root, csv = _write_fixture(tmp_path, "支部开展学习。党员服务。", [(0, 7), (7, 12)])
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[1, "leadership"] = "思想引领"
    df.to_csv(csv, index=False)
    with pytest.raises(gold.GoldError, match="g0002.*leadership"):
        gold.read_gold_csv(csv)
    df.loc[1, "leadership"] = "无"
    df.loc[1, "id"] = "g0001"
    df.to_csv(csv, index=False)
    with pytest.raises(gold.GoldError, match="duplicate id"):
        gold.read_gold_csv(csv)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(alphabet="党员支部学习服务群众。！\r\n ab", min_size=1, max_size=12), min_size=1, max_size=6),
)
def test_load_gold_returns_exact_slices(tmp_path_factory, pieces):
    # Property: whatever the text (CR, LF, CRLF, spaces), the loader returns exactly
    # file_text[start:end] for each stored span.
    tmp = tmp_path_factory.mktemp("g")
    text = "".join(pieces)
    spans, pos = [], 0
    for p in pieces:
        spans.append((pos, pos + len(p)))
        pos += len(p)
    root, csv = _write_fixture(tmp, text, spans)
    df = gold.load_gold(root, csv)
    assert df["text"].tolist() == pieces


def test_label_distribution_totals(gold_df):
    tables = gold.label_distribution(gold_df)
    for dim, t in tables.items():
        assert t.loc["total", "total"] == len(gold_df)
        assert list(t.index[:-1]) == list(gold.LABELS[dim])


def test_recode_agreement_on_fixture(tmp_path):
    g = pd.DataFrame({"id": ["g0001", "g0002", "g0003", "g0004"],
                      "leadership": ["政治引领", "无", "行动引领", "无"],
                      "results": ["火车头", "无", "无", "无"]})
    rec = tmp_path / "rec.csv"
    pd.DataFrame({"id": ["g0004", "g0001", "g0003"], "leadership": ["无", "政治引领", "队伍引领"],
                  "results": ["无", "火车头", "无"]}).to_csv(rec, index=False)
    out = gold.recode_agreement(g, rec)
    assert out.loc["results", "agreement"] == 1.0 and out.loc["results", "kappa"] == 1.0
    assert out.loc["leadership", "agreement"] == pytest.approx(2 / 3)
    assert (out["n"] == 3).all()


def test_recode_agreement_unknown_id(tmp_path):
    g = pd.DataFrame({"id": ["g0001"], "leadership": ["无"], "results": ["无"]})
    rec = tmp_path / "rec.csv"
    pd.DataFrame({"id": ["g0999"], "leadership": ["无"], "results": ["无"]}).to_csv(rec, index=False)
    with pytest.raises(gold.GoldError, match="g0999"):
        gold.recode_agreement(g, rec)


def test_stored_paths_carry_no_corpus_titles(gold_df):
    """File names that are article titles are stored as a hash of the name."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import gold
    for p in gold_df["path"]:
        name = p.rpartition("/")[2]
        assert name.isascii(), p
    assert gold.stored_path("a/b/标题.md") == "a/b/" + gold.name_key("标题.md")
    assert gold.stored_path("a/19th.txt") == "a/19th.txt"
