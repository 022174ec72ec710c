"""Experiment configuration: one TOML file that says how every number was produced.

The schema below is the single source of truth for what a config may contain: the
validator, ``experiments/template.toml`` and the resolved config written into each run
folder all follow it.  Every mistake is reported on one line naming the file, the line
and the key, with the fix.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._io import stable_hash
from .errors import ConfigError

__all__ = ["SCHEMA", "load_config", "Config", "dump_toml", "seed_problem"]

_ANY_LIST = (list,)

# section -> key -> (allowed types, default, help). ``None`` default means "required"
# only for corpus.path; elsewhere it means "not set".
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], Any, str]]] = {
    "experiment": {
        "name": ((str,), "experiment", "a short name used in the run folder name"),
        "description": ((str,), "", "what this analysis is for"),
        "seed": ((int,), 1, "random seed for every random step"),
        "n_jobs": ((int,), 1, "processes for segmentation (1 = no pool)"),
        "parallel": ((str,), "process",
                     "process (a pool on this machine) or dask (a Dask cluster)"),
        "scheduler": ((str,), "",
                      "Dask scheduler address, e.g. tcp://10.0.0.5:8786 (empty: local)"),
    },
    "corpus": {
        "path": ((str,), None, "corpus location, relative to this config file"),
        "text_column": ((str,), "", "text column of a CSV/XLSX corpus"),
        "lines": ((bool,), False, "one document per line of a .txt file"),
        "encoding": ((str,), "", "force an encoding (empty: detect)"),
        "manifest": ((str,), "",
                     "manifest of document variables (empty: manifest.csv beside the files)"),
    },
    "normalize": {
        "enabled": ((bool,), True, "normalise the text before analysis"),
        "fullwidth": ((bool,), True, "full-width letters/digits to half-width"),
        "whitespace": ((bool,), True, "tidy whitespace"),
        "t2s": ((bool,), False, "traditional to simplified Chinese"),
        "strip_chrome": ((bool,), False, "remove web-page chrome lines"),
    },
    "structure": {
        "unit": ((str,), "sentences", "unit of coding: sentences or paragraphs"),
        "semicolons": ((str,), "auto", "split semicolon lists: auto, always, never"),
        "parts": (_ANY_LIST, ["body", "abstract"], "parts of documents to analyse"),
    },
    "segment": {
        "backend": ((str,), "rjieba", "rjieba (fast) or jieba (reference)"),
        "lexicon": ((bool,), True, "use the party-building lexicon"),
        "user_dict": ((str,), "", "a user dictionary file (jieba format), relative to the config"),
        "stopwords": (_ANY_LIST, ["zh", "party"], "stopword lists: zh, party, or file paths"),
        "min_len": ((int,), 1, "drop tokens shorter than this after stopwords"),
    },
    "explore": {
        "top_n": ((int,), 50, "how many frequent terms to keep"),
        "group_by": ((str,), "", "document variable for grouped frequencies"),
        "keyness_by": ((str,), "", "document variable for keyness"),
        "keyness_target": ((str,), "", "value of keyness_by that is the target group"),
        "kwic": (_ANY_LIST, [], "keywords for keyword-in-context tables"),
        "window": ((int,), 5, "KWIC window in tokens"),
    },
    "topics": {
        "enabled": ((bool,), True, "fit topic models"),
        "model": ((str,), "lda", "lda, nmf or seeded"),
        "k": ((int, list), 8, "number of topics, or a list of candidates to choose from"),
        "select_seeds": (_ANY_LIST, [1, 2], "seeds for the stability of K selection"),
        "iterations": ((int,), 300, "sampler iterations"),
        "unit": ((str,), "documents", "documents or paragraphs"),
        "effects": ((str,), "", "formula for topic effects, e.g. '~ field + year'"),
        "effects_method": ((str,), "bootstrap", "bootstrap, delta or composition"),
        "seeded_dimension": ((str,), "", "also fit framework-seeded topics for this dimension"),
        "n_free": ((int,), 3, "free topics beside the seeded ones"),
        "n_terms": ((int,), 10, "top terms per topic in tables"),
    },
    "coding": {
        "enabled": ((bool,), True, "code units against a framework"),
        "framework": ((str,), "quanyu", "a built-in framework name or a codebook path"),
        "dimensions": (_ANY_LIST, [], "dimensions to code (empty: all)"),
        "threshold": ((float, int), -1.0,
                      "score below which a unit is 无 (negative: the coder's default)"),
        "context_weight": ((float, int), 0.2,
                           "weight of a unit's neighbours in its document (0: each unit alone)"),
        "labelled": ((str,), "", "a CSV of units you coded, to train on (relative to the config)"),
        "human_sheets": (_ANY_LIST, [], "coded sheets for reliability (relative to the config)"),
    },
    "evidence": {
        "by": (_ANY_LIST, [], "document variables to count by"),
        "n_quotes": ((int,), 3, "quotes per category"),
    },
    "figures": {
        "enabled": ((bool,), True, "draw figures"),
        "preset": ((str,), "double", "single, double or slide"),
        "font": ((str,), "sans", "sans or serif"),
    },
    "report": {
        "enabled": ((bool,), True, "write report.html"),
        "title": ((str,), "", "report title"),
    },
}

_CHOICES = {
    ("experiment", "parallel"): ("process", "dask"),
    ("structure", "unit"): ("sentences", "paragraphs"),
    ("structure", "semicolons"): ("auto", "always", "never"),
    ("segment", "backend"): ("rjieba", "jieba"),
    ("topics", "model"): ("lda", "nmf", "seeded"),
    ("topics", "unit"): ("documents", "paragraphs"),
    ("topics", "effects_method"): ("bootstrap", "delta", "composition"),
    ("figures", "preset"): ("single", "double", "slide"),
    ("figures", "font"): ("sans", "serif"),
}


# list key -> the type of its items (a list of the wrong things fails deep in a step)
_LIST_ITEMS: dict[tuple[str, str], type] = {
    ("structure", "parts"): str,
    ("segment", "stopwords"): str,
    ("explore", "kwic"): str,
    ("topics", "select_seeds"): int,
    ("coding", "dimensions"): str,
    ("coding", "human_sheets"): str,
    ("evidence", "by"): str,
}

_ITEM_NAMES = {str: "strings (in quotes)", int: "whole numbers"}

# The parts corpus structure gives a document (quanyu_nlp.corpus.structure).
_PARTS = ("title", "author", "affiliation", "abstract", "keywords", "heading", "body",
          "references")

# key -> smallest value allowed, and what the number counts
_MINIMUM: dict[tuple[str, str], tuple[int, str]] = {
    ("segment", "min_len"): (1, "characters"),
    ("explore", "top_n"): (1, "terms"),
    ("explore", "window"): (1, "tokens"),
    ("topics", "iterations"): (1, "iterations"),
    ("topics", "n_free"): (0, "topics"),
    ("topics", "n_terms"): (1, "terms"),
    ("evidence", "n_quotes"): (0, "quotes; 0 for counts only"),
}

# Characters a folder name cannot hold on Windows or POSIX.
_BAD_NAME_CHARS = set('/\\:*?"<>|')


def _line_of(text: str, section: str, key: str | None = None) -> int | None:
    """Line number of ``[section]`` or of ``key`` inside it (tomllib gives none)."""
    current = None
    for i, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        m = re.match(r"^\[\s*([^\]\s]+)\s*\]", s)
        if m:
            current = m.group(1)
            if key is None and current == section:
                return i
            continue
        if key is not None and current == section and re.match(
                rf'^("?){re.escape(key)}\1\s*=', s):
            return i
    return None


@dataclass(frozen=True)
class Config:
    """A validated experiment configuration.

    Attributes
    ----------
    path : Path
        The config file.
    data : dict
        Every section with every key, defaults filled in.
    raw : str
        The file's text.
    """

    path: Path
    data: dict
    raw: str

    def __getitem__(self, section: str) -> dict:
        return self.data[section]

    @property
    def base(self) -> Path:
        return self.path.parent

    def resolve(self, rel: str) -> Path:
        """A path from the config, relative to the config file."""
        p = Path(rel).expanduser()
        # normpath: messages show /data/corpus, not /data/experiments/../corpus
        return Path(os.path.normpath(p if p.is_absolute() else (self.base / p)))

    @property
    def hash(self) -> str:
        return stable_hash(self.data)

    def where(self, section: str, key: str | None = None) -> str:
        line = _line_of(self.raw, section, key)
        return f"{self.path}" + (f" line {line}" if line else "")


def load_config(path: str | Path) -> Config:
    """Read and validate an experiment config.

    Raises
    ------
    ConfigError
        One line naming the file, line and key, and the fix.
    """
    p = Path(path)
    try:
        raw = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file; check the path "
                          "(e.g. experiments/demo.toml)") from None
    except IsADirectoryError:
        raise ConfigError(f"{p}: is a folder; give the .toml config file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{p}: not UTF-8 text; save the config as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        where = f" line {m.group(1)} column {m.group(2)}" if m else ""
        reason = re.sub(r"\s*\(at line.*\)$", "", msg)
        line = raw.splitlines()[int(m.group(1)) - 1] if m and int(m.group(1)) <= len(
            raw.splitlines()) else ""
        raise ConfigError(f"{p}{where}: TOML syntax error: {reason}; "
                          f"{_syntax_hint(line, reason)}") from None
    out: dict[str, dict] = {}
    for section, value in data.items():
        if section not in SCHEMA:
            hint = difflib.get_close_matches(section, SCHEMA, n=1)
            line = _line_of(raw, section)
            raise ConfigError(f"{p}{f' line {line}' if line else ''}: unknown section "
                              f"[{section}]" + (f"; did you mean [{hint[0]}]?" if hint else
                                                f"; sections are: {', '.join(SCHEMA)}"))
        if not isinstance(value, dict):
            line = _line_of(raw, section) or _find_bare(raw, section)
            raise ConfigError(f"{p}{f' line {line}' if line else ''}: {section} must be a "
                              f"table [{section}], not a value")
    for section, keys in SCHEMA.items():
        given = data.get(section, {})
        sec: dict[str, Any] = {}
        for key, value in given.items():
            if key not in keys:
                hint = difflib.get_close_matches(key, keys, n=1)
                line = _line_of(raw, section, key)
                raise ConfigError(f"{p}{f' line {line}' if line else ''}: unknown key "
                                  f"{key!r} in [{section}]" + (f"; did you mean {hint[0]!r}?"
                                  if hint else f"; keys are: {', '.join(keys)}"))
            types, _, _ = keys[key]
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
            if not ok:
                line = _line_of(raw, section, key)
                want = " or ".join(t.__name__ for t in types)
                raise ConfigError(f"{p}{f' line {line}' if line else ''}: [{section}] {key} "
                                  f"must be {want}, not {type(value).__name__} ({value!r})")
            item = _LIST_ITEMS.get((section, key))
            if item is not None:
                for v in value:
                    if not isinstance(v, item) or isinstance(v, bool):
                        line = _line_of(raw, section, key)
                        raise ConfigError(f"{p}{f' line {line}' if line else ''}: [{section}] "
                                          f"{key} must be a list of {_ITEM_NAMES[item]}, but "
                                          f"{v!r} is {type(v).__name__}"
                                          + ('; put text in quotes' if item is str else ''))
            if isinstance(value, list):
                seen: set = set()
                for v in value:
                    if v in seen and not isinstance(v, (list, dict)):
                        line = _line_of(raw, section, key)
                        raise ConfigError(f"{p}{f' line {line}' if line else ''}: [{section}] "
                                          f"{key} lists {v!r} twice; give each once")
                    if not isinstance(v, (list, dict)):
                        seen.add(v)
            choices = _CHOICES.get((section, key))
            if choices and value not in choices:
                line = _line_of(raw, section, key)
                raise ConfigError(f"{p}{f' line {line}' if line else ''}: [{section}] {key} = "
                                  f"{value!r} is not one of: {', '.join(choices)}")
            sec[key] = value
        for key, (_, default, _) in keys.items():
            sec.setdefault(key, default)
        out[section] = sec
    if not out["corpus"].get("path"):
        line = _line_of(raw, "corpus")
        raise ConfigError(f"{p}{f' line {line}' if line else ''}: no corpus location; add "
                          "path = \"../corpus/demo\" to the [corpus] table")
    cfg = Config(path=p.resolve(), data=out, raw=raw)
    _check_values(cfg)
    return cfg


# Characters a Chinese input method types in place of TOML's half-width ones.
_FULLWIDTH = "，：；［］＝＂＇０１２３４５６７８９．－"


def _syntax_hint(line: str, reason: str) -> str:
    """The likely fix for a TOML syntax error, from the offending line."""
    outside = re.sub(r'"[^"]*"|\'[^\']*\'', '""', line)  # what is not inside a string
    if "\\" in line and ("escape" in reason.lower() or "\\" in reason):
        return ("a Windows path needs / instead of \\ (path = \"D:/data/corpus\") or single "
                "quotes (path = 'D:\\data\\corpus')")
    if re.search("[\u201c\u201d\u2018\u2019]", line):
        return ("curly quotes \u201c \u201d come from a Chinese input method; type straight "
                "quotes \" \"")
    bad = sorted(set(ch for ch in outside if ch in _FULLWIDTH))
    if bad:
        return (f"full-width {' '.join(bad)} come from a Chinese input method; type the "
                "half-width , : [ ] = \" 0-9 instead")
    if "overwrite" in reason.lower() or "duplicate" in reason.lower():
        return "this key (or this [table]) is given twice; keep one"
    if re.search(r"=\s*(True|False|TRUE|FALSE|yes|no)\s*(#.*)?$", line):
        return "write true or false in lower case, without quotes"
    if re.search(r"=\s*[^\s\"'\[{0-9+\-tfin#]", line):
        return "text values need quotes, e.g. path = \"../corpus/demo\""
    if re.search(r"=\s*[^\[]*,\s*(#.*)?$", line):
        return "a list of values needs [ ], e.g. k = [4, 6, 8]; remove a trailing comma"
    return "fix the syntax (strings need quotes, lists need [ ], tables are [name])"


def _find_bare(raw: str, key: str) -> int | None:
    for i, line in enumerate(raw.splitlines(), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return i
    return None


def seed_problem(seed: int) -> str | None:
    """What is wrong with a random seed, or None: numpy, scikit-learn and tomotopy take
    whole numbers from 0 to 2**32 - 1 and fail deep inside on others."""
    if 0 <= seed < 2 ** 32:
        return None
    return (f"{seed} is not a seed; seeds are whole numbers from 0 to 4294967295, e.g. 1")


def _beside_corpus(cfg: Config, rel: str) -> str:
    """'; did you mean "../corpus/x.csv"?' when ``rel`` is a file in the corpus folder.

    People write a manifest path relative to the corpus, not to the config.
    """
    corpus = cfg.resolve(cfg["corpus"]["path"])
    folder = corpus if corpus.is_dir() else corpus.parent
    candidate = folder / rel
    if Path(rel).is_absolute() or not candidate.is_file():
        return ""
    return f"; did you mean {os.path.relpath(candidate, cfg.base)!r}?"


def _missing(p: Path) -> str:
    return "is a folder, not a file" if p.is_dir() else "does not exist"


def _check_values(cfg: Config) -> None:
    """Checks that need more than a type: paths exist, numbers in range."""
    name = cfg["experiment"]["name"]
    if not name.strip() or _BAD_NAME_CHARS & set(name) or name.strip(".") == "":
        raise ConfigError(f"{cfg.where('experiment', 'name')}: name {name!r} names the run "
                          "folder, so it cannot be empty or hold / \\ : * ? \" < > |; use "
                          "e.g. name = \"demo-2024\"")
    sched = cfg["experiment"]["scheduler"].strip()
    if sched and cfg["experiment"]["parallel"] != "dask":
        raise ConfigError(f"{cfg.where('experiment', 'scheduler')}: a Dask scheduler is only "
                          "used with parallel = \"dask\"; add it, or leave scheduler empty")
    if sched and not re.match(r"^(tcp|tls|ucx|inproc)://\S+$", sched):
        raise ConfigError(f"{cfg.where('experiment', 'scheduler')}: scheduler = {sched!r} is "
                          "not a Dask address; write it like \"tcp://10.0.0.5:8786\"")
    for section, key, seeds in (("experiment", "seed", [cfg["experiment"]["seed"]]),
                                ("topics", "select_seeds", cfg["topics"]["select_seeds"])):
        for seed in seeds:
            if seed_problem(seed):
                raise ConfigError(f"{cfg.where(section, key)}: [{section}] {key}: "
                                  f"{seed_problem(seed)}")
    for (section, key), (low, what) in _MINIMUM.items():
        if cfg[section][key] < low:
            raise ConfigError(f"{cfg.where(section, key)}: [{section}] {key} = "
                              f"{cfg[section][key]} must be {low} or more ({what})")
    for part in cfg["structure"]["parts"]:
        if part not in _PARTS:
            hint = difflib.get_close_matches(part, _PARTS, n=1)
            raise ConfigError(f"{cfg.where('structure', 'parts')}: [structure] parts has "
                              f"{part!r}, which is not a part of a document"
                              + (f"; did you mean {hint[0]!r}?" if hint else "")
                              + f" (parts are: {', '.join(_PARTS)})")
    if cfg["corpus"]["encoding"]:
        import codecs
        try:
            codecs.lookup(cfg["corpus"]["encoding"])
        except LookupError:
            raise ConfigError(f"{cfg.where('corpus', 'encoding')}: [corpus] encoding "
                              f"{cfg['corpus']['encoding']!r} is not an encoding; use e.g. "
                              "\"utf-8\", \"gb18030\", or \"\" to detect it") from None
    from .segment.dictionary import stopword_list_names

    for v in cfg["segment"]["stopwords"]:
        if stopword_list_names(v):
            continue
        if not cfg.resolve(v).is_file():
            raise ConfigError(f"{cfg.where('segment', 'stopwords')}: stopword list {v!r} is "
                              f"neither \"zh\" nor \"party\" nor a file ({cfg.resolve(v)} "
                              "does not exist); file paths are relative to the config file")
    corpus_path = cfg.resolve(cfg["corpus"]["path"])
    if not corpus_path.exists() and not any(ch in str(corpus_path) for ch in "*?["):
        raise ConfigError(f"{cfg.where('corpus', 'path')}: corpus path {corpus_path} does not "
                          "exist; path is relative to the config file")
    for section, key in (("segment", "user_dict"), ("coding", "labelled"),
                         ("corpus", "manifest")):
        v = cfg[section][key]
        if v and not cfg.resolve(v).is_file():
            raise ConfigError(f"{cfg.where(section, key)}: [{section}] {key} file "
                              f"{cfg.resolve(v)} {_missing(cfg.resolve(v))}; paths are "
                              f"relative to the config file{_beside_corpus(cfg, v)}")
    for v in cfg["coding"]["human_sheets"]:
        if not cfg.resolve(v).is_file():
            raise ConfigError(f"{cfg.where('coding', 'human_sheets')}: coded sheet "
                              f"{cfg.resolve(v)} {_missing(cfg.resolve(v))}; paths are "
                              "relative to the config file")
    k = cfg["topics"]["k"]
    ks = k if isinstance(k, list) else [k]
    if not ks or not all(isinstance(x, int) and not isinstance(x, bool) for x in ks):
        raise ConfigError(f"{cfg.where('topics', 'k')}: [topics] k must be an integer or a "
                          "list of integers, e.g. k = [4, 6, 8]")
    if min(ks) < 2:
        raise ConfigError(f"{cfg.where('topics', 'k')}: [topics] k = {min(ks)} is out of "
                          "range; a topic model needs k >= 2")
    if len(ks) > 1 and not cfg["topics"]["select_seeds"]:
        raise ConfigError(f"{cfg.where('topics', 'select_seeds')}: choosing k from {ks} needs "
                          "at least one seed, e.g. select_seeds = [1, 2]")
    if cfg["topics"]["effects_method"] == "composition" and cfg["topics"]["model"] == "nmf":
        raise ConfigError(f"{cfg.where('topics', 'effects_method')}: effects_method = "
                          "'composition' draws from an LDA posterior; NMF has none: use "
                          "'bootstrap' or 'delta', or model = 'lda'")
    thr = cfg["coding"]["threshold"]
    if thr >= 1:
        raise ConfigError(f"{cfg.where('coding', 'threshold')}: threshold {thr} must be "
                          "at least 0 and below 1, e.g. 0.3 (or negative for the coder's "
                          "default)")
    if any(not w.strip() for w in cfg["explore"]["kwic"]):
        raise ConfigError(f"{cfg.where('explore', 'kwic')}: [explore] kwic has an empty "
                          "keyword; remove the \"\" from the list")
    cw = cfg["coding"]["context_weight"]
    if not 0 <= cw <= 1:
        raise ConfigError(f"{cfg.where('coding', 'context_weight')}: context_weight {cw} must be "
                          "between 0 and 1 (0 codes each unit on its own)")


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(type(v))


def dump_toml(data: dict[str, dict], header: str = "") -> str:
    """Write a two-level config dict as TOML (tomllib can read, not write)."""
    lines = [header.rstrip()] if header else []
    for section, keys in data.items():
        lines.append(f"\n[{section}]")
        for k, v in keys.items():
            lines.append(f"{k} = {_toml_value(v)}")
    return "\n".join(lines).lstrip("\n") + "\n"
