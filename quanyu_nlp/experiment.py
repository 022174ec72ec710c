"""Reproducible batch runs from one config file: ``quanyu run experiments/demo.toml``.

A run reads the corpus, normalises and structures it, segments, explores, fits topic
models, codes units against a framework, builds evidence tables, draws figures and
writes an HTML report — into one run folder that records how every number was made:

    <run>/config.resolved.toml   every option, defaults filled in
    <run>/manifest.json          versions, platform, git commit, hashes, seeds, step times
    <run>/tables/                CSV and Parquet
    <run>/figures/               figure bundles (PDF, SVG, PNG, CSV, caption)
    <run>/report.html            the self-contained report
    <run>/log.txt                what happened, step by step

The folder is built under a temporary name and renamed only when the run is complete,
so a failed run leaves nothing behind.  ``resume=True`` reuses the finished steps of the
latest earlier run of the same experiment whose inputs hash the same.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import pickle
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from . import __version__
from ._io import atomic_dir, atomic_write, ensure_writable_dir, interrupt_latch, stable_hash
from .config import Config, dump_toml, load_config
from .errors import ColumnError, ConfigError, OutputError, QuanyuError

__all__ = ["run", "Run", "STEPS"]


@dataclass
class Run:
    """The result of a run: where it went, and its tables and figures.

    Attributes
    ----------
    path : Path
        The run folder.
    manifest : dict
        What ``manifest.json`` holds.
    tables : dict of str to pandas.DataFrame
    figures : dict of str to Path
        Figure name → PDF path.
    """

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)

    @property
    def report(self) -> Path:
        return self.path / "report.html"

    def __repr__(self) -> str:
        return (f"<Run {self.path.name}: {len(self.tables)} tables, {len(self.figures)} "
                f"figures, report {self.report}>")

    def _repr_html_(self) -> str:
        import html
        rows = "".join(f"<li>{html.escape(k)} ({len(v)} rows)</li>" for k, v in self.tables.items())
        return (f"<p><b>Run</b> {html.escape(str(self.path))}</p><ul>{rows}</ul>"
                f"<p>Report: {html.escape(str(self.report))}</p>")


class _Context:
    """What steps share: the config, earlier steps' results, the log."""

    def __init__(self, cfg: Config, workdir: Path, log: Callable[[str], None]):
        self.cfg = cfg
        self.workdir = workdir
        self.log = log
        self.results: dict[str, dict[str, Any]] = {}
        self.tables: dict[str, pd.DataFrame] = {}
        self.figures: dict[str, Path] = {}
        self.hashes: dict[str, str] = {}
        self.provenance: dict[str, Any] = {}
        self.progress = False

    def __getitem__(self, step: str) -> dict[str, Any]:
        return self.results[step]


# ---------------------------------------------------------------------------------------
# steps: each returns {"tables": {...}, other objects}; tables are written by the runner


def _step_corpus(ctx: _Context) -> dict:
    from .corpus import corpus_normalize, read_corpus

    c = ctx.cfg["corpus"]
    corpus = read_corpus(ctx.cfg.resolve(c["path"]), text_column=c["text_column"] or None,
                         lines=c["lines"], encoding=c["encoding"] or None,
                         manifest=ctx.cfg.resolve(c["manifest"]) if c["manifest"] else None)
    n = ctx.cfg["normalize"]
    if n["enabled"]:
        corpus = corpus_normalize(corpus, fullwidth=n["fullwidth"], whitespace=n["whitespace"],
                                  t2s=n["t2s"], strip_chrome=n["strip_chrome"])
    summary = corpus.summary()
    rows = [{"variable": var, "value": val, "documents": cnt}
            for var, counts in summary["variables"].items() for val, cnt in counts.items()]
    docs = corpus.units.drop(columns=["text", "unit_id"])
    docs.insert(1, "characters", corpus.units["text"].str.len())
    return {"corpus": corpus,
            "tables": {"corpus_summary": pd.DataFrame(rows,
                                                      columns=["variable", "value", "documents"]),
                       "documents": docs}}


def _step_structure(ctx: _Context) -> dict:
    from .corpus import corpus_reshape

    s = ctx.cfg["structure"]
    corpus = ctx["corpus"]["corpus"]
    units = corpus_reshape(corpus, to=s["unit"], semicolons=s["semicolons"],
                           parts=tuple(s["parts"]) or None)
    paragraphs = corpus_reshape(corpus, to="paragraphs", parts=tuple(s["parts"]) or None)
    u = units.units
    parts = (corpus_reshape(corpus, to="paragraphs").units.groupby("part").size()
             .rename("paragraphs").reset_index())
    table = u.drop(columns=["text"]).assign(characters=u["text"].str.len())
    return {"units": units, "paragraphs": paragraphs,
            "tables": {"units": table, "parts": parts}}


def _step_segment(ctx: _Context) -> dict:
    from .segment import segment, tokens_remove

    kw, clean = _segment_settings(ctx)
    docs = ctx["corpus"]["corpus"]
    units = ctx["structure"]["units"]
    tok_units = segment(units, **kw)
    tok_docs = segment(docs, **kw)
    return {"tokens_units": tok_units, "tokens_docs": tok_docs,
            "clean_units": tokens_remove(tok_units, **clean),
            "clean_docs": tokens_remove(tok_docs, **clean),
            "segmenter": tok_units.meta.get("segmenter", {}), "tables": {}}


