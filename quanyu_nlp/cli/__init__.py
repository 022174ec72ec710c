"""The ``quanyu`` command."""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import QuanyuError

# Subcommand modules, each with register(subparsers). Listed here so that the parser is
# built the same way every time and a missing optional module is an honest error.
SUBCOMMANDS = ["info", "corpus", "segment", "code", "reliability", "topics", "run"]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="quanyu",
        description="quanyu_nlp: corpus, segmentation, framework coding, topic models, "
                    "figures and reports for Chinese party-building literature.",
    )
    parser.add_argument("--version", action="version", version=f"quanyu_nlp {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            mod = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.endswith(f"cli.{name}"):
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        return int(args.func(args) or 0)
    except QuanyuError as exc:
        if debug:
            raise
        print(f"quanyu: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("quanyu: interrupted; no partial output was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
