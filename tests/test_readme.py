"""The README promises: its Python example runs, and CI runs its test command."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    bash = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert len(bash) == 2, "README gives two commands for a fresh machine"
    test_cmd = bash[1].strip()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # .ci/run spells the one-liner as its steps, in the same order
    steps = [s.strip() for s in test_cmd.split("&&")]
    positions = [ci.find(s) for s in steps]
    assert all(p >= 0 for p in positions), (steps, positions)
    assert positions == sorted(positions)
    assert "quanyu run experiments/demo.toml" in bash[0]


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path):
    code = re.findall(r"```python\n(.*?)```", README, re.S)[0]
    env = dict(os.environ, QUANYU_CACHE_DIR=str(tmp_path / "cache"))
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                       text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