def _segment_settings(ctx: _Context) -> tuple[dict, dict]:
    """Keyword arguments of ``segment`` and ``tokens_remove`` from [segment]."""
    from .segment import load_stopwords
    from .segment.dictionary import stopword_list_names

    s = ctx.cfg["segment"]
    user_dict = str(ctx.cfg.resolve(s["user_dict"])) if s["user_dict"] else None
    # Each entry is a list name or a file; their union is the stopword set.  (A list of
    # strings given to tokens_remove is read as the stopwords themselves, so passing
    # ["zh", "party"] through would remove the words "zh" and "party" only.)
    stop: set[str] = set()
    for x in s["stopwords"]:
        stop |= load_stopwords(x if stopword_list_names(x) else ctx.cfg.resolve(x))
    kw = dict(backend=s["backend"], lexicon=s["lexicon"], user_dict=user_dict,
              n_jobs=ctx.cfg["experiment"]["n_jobs"], progress=ctx.progress,
              parallel_backend=ctx.cfg["experiment"]["parallel"])
    # a frozenset is always read as the words themselves, even a word such as "zh"
    return kw, dict(stopwords=frozenset(stop) or None, min_len=s["min_len"])


def _step_explore(ctx: _Context) -> dict:
    from .features import kwic, textstat_collocations, textstat_frequency, textstat_keyness

    e = ctx.cfg["explore"]
    toks = ctx["segment"]["clean_docs"]
    tables = {"frequency": textstat_frequency(toks, n=e["top_n"])}
    out: dict[str, Any] = {}
    dv = toks.docvars
    if e["group_by"]:
        _need_var(ctx, dv, "explore", "group_by", e["group_by"])
        tables["frequency_by_group"] = textstat_frequency(toks, n=e["top_n"], groups=e["group_by"])
    if e["keyness_by"]:
        _need_var(ctx, dv, "explore", "keyness_by", e["keyness_by"])
        target = e["keyness_target"]
        values = sorted(map(str, dv[e["keyness_by"]].dropna().unique()))
        if not target:
            target = values[0]
        elif target not in values:
            raise ConfigError(f"{ctx.cfg.where('explore', 'keyness_target')}: no documents have "
                              f"{e['keyness_by']} = {target!r}; values are: {', '.join(values)}")
        k = textstat_keyness(toks, target=(e["keyness_by"], target))
        tables["keyness"] = k.head(e["top_n"]).reset_index(drop=True)
        # The target actually compared (the first value when none was configured),
        # for the figure, the report and the methods paragraph.
        out["keyness"] = {"by": e["keyness_by"], "target": target}
    for i, word in enumerate(e["kwic"]):
        kw = kwic(ctx["segment"]["tokens_units"], word, window=e["window"])
        tables[f"kwic_{i + 1}"] = pd.DataFrame(kw).reset_index(drop=True)
    tables["collocations"] = textstat_collocations(toks, size=2, min_count=3).head(e["top_n"])
    return {**out, "tables": tables}


#: How the figure and the report name the reference of a keyness comparison: every
#: other document (textstat_keyness with target=(variable, value)).
_KEYNESS_REFERENCE = "其他"


def _keyness_setting(ctx: _Context) -> tuple[str, str]:
    """The variable and target value the keyness table compares (target vs the rest)."""
    k = ctx.results.get("explore", {}).get("keyness") or {}
    e = ctx.cfg["explore"]
    return (k.get("by") or e["keyness_by"],
            str(k.get("target") or e["keyness_target"] or "目标"))


def _step_topics(ctx: _Context) -> dict:
    from . import topics as tp

    t = ctx.cfg["topics"]
    seed = ctx.cfg["experiment"]["seed"]
    if t["unit"] == "paragraphs":
        from .segment import segment, tokens_remove

        kw, clean = _segment_settings(ctx)
        toks = tokens_remove(segment(ctx["structure"]["paragraphs"], **kw), **clean)
    else:
        toks = ctx["segment"]["clean_docs"]
    n_docs = len(toks)
    ks = t["k"] if isinstance(t["k"], list) else [t["k"]]
    if max(ks) >= n_docs:
        raise ConfigError(f"{ctx.cfg.where('topics', 'k')}: k = {max(ks)} is too large for "
                          f"{n_docs} {t['unit']}; use k < {n_docs}")
    tables: dict[str, pd.DataFrame] = {}
    out: dict[str, Any] = {}
    if len(ks) > 1:
        # K is chosen with the model that is then fitted (seeded topics: with LDA, the
        # model they extend), and the hold-out split follows the run's seed
        sel = tp.select_k(toks, ks=ks, seeds=t["select_seeds"], iterations=t["iterations"],
                          model="nmf" if t["model"] == "nmf" else "lda", random_state=seed)
        tables["k_selection"] = sel.table if hasattr(sel, "table") else pd.DataFrame(sel)
        k = int(sel.recommended_k)
        out["k_selection"] = sel
    else:
        k = ks[0]
    Model = {"lda": tp.LdaTopics, "nmf": tp.NmfTopics}.get(t["model"])
    if t["model"] == "seeded":
        model = tp.SeededTopics(framework=ctx.cfg["coding"]["framework"],
                                dimension=t["seeded_dimension"] or "leadership",
                                n_free=t["n_free"], random_state=seed,
                                iterations=t["iterations"]).fit(toks)
    else:
        kwargs = dict(random_state=seed)
        if t["model"] == "lda":
            kwargs["iterations"] = t["iterations"]
        model = Model(k, **kwargs).fit(toks)
    out["model"] = model
    out["k"] = k
    out["n_units"] = n_docs
    tables["topics"] = model.top_terms(t["n_terms"]).reset_index(drop=True)
    tables["doc_topics"] = model.doc_topics_frame().reset_index(drop=True)
    if t["effects"]:
        for var in _formula_vars(ctx.cfg, t["effects"]):
            _need_var(ctx, toks.docvars, "topics", "effects", var)
        try:
            eff = tp.topic_effects(model, toks.docvars, formula=t["effects"],
                                   method=t["effects_method"], random_state=seed)
        except QuanyuError as exc:  # e.g. a formula that does not parse: say where it is
            raise ConfigError(f"{ctx.cfg.where('topics', 'effects')}: {exc.message}") from None
        tables["topic_effects"] = eff.reset_index(drop=True)
        # How the intervals were made (n_boot is topic_effects' default, not a config
        # key), for the methods paragraph.
        out["effects"] = {k: eff.attrs.get(k) for k in ("method", "n_boot", "level", "link")}
    if t["seeded_dimension"] and t["model"] != "seeded":
        seeded = tp.SeededTopics(framework=ctx.cfg["coding"]["framework"],
                                 dimension=t["seeded_dimension"], n_free=t["n_free"],
                                 random_state=seed, iterations=t["iterations"]).fit(toks)
        out["seeded"] = seeded
        tables["seeded_topics"] = seeded.top_terms(t["n_terms"]).reset_index(drop=True)
    return {**out, "tables": tables}


