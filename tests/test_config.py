"""Experiment config validation: every mistake is one line naming file, line and key."""

import re
import tomllib
from pathlib import Path

import pytest

from quanyu_nlp.config import SCHEMA, dump_toml, load_config
from quanyu_nlp.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, body, name="c.toml"):
    (tmp_path / "docs").mkdir(exist_ok=True)
    (tmp_path / "docs" / "a.txt").write_text("党建引领。", encoding="utf-8")
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_demo_and_template_load():
    demo = load_config(ROOT / "experiments" / "demo.toml")
    assert demo["corpus"]["path"] == "../corpus/demo"
    assert demo["topics"]["k"] == [4, 6, 8]
    tpl = load_config(ROOT / "experiments" / "template.toml")
    raw = tomllib.loads((ROOT / "experiments" / "template.toml").read_text(encoding="utf-8"))
    # the template lists every option of the schema, with its default
    for section, keys in SCHEMA.items():
        assert set(raw[section]) == set(keys), section
        for key, (_, default, _) in keys.items():
            if section != "corpus" or key != "path":
                assert raw[section][key] == default, (section, key)
    assert tpl.hash == load_config(ROOT / "experiments" / "template.toml").hash


@pytest.mark.parametrize("body,pattern", [
    ('[corpus]\npath = "docs"\n[topics]\nk = 1\n', r"c\.toml line 4: .*k = 1 is out of range"),
    ('[corpus]\npath = "docs"\n[topic]\nk = 3\n', r"line 3: unknown section \[topic\]; did you mean \[topics\]"),
    ('[corpus]\npath = "docs"\n[topics]\nkk = 3\n', r"line 4: unknown key 'kk' in \[topics\]; did you mean 'k'"),
    ('[corpus]\npath = "docs\n', r"line 2 column \d+: TOML syntax error"),
    ('[corpus]\npath = "nowhere"\n', r"line 2: corpus path .*nowhere does not exist"),
    ('[corpus]\ntext_column = "x"\n', r"line 1: no corpus location; add path"),
    ('[corpus]\npath = "docs"\n[segment]\nbackend = "thulac"\n', r"line 4: \[segment\] backend = 'thulac' is not one of"),
    ('[experiment]\nscheduler = "tcp://h:8786"\n[corpus]\npath = "docs"\n',
     r"line 2: a Dask scheduler is only used with parallel = \"dask\""),
    ('[experiment]\nparallel = "dask"\nscheduler = "h:8786"\n[corpus]\npath = "docs"\n',
     r"line 3: scheduler = 'h:8786' is not a Dask address; write it like"),
    ('[experiment]\nparallel = "ray"\n[corpus]\npath = "docs"\n',
     r"line 2: \[experiment\] parallel = 'ray' is not one of: process, dask"),
    ('[corpus]\npath = "docs"\n[topics]\niterations = "many"\n', r"line 4: \[topics\] iterations must be int"),
    ('[corpus]\npath = "docs"\n[coding]\nenabled = 1\n', r"line 4: \[coding\] enabled must be bool"),
    ('[corpus]\npath = "docs"\n[topics]\nmodel = "nmf"\neffects_method = "composition"\n',
     r"line 5: effects_method = 'composition' draws from an LDA posterior"),
    ('[corpus]\npath = "docs"\n[topics]\neffects_method = "mcmc"\n',
     r"line 4: \[topics\] effects_method = 'mcmc' is not one of: bootstrap, delta, composition"),
    ('[corpus]\npath = "docs"\n[coding]\ncontext_weight = 2\n',
     r"line 4: context_weight 2 must be between 0 and 1"),
])
def test_config_errors_name_line_and_key(tmp_path, body, pattern):
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_config(p)
    msg = str(err.value)
    assert "\n" not in msg
    assert re.search(pattern, msg), msg


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "none.toml")


def test_dump_roundtrip(tmp_path):
    cfg = load_config(write(tmp_path, '[corpus]\npath = "docs"\n[explore]\nkwic = ["组织力"]\n'))
    again = tomllib.loads(dump_toml(cfg.data))
    assert again == cfg.data


def test_atomic_write_leaves_no_temp_and_normal_mode(tmp_path):
    import os
    from quanyu_nlp._io import atomic_output, atomic_write
    p = atomic_write(tmp_path / "a.txt", "党建")
    assert p.read_text(encoding="utf-8") == "党建"
    assert oct(os.stat(p).st_mode & 0o777) != oct(0o600)
    with pytest.raises(RuntimeError):
        with atomic_output(tmp_path / "b.csv") as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.txt"]
