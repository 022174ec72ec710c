"""The ``quanyu`` command."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import QuanyuError

# Subcommand modules, each with register(subparsers). Listed here so that the parser is
# built the same way every time and a missing optional module is an honest error.
SUBCOMMANDS = ["info", "corpus", "segment", "code", "reliability", "topics", "run"]


class QuanyuArgumentParser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line, as every other user error is.

    argparse prints the whole usage block and then the error; the house rule is one
    line on stderr that names the mistake and where to look:
    ``quanyu corpus: error: the following arguments are required: path (see quanyu
    corpus --help)``.  Exit status 2, as argparse's.
    """

    def error(self, message: str):
        msg = " ".join(str(message).split())   # argparse may wrap a long choice list
        self.exit(2, f"{self.prog}: error: {msg} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = QuanyuArgumentParser(
        prog="quanyu",
        description="quanyu_nlp: corpus, segmentation, framework coding, topic models, "
                    "figures and reports for Chinese party-building literature.",
    )
    parser.add_argument("--version", action="version", version=f"quanyu_nlp {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=QuanyuArgumentParser)
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
        code = int(args.func(args) or 0)
        # Flushed here, not at interpreter exit, so a reader that left early is
        # handled below rather than reported by Python as an ignored exception.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # `quanyu corpus x | head -1`: the reader has what it wanted and left.  No
        # traceback; stdout goes to devnull so the final flush cannot fail again.
        # 141 = 128 + SIGPIPE, what `yes | head -1` reports under `set -o pipefail`.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout without a file descriptor (captured)
            pass
        return 141
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