def _formula_vars(cfg: Config, formula: str) -> list[str]:
    """The document variables an effects formula names, parsed as topic_effects will."""
    from .topics.effects import _formula_variables

    try:
        return _formula_variables(formula)
    except QuanyuError as exc:  # checked before the work, named at its line
        raise ConfigError(f"{cfg.where('topics', 'effects')}: {exc.message}") from None


def _preflight_framework(cfg: Config):
    """Fail before any work when the framework or its dimensions are wrong."""
    if not cfg["coding"]["enabled"] and not cfg["topics"]["seeded_dimension"] \
            and cfg["topics"]["model"] != "seeded":
        return None
    from .frameworks import load_framework

    name = cfg["coding"]["framework"]
    arg = str(cfg.resolve(name)) if name.endswith(".toml") else name
    try:
        fw = load_framework(arg)
    except QuanyuError as exc:
        raise ConfigError(f"{cfg.where('coding', 'framework')}: {exc.message}") from None
    known = [d.id for d in fw.dimensions]
    for d in cfg["coding"]["dimensions"]:
        if d not in known:
            raise ConfigError(f"{cfg.where('coding', 'dimensions')}: framework {fw.name!r} "
                              f"has no dimension {d!r}; it has: {', '.join(known)}")
    sd = cfg["topics"]["seeded_dimension"]
    if sd and sd not in known:
        raise ConfigError(f"{cfg.where('topics', 'seeded_dimension')}: framework {fw.name!r} "
                          f"has no dimension {sd!r}; it has: {', '.join(known)}")
    return fw


def _preflight_variables(ctx: _Context, corpus) -> None:
    """Every document variable the config names must exist, checked before the work."""
    cfg = ctx.cfg
    dv = corpus.docvars
    e = cfg["explore"]
    for key in ("group_by", "keyness_by"):
        if e[key]:
            _need_var(ctx, dv, "explore", key, e[key])
    if cfg["topics"]["enabled"] and cfg["topics"]["effects"]:
        for var in _formula_vars(cfg, cfg["topics"]["effects"]):
            _need_var(ctx, dv, "topics", "effects", var)
    if cfg["coding"]["enabled"]:
        for var in cfg["evidence"]["by"]:
            _need_var(ctx, dv, "evidence", "by", var)
    if cfg["topics"]["enabled"] and cfg["topics"]["unit"] == "documents":
        ks = cfg["topics"]["k"] if isinstance(cfg["topics"]["k"], list) else [cfg["topics"]["k"]]
        if max(ks) >= len(corpus):
            raise ConfigError(f"{cfg.where('topics', 'k')}: k = {max(ks)} is too large for "
                              f"{len(corpus)} documents; use k < {len(corpus)}")


def _need_var(ctx: _Context, dv: pd.DataFrame, section: str, key: str, var: str) -> None:
    if var not in dv.columns:
        have = (f"the corpus has: {', '.join(map(str, dv.columns))}" if len(dv.columns) else
                "the corpus has no document variables: add a manifest.csv beside the files "
                "(a file column and one column per variable)")
        raise ConfigError(f"{ctx.cfg.where(section, key)}: unknown column {var!r} in "
                          f"[{section}] {key}; {have}")


def _step_coding(ctx: _Context) -> dict:
    from .coding import code
    from .frameworks import load_framework

    c = ctx.cfg["coding"]
    fw_name = c["framework"]
    fw_arg = str(ctx.cfg.resolve(fw_name)) if fw_name.endswith(".toml") else fw_name
    try:
        fw = load_framework(fw_arg)
    except QuanyuError as exc:
        raise ConfigError(f"{ctx.cfg.where('coding', 'framework')}: {exc.message}") from None
    dims = c["dimensions"] or [d.id for d in fw.dimensions]
    known = [d.id for d in fw.dimensions]
    for d in dims:
        if d not in known:
            raise ConfigError(f"{ctx.cfg.where('coding', 'dimensions')}: framework {fw.name!r} "
                              f"has no dimension {d!r}; it has: {', '.join(known)}")
    labelled = None
    if c["labelled"]:
        labelled = _read_labelled(ctx.cfg.resolve(c["labelled"]), fw, dims)
    units = ctx["structure"]["units"]
    # The structure step's units keep doc_id and offsets, so each unit is coded with
    # its neighbours in its document (context_weight).
    kwargs = dict(framework=fw, unit="as-is", dimensions=dims,
                  context_weight=float(c["context_weight"]),
                  random_state=ctx.cfg["experiment"]["seed"])
    if c["threshold"] >= 0:
        kwargs["threshold"] = c["threshold"]
    if labelled is not None:
        kwargs["labelled"] = labelled
    codings = code(units, **kwargs)
    frame = codings.to_frame().reset_index(drop=True)
    # Codebook order, and categories never coded shown with 0 rather than left out.
    sizes = frame.groupby(["dimension", "category"]).size()
    counts = pd.DataFrame([(d, lab, int(sizes.get((d, lab), 0)))
                           for d in dims for lab in fw.dimension(d).labels],
                          columns=["dimension", "category", "units"])
    return {"framework": fw, "codings": codings, "dimensions": dims,
            "tables": {"codings": frame, "coding_counts": counts}}


