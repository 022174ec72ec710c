"""Decoding text files whose encoding nobody wrote down.

Chinese texts arrive as UTF-8 (with or without BOM), GB18030/GBK (older Windows and
government sites) or UTF-16 (Word's "Unicode text").  We try the unambiguous answers
first (BOMs, strict UTF-8), then GB18030, and only then ask charset-normalizer, because
a statistical guess should never override a decoding that is exactly right.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import EncodingError, InputError

__all__ = ["decode_bytes", "read_text_file"]


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: every other byte NUL for ASCII-heavy text."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if z_odd > 0.3 and z_even < 0.05:
        return "utf-16-le"
    if z_even > 0.3 and z_odd < 0.05:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str = "<bytes>", encoding: str | None = None,
                 newlines: bool = True) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; newlines become ``\\n``.

    With ``newlines=False`` line endings are left as they are (for line-by-line
    commands whose output must have exactly one line per input line).

    Raises
    ------
    EncodingError
        When no encoding decodes the bytes, naming ``name`` and the fix.
    InputError
        When the bytes are binary (e.g. an image renamed to .txt).
    """
    _nl = _newlines if newlines else (lambda t: t)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise EncodingError(f"{name}: {encoding!r} is not an encoding Python knows; use "
                                "e.g. utf-8, gb18030, gbk or utf-16, or leave the encoding "
                                "unset to detect it") from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            guess = _guess(data)
            raise EncodingError(f"{name} line {line}: cannot decode as {encoding} (byte "
                                f"{exc.start})"
                                + (f"; it reads as {guess}: use that encoding"
                                   if guess else "")
                                + " or leave the encoding unset to detect it") from None
        return _nl(text.lstrip("\ufeff")), encoding
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        enc = "utf-16"
    else:
        enc = _looks_utf16(data)
    if enc:
        try:
            return _nl(data.decode(enc).lstrip("\ufeff")), enc
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: looks like a binary file, not text; "
                         "remove it from the corpus or convert it to .txt")
    for enc in ("utf-8", "gb18030"):
        try:
            return _nl(data.decode(enc)), enc
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # the detector itself failing is the same as no answer
        best = None
    if best is not None and best.encoding:
        return _nl(str(best)), best.encoding
    raise EncodingError(f"{name}: encoding not recognised (not UTF-8, GB18030 or UTF-16); "
                        "re-save it as UTF-8 or name its encoding (--encoding, or encoding "
                        "in [corpus] of a run config)")


def _guess(data: bytes) -> str | None:
    """The encoding detection would choose, or None (for hints in messages)."""
    try:
        return decode_bytes(data)[1]
    except InputError:
        return None


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: str | Path, encoding: str | None = None) -> tuple[str, str]:
    """Read a text file with encoding detection; return ``(text, encoding)``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file; check the path") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror}); check permissions") from None
    return decode_bytes(data, str(p), encoding)
