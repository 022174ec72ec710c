"""The main job: `quanyu run experiments/demo.toml`, deterministic, atomic, resumable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
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
    # tables open in Excel as UTF-8 (a BOM) and read back the same in pandas
    raw = (a.path / "tables" / "codings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(a.path / "tables" / "codings.csv")
    assert list(back.columns) == [str(c) for c in a.tables["codings"].columns]
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


def test_stopword_file_may_hold_any_word_and_nmf_k_is_chosen_with_nmf(tmp_path):
    # a user's stopword file is read as words, even one that spells a list name ("zh")
    (tmp_path / "stop.txt").write_text("zh\n党员\n社区\n", encoding="utf-8")
    cfg = _cfg(tmp_path, '[segment]\nstopwords = ["zh", "stop.txt"]\n'
                         '[topics]\nmodel = "nmf"\nk = [2, 3]\nselect_seeds = [1, 2]\n'
                         '[coding]\nenabled = false\n[figures]\nenabled = false\n')
    res = run(cfg, out=tmp_path / "out", quiet=True, progress=False)
    terms = set(res.tables["topics"]["term"])
    assert terms and not terms & {"党员", "社区", "的"}
    # K is chosen with the model then fitted, and the methods paragraph says so
    page = res.report.read_text(encoding="utf-8")
    assert "K was chosen from 2, 3 with NMF fits" in page and "（以 NMF 模型比较）" in page


def test_resume_recomputes_steps_made_by_other_code(tmp_path, monkeypatch):
    import quanyu_nlp.experiment as ex

    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))
    cfg = _cfg(tmp_path, '[topics]\nenabled = false\n[coding]\nenabled = false\n'
                         '[figures]\nenabled = false\n[report]\nenabled = false\n')
    first = run(cfg, out=tmp_path / "a", quiet=True, progress=False)
    assert first.manifest["quanyu_code_fingerprint"] == ex.code_fingerprint()
    same = run(cfg, out=tmp_path / "b", quiet=True, progress=False, resume=True)
    assert "[segment] reused" in (same.path / "log.txt").read_text(encoding="utf-8")
    # the same version number, other files (a patched install or an edited checkout)
    monkeypatch.setattr(ex, "code_fingerprint", lambda: "0123456789abcdef")
    other = run(cfg, out=tmp_path / "c", quiet=True, progress=False, resume=True)
    log = (other.path / "log.txt").read_text(encoding="utf-8")
    assert "reused" not in log and "[segment] done" in log


def test_dask_cluster_gives_the_same_tables_and_is_not_part_of_the_cache_key(
        tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("QUANYU_CACHE_DIR", str(tmp_path / "cache"))
    body = ('[topics]\nk = 2\niterations = 20\n[coding]\nenabled = false\n'
            '[figures]\nenabled = false\n[report]\nenabled = false\n')
    here = run(_cfg(tmp_path, body), out=tmp_path / "here", quiet=True, progress=False)
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        cfg = _cfg(tmp_path, '[experiment]\nparallel = "dask"\nn_jobs = 2\n'
                             f'scheduler = "{cluster.scheduler_address}"\n' + body)
        there = run(cfg, out=tmp_path / "there", quiet=True, progress=False)
        log = (there.path / "log.txt").read_text(encoding="utf-8")
        assert "[parallel] Dask scheduler" in log and "[segment] done" in log
        assert there.manifest["execution"]["parallel"] == "dask"
        for p in (here.path / "tables").glob("*.csv"):
            assert (there.path / "tables" / p.name).read_bytes() == p.read_bytes(), p.name
        # how a run is executed does not change what it computes: the steps are reused
        again = run(cfg, out=tmp_path / "again", quiet=True, progress=False, resume=True)
    assert "[segment] reused" in (again.path / "log.txt").read_text(encoding="utf-8")


def test_unreachable_dask_scheduler_is_one_line_at_its_config_line(tmp_path, monkeypatch):
    import quanyu_nlp.experiment as ex

    monkeypatch.setattr(ex, "_DASK_CONNECT_TIMEOUT", "1s")
    cfg = _cfg(tmp_path, '[experiment]\nparallel = "dask"\nscheduler = "tcp://127.0.0.1:1"\n')
    with pytest.raises(QuanyuError, match=r"exp.toml line \d+: cannot reach the Dask "
                                          r"scheduler at tcp://127.0.0.1:1") as err:
        run(cfg, out=tmp_path / "out", quiet=True, progress=False)
    assert "\n" not in str(err.value) and not (tmp_path / "out").exists()


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


# -- a small run that draws every figure: labels, widths, manifest ------------------------

_DOC_TEXTS = {
    "农村": ["村党支部牵头成立合作社，党员带头发展特色产业，带动群众增收。",
             "乡镇党委选派第一书记驻村，村党组织书记领办集体经济项目。"],
    "城市": ["社区党委组建党建联合体，网格党支部延伸到小区楼栋，解决群众急难愁盼。",
             "街道党工委统筹辖区单位，机关党员到社区报到，参与社区治理。"],
}


def _labelled_run_config(tmp_path, preset="double"):
    """Twelve short documents with field and year, coded, keyness on field = 农村."""
    docs = tmp_path / "docs"
    docs.mkdir()
    rows = ["file,field,year"]
    for i in range(12):
        field = "农村" if i % 2 == 0 else "城市"
        a, b = _DOC_TEXTS[field]
        text = (f"第{i}篇。{a}{b}组织开展理论学习，学习贯彻新思想。\n\n{b}{a}"
                "基层党组织的组织力明显提升，群众的获得感、幸福感不断增强。")
        (docs / f"d{i:02d}.txt").write_text(text, encoding="utf-8")
        rows.append(f"d{i:02d}.txt,{field},{2020 + i % 3}")
    (docs / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    # A hand-coded sheet of the first document's sentences (d00.s0001 "第0篇。" …),
    # so the reliability figure is drawn too.
    sheet = ["unit_id,leadership"] + [f"d00.s{j:04d},{lab}" for j, lab in enumerate(
        ["无", "组织引领", "组织引领", "政治引领", "组织引领", "组织引领"], start=1)]
    (tmp_path / "coded.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    cfg = tmp_path / "exp.toml"
    cfg.write_text(
        '[experiment]\nname = "labels"\n[corpus]\npath = "docs"\n'
        '[explore]\nkeyness_by = "field"\nkeyness_target = "农村"\ntop_n = 10\n'
        '[topics]\nk = [2, 3]\nselect_seeds = [1, 2]\niterations = 20\n'
        'effects = "~ field"\neffects_method = "delta"\n'
        '[coding]\ndimensions = ["leadership", "results"]\nhuman_sheets = ["coded.csv"]\n'
        '[evidence]\nby = ["field", "year"]\n'
        f'[figures]\npreset = "{preset}"\n', encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def labelled_run(tmp_path_factory):
    import matplotlib
    matplotlib.use("Agg")
    tmp = tmp_path_factory.mktemp("labelled")
    old = os.environ.get("QUANYU_CACHE_DIR")
    os.environ["QUANYU_CACHE_DIR"] = str(tmp / "cache")
    try:
        return run(_labelled_run_config(tmp), out=tmp / "run", quiet=True, progress=False)
    finally:
        if old is None:
            os.environ.pop("QUANYU_CACHE_DIR", None)
        else:
            os.environ["QUANYU_CACHE_DIR"] = old


def _pdf_width_cm(path: Path) -> float:
    from pypdf import PdfReader

    box = PdfReader(path).pages[0].mediabox
    return float(box.width) / 72 * 2.54


def test_every_figure_takes_the_configured_preset(labelled_run):
    # preset = "double" is 17.5 cm; before, displays whose own default is "single"
    # (distribution, keyness, share over time, topic effects, word cloud) came out 8.5 cm
    widths = {name: _pdf_width_cm(p) for name, p in labelled_run.figures.items()}
    for name in ("framework_distribution", "keyness", "share_over_time_leadership",
                 "topic_effects", "wordcloud", "framework_by_field_leadership"):
        assert name in widths, sorted(widths)
    for name, w in widths.items():
        # (the word cloud's text boxes can stand past its canvas: only its lower bound)
        assert 16.0 < w and (name == "wordcloud" or w < 17.7), (name, w)


def _caption(run_, name: str) -> str:
    return (run_.path / "figures" / f"{name}.caption.txt").read_text(encoding="utf-8")


def test_figures_name_dimensions_and_keyness_sides_as_a_reader_knows_them(labelled_run):
    r = labelled_run
    for name in ("framework_by_field_leadership", "share_over_time_leadership"):
        cap = _caption(r, name)
        assert "五个引领" in cap and "leadership" not in cap.split("provenance")[0], cap
    assert "四个成效" in _caption(r, "share_over_time_results")
    # the legend of the distribution figure: its SVG keeps text as <text>
    svg = (r.path / "figures" / "framework_distribution.svg").read_text(encoding="utf-8")
    assert "五个引领" in svg and "四个成效" in svg and ">leadership<" not in svg
    cap = _caption(r, "keyness")
    assert "农村" in cap and "其他" in cap and "目标" not in cap, cap
    svg = (r.path / "figures" / "keyness.svg").read_text(encoding="utf-8")
    assert "农村" in svg and "目标" not in svg
    svg = (r.path / "figures" / "reliability.svg").read_text(encoding="utf-8")
    assert "五个引领" in svg and ">leadership<" not in svg


def test_manifest_for_the_report_says_how_each_number_was_made(labelled_run):
    m = json.loads((labelled_run.path / "manifest.json").read_text(encoding="utf-8"))
    assert m["framework"]["dimension_labels"]["leadership"] == "五个引领"
    page = labelled_run.report.read_text(encoding="utf-8")
    # dimension labels reach the report and its methods paragraph
    assert "五个引领" in page
    # topics: fit on documents (not the coding sentences), K chosen over seeds, delta
    methods = page[page.index("本研究使用"):]
    assert "主题模型的建模单元为 12 篇文档" in methods
    assert "fit on 12 documents" in methods
    assert "K 从候选值 2、3 中选定（以 LDA 模型比较）" in methods and "随机种子 1、2" in methods
    assert "HC1" in methods and "~ field" in methods
    # keyness says what it compares, in the table caption and the methods
    assert "field = 农村 的文档与其余全部文档" in page
    assert "documents with field = 农村 against all other documents" in methods


def test_figure_preset_is_the_configured_one_or_the_displays_wider_default():
    import pandas as pd

    from quanyu_nlp import viz
    from quanyu_nlp.experiment import _figure_preset

    keyness = viz.KeynessDisplay.from_keyness(pd.DataFrame({"feature": ["合作社"],
                                                            "G2": [3.0]}))
    terms = viz.TopicTermsDisplay.from_topic_terms(pd.DataFrame(
        {"topic": [0, 1], "rank": [1, 1], "term": ["网格", "堤坝"], "weight": [0.2, 0.1]}))
    assert _figure_preset(keyness, "double") == "double"      # was its own "single"
    assert _figure_preset(keyness, "slide") == "slide"
    assert _figure_preset(keyness, "single") == "single"
    # a grid of topic panels (default "double") is not squeezed into one column
    assert _figure_preset(terms, "single") == "double"
    assert _figure_preset(terms, "slide") == "slide"
    assert _figure_preset(keyness, "single", least="double") == "double"