def _read_labelled(path: Path, fw, dims: list[str]) -> pd.DataFrame:
    """The [coding] labelled table, its labels checked with the file and row named."""
    from .coding._framework import normalise_column
    from .corpus.readers import read_table

    frame = read_table(path, "labelled")
    if "text" not in frame.columns:
        raise ColumnError(f"{path}: no column 'text'; columns are: "
                          f"{', '.join(frame.columns)} (the labelled units need their text in "
                          "a column named text)")
    have = [d for d in dims if d in frame.columns]
    if not have:
        raise ColumnError(f"{path} has no column for the dimensions coded ({', '.join(dims)}); "
                          f"columns are: {', '.join(frame.columns)}")
    for d in have:
        # Spreadsheet rows: the header is row 1.
        normalise_column(fw.dimension(d), frame[d].tolist(), path.name, first_row=2)
    return frame


def _step_evidence(ctx: _Context) -> dict:
    from .evidence import evidence_table

    e = ctx.cfg["evidence"]
    corpus = ctx["structure"]["units"]
    for var in e["by"]:
        _need_var(ctx, corpus.docvars, "evidence", "by", var)
    tables = {}
    objs = {}
    for dim in ctx["coding"]["dimensions"][:2] if len(ctx["coding"]["dimensions"]) > 2 \
            else ctx["coding"]["dimensions"]:
        ev = evidence_table(ctx["coding"]["codings"], corpus, by=e["by"],
                            n_quotes=e["n_quotes"], dimension=dim)
        tables[f"evidence_counts_{dim}"] = ev.counts.reset_index(drop=True)
        tables[f"evidence_quotes_{dim}"] = ev.quotes.reset_index(drop=True)
        objs[dim] = ev
    return {"evidence": objs, "tables": tables}


def _step_reliability(ctx: _Context) -> dict:
    sheets = ctx.cfg["coding"]["human_sheets"]
    if not sheets:
        return {"tables": {}}
    from .coding import read_coding_sheet, reliability_report

    fw = ctx["coding"]["framework"]
    dims = ctx["coding"]["dimensions"]
    frames = []
    for s in sheets:
        # A sheet codes the dimensions it has columns for (often one); the run may code
        # more.  Dimensions the run did not code are left out of the comparison.
        f = read_coding_sheet(ctx.cfg.resolve(s), framework=fw)
        keep = [d for d in dims if d in f.columns]
        if not keep:
            raise ConfigError(f"{ctx.cfg.where('coding', 'human_sheets')}: coded sheet {s} "
                              f"has no column for the dimensions coded ({', '.join(dims)}); "
                              f"it has: {', '.join(map(str, f.columns))}")
        coded_elsewhere = {d.id for d in fw.dimensions} - set(keep)
        frames.append(f[[c for c in f.columns if c not in coded_elsewhere]])
    rep = reliability_report(frames, fw, names=[Path(s).stem for s in sheets],
                             model=ctx["coding"]["codings"])
    return {"tables": {"reliability": rep.reset_index(drop=True)}}


