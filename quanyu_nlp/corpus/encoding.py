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


def decode_bytes(data: bytes, name: str = "<bytes>", encoding: str | None = None
                 ) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; newlines become ``\\n``.

    Raises
    ------
    EncodingError
        When no encoding decodes the bytes, naming ``name`` and the fix.
    InputError
        When the bytes are binary (e.g. an image renamed to .txt).
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingError(f"{name}: cannot decode as {encoding} ({exc.__class__.__name__}"
                                f" at byte {getattr(exc, 'start', '?')}); try encoding=None "
                                "to detect it") from None
        return _newlines(text.lstrip("\ufeff")), encoding
    if data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        enc = "utf-16"
    else:
        enc = _looks_utf16(data)
    if enc:
        try:
            return _newlines(data.decode(enc).lstrip("\ufeff")), enc
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: looks like a binary file, not text; "
                         "remove it from the corpus or convert it to .txt")
    for enc in ("utf-8", "gb18030"):
        try:
            return _newlines(data.decode(enc)), enc
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # the detector itself failing is the same as no answer
        best = None
    if best is not None and best.encoding:
        return _newlines(str(best)), best.encoding
    raise EncodingError(f"{name}: encoding not recognised (not UTF-8, GB18030 or UTF-16); "
                        "re-save it as UTF-8 or pass encoding=")


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
