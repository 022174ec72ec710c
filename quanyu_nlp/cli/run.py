"""``quanyu run CONFIG``: the main job — a whole analysis from one config file."""

from __future__ import annotations

import os
import sys


def run(args) -> int:
    from ..experiment import run as run_experiment
    from .corpus import notes_to_stderr

    with notes_to_stderr():
        result = run_experiment(args.config, out=args.out, resume=args.resume,
                                progress=not args.no_progress, quiet=args.quiet)
    try:
        print(f"results: {result.path}")
        if result.report.exists():  # not when [report] enabled = false
            print(f"report:  {result.report}")
        sys.stdout.flush()
    except BrokenPipeError:  # `quanyu run x.toml | head`: the run itself is complete
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def register(sub) -> None:
    p = sub.add_parser("run", help="run an experiment from a TOML config (the main job)",
                       description="Run a whole analysis from one config file and write a "
                                   "run folder with tables, figures, report and manifest.")
    p.add_argument("config", help="experiment config, e.g. experiments/demo.toml")
    p.add_argument("--out", default=None,
                   help="run folder to create (default experiments/runs/<name>-<UTC>-<hash>/)")
    p.add_argument("--resume", action="store_true",
                   help="reuse finished steps of an earlier run whose inputs match")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--quiet", action="store_true", help="print only where the results are")
    p.set_defaults(func=run)