def _step_figures(ctx: _Context) -> dict:
    from . import viz

    f = ctx.cfg["figures"]
    viz.use_style(preset=f["preset"], font=f["font"])
    figdir = ctx.workdir / "figures"
    figdir.mkdir(exist_ok=True)
    made: dict[str, Path] = {}
    prov = ctx.provenance

    jobs: list[tuple[str, Callable[[], Any], dict]] = []

    def save(name: str, make: Callable[[], Any], **plot_kw) -> None:
        # Queue the figure; the loop below draws them under one progress bar.
        jobs.append((name, make, plot_kw))

    T = ctx.tables
    docs = ctx["corpus"]["corpus"].units.drop(columns=["text"])
    seed = ctx.cfg["experiment"]["seed"]
    if "codings" in T:
        dims = ctx["coding"]["dimensions"]
        fw = ctx["coding"]["framework"]
        # Legends and captions name a dimension as the codebook does (五个引领), not by
        # the id a config file uses (leadership).
        names = {d: fw.dimension(d).label for d in dims}
        # Codebook order, not frequency order: readers compare figures across runs.
        order = [lab for d in dims for lab in fw.dimension(d).labels]
        save("framework_distribution", lambda: viz.FrameworkDistributionDisplay.from_codings(
            T["codings"], dimension=dims, category_order=order, dimension_labels=names))
        # A dimension whose units were all coded 无 has no categories to cross or
        # follow over time (the displays leave 无 out): say so instead of failing.
        coded = T["codings"][T["codings"]["category"] != T["codings"]["dimension"].map(
            {d: fw.dimension(d).none_label for d in dims})]
        shown = [d for d in dims[:2] if d in set(coded["dimension"])]
        for d in dims[:2]:
            if d not in shown:
                ctx.log(f"[figures] no unit was coded with a category of {d} "
                        f"({names[d]}); its cross-tabulation and time figures are left out")
        for var in ctx.cfg["evidence"]["by"][:2]:
            if var == "year":
                continue
            for dim in shown:
                save(f"framework_by_{var}_{dim}",
                     lambda var=var, dim=dim: viz.FrameworkHeatmapDisplay.from_codings(
                         T["codings"], by=var, docvars=docs, dimension=dim,
                         category_order=order, dimension_label=names[dim]))
        if "year" in docs.columns:
            for dim in shown:
                # The Codings object, not its table: it carries the codebook order of
                # the categories, so the legend lists them as the other figures do.
                save(f"share_over_time_{dim}", lambda dim=dim: viz.CategoryShareOverTimeDisplay
                     .from_codings(ctx["coding"]["codings"], time="year", docvars=docs,
                                   dimension=dim, random_state=seed,
                                   dimension_label=names[dim]))
    if "topics" in T:
        save("topic_terms", lambda: viz.TopicTermsDisplay.from_topic_terms(T["topics"]))
    if "topic_effects" in T:
        save("topic_effects", lambda: viz.TopicEffectsDisplay.from_effects(T["topic_effects"]))
    if "k_selection" in T:
        save("k_selection", lambda: viz.KSelectionDisplay.from_select_k(T["k_selection"]))
    if "keyness" in T:
        by, target = _keyness_setting(ctx)
        save("keyness", lambda: viz.KeynessDisplay.from_keyness(
            T["keyness"], target_label=target, reference_label=_KEYNESS_REFERENCE,
            variable=by))
    if "frequency" in T:
        save("wordcloud", lambda: viz.WordCloudDisplay.from_frequencies(T["frequency"]))
    if "reliability" in T:
        rel = T["reliability"]
        if "coder_b" in rel.columns:
            rel = rel[rel["coder_b"] != "all"]
        cols = [c for c in ("coder_a", "coder_b", "n_units", "percent_agreement", "cohen_kappa",
                            "krippendorff_alpha") if c in rel.columns]
        fw = ctx["coding"]["framework"]
        save("reliability", lambda: viz.ReliabilityTableDisplay.from_frame(
            rel, columns=cols, column_labels={
                "coder_a": "编码者 A", "coder_b": "编码者 B", "n_units": "单元数",
                "percent_agreement": "一致率", "cohen_kappa": "Cohen's κ",
                "krippendorff_alpha": "Krippendorff's α"},
            dimension_labels={d.id: d.label for d in fw.dimensions}), preset="double")
    import matplotlib.pyplot as plt
    from tqdm.auto import tqdm

    for name, make, plot_kw in tqdm(jobs, desc="figures", unit="fig", disable=not ctx.progress,
                                    leave=False):
        display = make()
        least = plot_kw.pop("preset", None)
        display.plot(**plot_kw, preset=_figure_preset(display, f["preset"], least))
        display.save(figdir / name, provenance=prov)
        plt.close(display.figure_)
        made[name] = figdir / f"{name}.pdf"
    return {"tables": {}, "figures": made}


def _figure_preset(display, configured: str, least: str | None = None) -> str:
    """The preset a run draws ``display`` with: the configured one, or wider.

    Every figure takes ``[figures] preset`` (a display's own default, "single" for
    most, left half the figures of a "double" run 8.5 cm wide), except that a figure
    is never drawn narrower than its display's default or ``least``: a grid of topic
    panels or a seven-column reliability table does not fit one journal column, and
    squeezed into it the layout collapses or the table overflows.
    """
    import inspect

    from .viz.style import PRESETS

    default = inspect.signature(display.plot).parameters["preset"].default
    wanted = [configured, default] + ([least] if least else [])
    return max(wanted, key=lambda name: PRESETS[name].width_cm if name in PRESETS else 0)


def _step_report(ctx: _Context) -> dict:
    from .report.run_report import build_run_report

    path = ctx.workdir / "report.html"
    manifest = _report_manifest(ctx)
    build_run_report(ctx.tables, ctx.workdir / "figures", manifest, path,
                     title=ctx.cfg["report"]["title"])
    return {"tables": {}}


