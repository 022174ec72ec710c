"""``quanyu segment INPUT [-o OUT]``: segment a text file, one document per line.

The output has exactly one line per input line: the tokens separated by single spaces,
whitespace tokens dropped (an empty input line gives an empty output line).  The
output file is written atomically, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import EncodingError, InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "segment", help="segment a UTF-8 text file (one document per line) into words",
        description="Segment INPUT (UTF-8, one document per line) with the party-building "
                    "lexicon. Writes one line per input line, tokens separated by spaces.")
    p.add_argument("input", metavar="INPUT", help="UTF-8 text file, one document per line")
    p.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    p.add_argument("--encoding", default=None,
                   help="encoding of INPUT when it is not UTF-8, e.g. gb18030")
    p.add_argument("--backend", choices=("rjieba", "jieba"), default="rjieba",
                   help="segmentation engine (default rjieba; jieba is the slower reference)")
    p.add_argument("--no-lexicon", action="store_true",
                   help="do not add the party-building lexicon")
    p.add_argument("--user-dict", metavar="FILE", action="append", default=None,
                   help="user dictionary in jieba format 'word [freq] [pos]' (repeatable)")
    p.add_argument("--pos", action="store_true", help="write word/TAG with POS tags")
    p.add_argument("--no-hmm", action="store_true", help="do not join unknown words by HMM")
    p.add_argument("--no-rules", action="store_true",
                   help="turn off the rule that keeps numbered slogans whole")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="worker processes (default 1; -1 = all cores)")
    p.add_argument("--cache", action="store_true",
                   help="reuse / store the segmentation in the on-disk cache")
    p.set_defaults(func=run)


def read_lines(path_str: str, encoding: str | None = None) -> list[str]:
    """Read a text file as one document per line, with one-line errors.

    UTF-8 (a BOM is dropped) unless ``encoding`` names another; a file that is not
    UTF-8 is refused with the encoding it reads as, so the user chooses, not a guess.
    """
    from ..corpus.encoding import decode_bytes

    path = Path(path_str)
    if not path.exists():
        raise InputError(f"input file {path} does not exist; check the path")
    if path.is_dir():
        raise InputError(f"input {path} is a folder; give a text file with one document per "
                         "line (use 'quanyu corpus' for folders)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror or exc}); check permissions") \
            from None
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise InputError(f"{path} is a Word, Excel or PDF file; quanyu segment reads plain "
                         "text, one document per line: save it as .txt (UTF-8), or give it "
                         "to quanyu corpus / topics, which read these files")
    if encoding:
        text, _ = decode_bytes(data, str(path), encoding, newlines=False)
    else:
        if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{path} looks binary (contains NUL bytes); give a UTF-8 text "
                             "file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            try:
                guess = decode_bytes(data, str(path), newlines=False)[1]
            except InputError:
                guess = None
            hint = f"it reads as {guess}: pass --encoding {guess} or " if guess else ""
            raise EncodingError(f"{path} is not UTF-8 (invalid byte at line {line}); {hint}"
                                "re-save it as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 BOM is an encoding mark, not part of the first document
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start a new one
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def run(args) -> int:
    from ..segment import Segmenter

    user_dict = None
    if args.user_dict and len(args.user_dict) == 1:
        user_dict = args.user_dict[0]  # errors then name the file and line
    elif args.user_dict:
        from ..segment import load_user_dict

        user_dict = [f"{e.word}{'' if e.freq is None else ' ' + str(e.freq)}"
                     f"{'' if e.pos is None else ' ' + e.pos}"
                     for f in args.user_dict for e in load_user_dict(f)]
    if args.output:
        from .._io import check_output

        check_output(args.output, args.input, suffix=".txt")  # one line per input line
    lines = read_lines(args.input, args.encoding)
    seg = Segmenter(backend=args.backend, lexicon=not args.no_lexicon, user_dict=user_dict,
                    pos=args.pos, hmm=not args.no_hmm, slogan_rules=not args.no_rules)
    from ..parallel import effective_n_jobs

    if args.pos or args.cache or effective_n_jobs(args.jobs) > 1:
        out_lines = _via_tokens(seg, lines, args)
    else:
        # the common case streams: one line's tokens at a time, no offsets (they are
        # not written), so the CLI runs close to the raw engine's speed
        out_lines = seg.iter_joined(lines)
    if args.output:
        from .._io import atomic_output

        with atomic_output(args.output, hint_suffix=".txt") as tmp:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                _write(fh, out_lines)
    else:
        try:
            _write(sys.stdout, out_lines)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `quanyu segment x.txt | head`
            # keep Python from complaining again when it flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    return 0


def _via_tokens(seg, lines, args):
    """Lines through :class:`Tokens`: POS tags, the cache and process pools need it."""
    toks = seg.segment(lines, n_jobs=args.jobs, cache=bool(args.cache))
    if not args.pos:
        return (" ".join(u) for u in toks)
    tags = toks._flat()[4]
    ip = toks._flat()[3].tolist()
    return (" ".join(f"{w}/{t}" for w, t in zip(u, tags[ip[i]:ip[i + 1]]))
            for i, u in enumerate(toks))


def _write(fh, out_lines, batch: int = 256) -> None:
    """Write lines in batches: one write call per batch, not per line."""
    buf: list[str] = []
    for line in out_lines:
        buf.append(line)
        if len(buf) >= batch:
            fh.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        fh.write("\n".join(buf) + "\n")
