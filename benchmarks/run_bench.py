"""Benchmark: the main job, `quanyu run experiments/demo.toml`, end to end.

Target (issue 7): the demo run finishes in under 60 s on a 2-core machine.  The run is
timed as a fresh subprocess (what a user types), after one warm-up run that fills the
per-machine font cache (the one-time TrueType conversion of Noto CJK, timed separately
and reported).  A reference measured in the same run, the import time of the scientific
stack the run needs, shows how fast this machine is today.

Usage::

    python benchmarks/run_bench.py [--config experiments/demo.toml] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, p


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default=str(ROOT / "experiments" / "demo.toml"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", default=None, help="write the results here")
    args = ap.parse_args()

    ref_t, _ = timed([sys.executable, "-c", "import pandas, matplotlib.pyplot, sklearn, "
                      "gensim, tomotopy, statsmodels.api"])
    font_t, p = timed([sys.executable, "-c", "from quanyu_nlp.viz import font_path; "
                       "font_path('sans')"])
    if p.returncode:
        print(p.stderr, file=sys.stderr)
        return 1
    runs = []
    steps = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat + 1):
            out = Path(tmp) / f"run{i}"
            t, p = timed([sys.executable, "-m", "quanyu_nlp.cli", "run", args.config,
                          "--out", str(out), "--quiet"])
            if p.returncode:
                print(p.stderr, file=sys.stderr)
                return 1
            if i == 0:
                continue  # warm-up: segmentation cache, bytecode, font registration
            runs.append(t)
            steps.append(json.loads((out / "manifest.json").read_text("utf-8"))["step_seconds"])
    med = statistics.median(runs)
    step_med = {k: round(statistics.median(s[k] for s in steps), 2) for k in steps[0]}
    result = {"config": args.config, "runs_s": [round(r, 2) for r in runs],
              "median_s": round(med, 2), "budget_s": 60, "ratio_to_budget": round(med / 60, 3),
              "reference_import_s": round(ref_t, 2), "ratio_to_reference": round(med / ref_t, 1),
              "font_cache_s": round(font_t, 2), "step_median_s": step_med}
    print(f"demo run: median {med:.1f} s over {len(runs)} runs (budget 60 s, "
          f"{med / 60:.2f}x); reference import {ref_t:.1f} s; font cache check {font_t:.1f} s")
    for k, v in step_med.items():
        print(f"  {k:12s} {v:6.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if med < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