def _report_manifest(ctx: _Context) -> dict:
    """What the methods paragraph and the report header need, from this run."""
    from .cli.info import versions

    cfg = ctx.cfg
    corpus = ctx["corpus"]["corpus"]
    units = ctx["structure"]["units"]
    m: dict[str, Any] = {
        "experiment": cfg["experiment"]["name"],
        "run_id": ctx.provenance.get("run_id"), "config_hash": cfg.hash,
        "versions": versions(),
        "corpus": {"n_documents": len(corpus), "n_units": len(units), "level": units.level,
                   "hash": corpus.content_hash, "path": cfg["corpus"]["path"]},
    }
    seg = dict(ctx.results.get("segment", {}).get("segmenter") or {})
    seg.setdefault("backend", cfg["segment"]["backend"])
    seg.setdefault("lexicon", cfg["segment"]["lexicon"])
    seg["stopwords"] = cfg["segment"]["stopwords"]
    m["segment"] = seg
    if "coding" in ctx.results:
        fw = ctx["coding"]["framework"]
        m["framework"] = {"name": fw.name, "version": fw.version, "citation": fw.citation,
                          "hash": fw.hash,
                          "labels": {d: list(fw.dimension(d).labels)
                                     for d in ctx["coding"]["dimensions"]},
                          "dimension_labels": {d.id: d.label for d in fw.dimensions}}
        m["coding"] = {"method": "lexicon + exemplar model + codebook tie-break rules"
                       + (" + neighbouring units" if cfg["coding"]["context_weight"] > 0
                          else ""),
                       "unit": cfg["structure"]["unit"],
                       "dimensions": ctx["coding"]["dimensions"],
                       "threshold": cfg["coding"]["threshold"] if cfg["coding"]["threshold"] >= 0
                       else "default", "context_weight": cfg["coding"]["context_weight"],
                       "labelled": cfg["coding"]["labelled"] or None}
    if "keyness" in ctx.tables:
        by, target = _keyness_setting(ctx)
        m["explore"] = {"keyness_by": by, "keyness_target": target,
                        "keyness_reference": "all other documents",
                        "keyness_reference_label": _KEYNESS_REFERENCE,
                        "keyness_measure": "G2", "keyness_correction": "none",
                        "unit": "documents"}
    if "topics" in ctx.results and "model" in ctx["topics"]:
        t = cfg["topics"]
        res = ctx["topics"]
        m["topics"] = {"model": t["model"].upper(), "backend": "tomotopy" if t["model"] != "nmf"
                       else "scikit-learn", "k": res["k"],
                       "random_state": cfg["experiment"]["seed"],
                       "iterations": t["iterations"],
                       # Topics may be fit on documents while coding uses sentences.
                       "unit": t["unit"], "n_units": res.get("n_units"),
                       "k_candidates": t["k"] if isinstance(t["k"], list) else None,
                       "effects": t["effects"] or None}
        if isinstance(t["k"], list):
            sel = res.get("k_selection")
            settings = getattr(sel, "settings", {}) or {}
            m["topics"]["select_seeds"] = list(t["select_seeds"])
            m["topics"]["select_criteria"] = settings.get("criteria")
            m["topics"]["select_holdout"] = settings.get("holdout")
            m["topics"]["select_model"] = settings.get("model")
        if t["effects"]:
            # (a topics step reused from an older cache has no "effects": its table's
            # attrs, which topic_effects set, say the same)
            eff = res.get("effects") or dict(getattr(ctx.tables.get("topic_effects"),
                                                     "attrs", {}) or {})
            m["topics"]["effects_method"] = eff.get("method") or t["effects_method"]
            m["topics"]["n_boot"] = eff.get("n_boot")
            m["topics"]["effects_level"] = eff.get("level")
            m["topics"]["effects_link"] = eff.get("link")
        if "seeded" in res:
            m["topics"]["seeded_dimension"] = t["seeded_dimension"]
            m["topics"]["n_free"] = t["n_free"]
    if "reliability" in ctx.tables:
        r = ctx.tables["reliability"]
        if {"dimension", "cohen_kappa"} <= set(r.columns):
            pairs = r[r.get("coder_b", "") != "all"] if "coder_b" in r else r
            m["reliability"] = {"Cohen's kappa (model vs human)": {
                str(d): float(k) for d, k in zip(pairs["dimension"], pairs["cohen_kappa"])
                if pd.notna(k)}}
    return m


# step name -> (function, config sections it depends on, upstream steps)
STEPS: list[tuple[str, Callable[[_Context], dict], tuple[str, ...], tuple[str, ...]]] = [
    ("corpus", _step_corpus, ("corpus", "normalize"), ()),
    ("structure", _step_structure, ("structure",), ("corpus",)),
    ("segment", _step_segment, ("segment", "experiment"), ("structure",)),
    ("explore", _step_explore, ("explore",), ("segment",)),
    ("topics", _step_topics, ("topics", "experiment"), ("segment",)),
    ("coding", _step_coding, ("coding", "experiment"), ("structure",)),
    ("evidence", _step_evidence, ("evidence",), ("coding",)),
    ("reliability", _step_reliability, ("coding",), ("coding",)),
    ("figures", _step_figures, ("figures", "evidence"), ("explore", "topics", "coding",
                                                          "evidence", "reliability")),
    ("report", _step_report, ("report",), ("figures",)),
]


def _enabled(cfg: Config, step: str) -> bool:
    section = {"topics": "topics", "coding": "coding", "evidence": "coding",
               "reliability": "coding", "figures": "figures", "report": "report"}.get(step)
    return section is None or cfg[section].get("enabled", True)


# ---------------------------------------------------------------------------------------
# provenance


# step -> the config keys that name files it reads (besides the corpus text it is given)
_STEP_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "corpus": (("corpus", "path"), ("corpus", "manifest")),
    "segment": (("segment", "user_dict"), ("segment", "stopwords")),
    "coding": (("coding", "framework"), ("coding", "labelled")),
    "reliability": (("coding", "human_sheets"),),
}


def _input_files(cfg: Config, step: str) -> list[tuple[str, int, int]]:
    """Name, size and modification time of every file ``step`` reads.

    Part of the step's hash, so ``--resume`` recomputes a step whose files changed (a
    text added to the corpus, a corrected coding sheet) instead of reusing stale
    results: the config naming the same paths is not enough.
    """
    import glob as globmod

    from .segment.dictionary import stopword_list_names

    out = []
    for section, key in _STEP_FILES.get(step, ()):
        values = cfg[section][key]
        for v in values if isinstance(values, list) else [values]:
            if not v or (key == "stopwords" and stopword_list_names(v)):
                continue
            if key == "framework" and not v.endswith(".toml"):
                continue  # a built-in framework changes only with the package version
            p = cfg.resolve(v)
            if p.is_dir():
                files = [f for f in p.rglob("*") if f.is_file() and not any(
                    part.startswith(".") for part in f.relative_to(p).parts)]
            elif p.exists():
                files = [p]
            else:
                files = [Path(x) for x in globmod.glob(str(p), recursive=True)]
            for f in sorted(files):
                st = f.stat()
                out.append((str(f), st.st_size, st.st_mtime_ns))
    return out


def _git_commit(where: Path) -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict[str, str]:
    from .cli.info import versions
    return versions()


def _write_table(tdir: Path, name: str, df: pd.DataFrame) -> None:
    df = df.copy()
    # Object columns with mixed types break Parquet; strings are what a reader needs.
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].map(lambda v: v if v is None or isinstance(v, str) else str(v))
    df.columns = [str(c) for c in df.columns]
    # with a BOM, as every CSV the toolkit writes: Excel then reads it as UTF-8 (without
    # one, Chinese Excel opens it as GBK and shows mojibake)
    df.to_csv(tdir / f"{name}.csv", index=False, encoding="utf-8-sig", lineterminator="\n",
              float_format="%.6g")
    df.to_parquet(tdir / f"{name}.parquet", index=False)


def _cache_dir(cfg: Config) -> Path:
    root = Path(os.environ.get("QUANYU_CACHE_DIR", Path.home() / ".cache" / "quanyu_nlp"))
    return root / "runs"


#: Settings that say how a run is executed, not what it computes: the same results
#: with any of them, so they stay out of the steps' cache keys.
_EXECUTION_ONLY = {"experiment": ("name", "description", "n_jobs", "parallel", "scheduler")}


def _result_settings(cfg: Config, section: str) -> dict:
    return {k: v for k, v in cfg[section].items()
            if k not in _EXECUTION_ONLY.get(section, ())}


#: How long to try reaching a configured Dask scheduler before saying it cannot be reached.
_DASK_CONNECT_TIMEOUT = "10s"


@contextlib.contextmanager
def _dask_client(cfg: Config, log):
    """Connect to the configured Dask scheduler for the run, and close it after.

    ``pmap(backend="dask")`` uses the active client, so every parallel step runs on the
    cluster; with ``parallel = "dask"`` and no scheduler, a local ``dask.bag`` is used.
    """
    address = cfg["experiment"]["scheduler"].strip()
    if cfg["experiment"]["parallel"] != "dask" or not address:
        yield None
        return
    from distributed import Client

    try:
        client = Client(address, timeout=_DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"{cfg.where('experiment', 'scheduler')}: cannot reach the Dask "
                          f"scheduler at {address} ({type(exc).__name__}); start it "
                          "(dask scheduler) or fix the address") from None
    log(f"[parallel] Dask scheduler {address}: "
        f"{len(client.scheduler_info().get('workers', {}))} worker(s)")
    try:
        yield client
    finally:
        client.close()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the installed package's own files (code, lexicon, codebooks).

    Part of every step's cache key, so ``--resume`` never reuses a step computed by
    other code: an upgrade, a patched install or an edited checkout all recompute,
    even when the version number did not change.
    """
    import hashlib

    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(p for p in root.rglob("*") if p.is_file()
                    and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def run(config: str | os.PathLike, out: str | os.PathLike | None = None, *,
        resume: bool = False, progress: bool = True, quiet: bool = False) -> Run:
    """Run an experiment from its config file.

    Parameters
    ----------
    config : path
        The TOML config (see ``experiments/template.toml``).
    out : path, optional
        The run folder to create; default ``experiments/runs/<name>-<UTC>-<hash>/``
        beside the config.
    resume : bool
        Reuse finished steps of an earlier run whose inputs hash the same.
    progress : bool
        Show progress bars for long steps.
    quiet : bool
        Do not print the per-step summary lines.

    Returns
    -------
    Run

    Examples
    --------
    >>> r = run("experiments/demo.toml")            # doctest: +SKIP
    >>> r.tables["coding_counts"].head()            # doctest: +SKIP
    """
    cfg = load_config(config)
    name = cfg["experiment"]["name"]
    started = _dt.datetime.now(_dt.timezone.utc)
    from .corpus import read_corpus  # noqa: F401  (fail early on a broken install)

    run_hash = cfg.hash[:8]
    if out is None:
        runs = cfg.base / "runs"
        target = runs / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}-{run_hash}"
    else:
        target = Path(out)
    corpus_root = cfg.resolve(cfg["corpus"]["path"])
    if corpus_root.is_dir() and target.resolve().is_relative_to(corpus_root.resolve()):
        # The next run would read this run's tables as documents of the corpus.
        raise OutputError(f"run folder {target} would be inside the corpus folder "
                          f"{corpus_root}, and the next run would read its tables as "
                          "documents; pass --out outside the corpus (or keep the config "
                          "outside it)")
    try:
        ensure_writable_dir(target.parent, "output folder")
    except QuanyuError as exc:
        raise type(exc)(f"{exc.message} (--out)") from None
    if target.exists() and not target.is_dir():
        raise OutputError(f"--out {target} is a file; give the name of a folder to create")
    if target.exists() and any(target.iterdir()):
        raise OutputError(f"output folder {target} already exists and is not empty; choose "
                          "another --out or remove it (runs never overwrite earlier results)")
    log_lines: list[str] = []

    shown = [not quiet]

    def log(msg: str) -> None:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%H:%M:%S")
        log_lines.append(f"{stamp} {msg}")
        if shown[0]:
            try:
                print(msg, flush=True)
            except BrokenPipeError:
                # `quanyu run x.toml | head`: the reader left; the run goes on, quietly
                shown[0] = False
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    _preflight_framework(cfg)
    cache = _cache_dir(cfg) / name
    with interrupt_latch() as latch, _dask_client(cfg, log), \
            atomic_dir(target, overwrite=True) as work:
        ctx = _Context(cfg, work, log)
        ctx.progress = progress and not quiet
        (work / "tables").mkdir()
        (work / "figures").mkdir()
        ctx.provenance = {"run_id": target.name, "config_hash": cfg.hash}
        step_times: dict[str, float] = {}
        for step, func, sections, upstream in STEPS:
            if not _enabled(cfg, step):
                log(f"[{step}] skipped (disabled in the config)")
                continue
            h = stable_hash({"step": step, "config": {s: _result_settings(cfg, s)
                                                      for s in sections},
                             "upstream": [ctx.hashes.get(u) for u in upstream],
                             "corpus": ctx.provenance.get("corpus_hash")
                             if step != "corpus" else cfg["corpus"],
                             "files": _input_files(cfg, step), "version": __version__,
                             "code": code_fingerprint()})
            ctx.hashes[step] = h
            t0 = time.perf_counter()
            result = _load_cached(cache, step, h) if resume else None
            reused = result is not None
            if result is None:
                result = func(ctx)
            latch.check()  # a Ctrl-C a library swallowed: stop before keeping this step
            ctx.results[step] = result
            if step == "corpus":
                ctx.provenance["corpus_hash"] = result["corpus"].content_hash
                ctx.hashes[step] = stable_hash([h, result["corpus"].content_hash])
                _preflight_variables(ctx, result["corpus"])
            for tname, df in result.get("tables", {}).items():
                ctx.tables[tname] = df
                _write_table(work / "tables", tname, df)
            ctx.figures.update(result.get("figures", {}))
            if reused:
                _restore_files(cache, step, h, work)
            dt = time.perf_counter() - t0
            step_times[step] = round(dt, 3)
            nt = len(result.get("tables", {}))
            log(f"[{step}] {'reused' if reused else 'done'} in {dt:.1f} s"
                + (f"; {nt} table(s)" if nt else ""))
            if not reused:
                _save_cached(cache, step, h, result, work)
        manifest = _manifest(cfg, ctx, started, step_times, target)
        atomic_write(work / "manifest.json",
                     json.dumps(manifest, ensure_ascii=False, indent=2, default=str) + "\n")
        atomic_write(work / "config.resolved.toml", dump_toml(
            cfg.data, header=f"# resolved from {cfg.path}\n# config hash {cfg.hash}"))
        log(f"run complete: {target}")
        atomic_write(work / "log.txt", "\n".join(log_lines) + "\n")
    figures = {k: target / "figures" / Path(v).name for k, v in ctx.figures.items()}
    return Run(path=target, manifest=manifest, tables=ctx.tables, figures=figures)


def _manifest(cfg: Config, ctx: _Context, started, step_times, target: Path) -> dict:
    fw = ctx.results.get("coding", {}).get("framework")
    seg = ctx.results.get("segment", {})
    return {
        "run_id": target.name,
        "experiment": cfg["experiment"]["name"],
        "config_path": str(cfg.path),
        "config_hash": cfg.hash,
        "started_utc": started.isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "package_versions": _versions(),
        # the files of the quanyu_nlp that ran, whatever its version number says
        "quanyu_code_fingerprint": code_fingerprint(),
        "execution": {"n_jobs": cfg["experiment"]["n_jobs"],
                      "parallel": cfg["experiment"]["parallel"],
                      "scheduler": cfg["experiment"]["scheduler"] or None},
        "git_commit": _git_commit(cfg.base),
        "corpus": {"path": str(cfg.resolve(cfg["corpus"]["path"])),
                   "content_hash": ctx.provenance.get("corpus_hash"),
                   "documents": len(ctx["corpus"]["corpus"]) if "corpus" in ctx.results else None,
                   "steps": ctx["corpus"]["corpus"].meta.get("steps") if "corpus" in ctx.results
                   else None},
        "framework": {"name": fw.name, "version": fw.version, "hash": fw.hash,
                      "dimension_labels": {d.id: d.label for d in fw.dimensions}}
        if fw else None,
        "segmenter": seg.get("segmenter"),
        "seeds": {"experiment": cfg["experiment"]["seed"],
                  "topics_select": cfg["topics"]["select_seeds"]},
        "topics_k": ctx.results.get("topics", {}).get("k"),
        "step_hashes": ctx.hashes,
        "step_seconds": step_times,
        "tables": sorted(ctx.tables),
        "figures": sorted(ctx.figures),
    }


def _load_cached(cache: Path, step: str, h: str) -> dict | None:
    p = cache / f"{step}-{h[:16]}.pkl"
    if not p.exists():
        return None
    try:
        with open(p, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # a stale or unreadable cache entry is simply recomputed
        return None


def _save_cached(cache: Path, step: str, h: str, result: dict, work: Path) -> None:
    try:
        cache.mkdir(parents=True, exist_ok=True)
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # objects that cannot be pickled: that step is recomputed on resume
        return
    atomic_write(cache / f"{step}-{h[:16]}.pkl", blob)
    if step == "figures":
        import shutil
        dst = cache / f"figures-{h[:16]}"
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(work / "figures", dst)
    elif step == "report":
        atomic_write(cache / f"report-{h[:16]}.html", (work / "report.html").read_bytes())


def _restore_files(cache: Path, step: str, h: str, work: Path) -> None:
    """Files a reused step wrote in the earlier run: figure bundles, the report."""
    import shutil
    if step == "figures" and (cache / f"figures-{h[:16]}").is_dir():
        for f in (cache / f"figures-{h[:16]}").iterdir():
            shutil.copy2(f, work / "figures" / f.name)
    elif step == "report" and (cache / f"report-{h[:16]}.html").exists():
        shutil.copy2(cache / f"report-{h[:16]}.html", work / "report.html")
