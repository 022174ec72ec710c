"""Dictionaries: the party-building lexicon, user dictionaries and stopword lists.

All three use plain text files that a researcher can open and edit.  Dictionary files
follow jieba's format, one entry per line::

    word [freq] [pos]

separated by single spaces.  Lines starting with ``#`` are comments (jieba itself has
no comments; we allow them so the shipped lexicon can carry its version).  Every
problem is reported as a one-line :class:`~quanyu_nlp.errors.DictionaryError` naming the
file and the line, because a silently skipped line changes every downstream count.
"""

from __future__ import annotations

import difflib
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple

from .._io import sha256_text
from ..errors import DictionaryError, ParameterError

__all__ = ["DictEntry", "load_user_dict", "load_lexicon", "load_stopwords",
           "stopword_list_names", "LEXICON_VERSION",
           "win_freq", "parse_dict_text"]

#: Multiplier over jieba's ``suggest_freq`` given to a term without a frequency.  jieba's
#: suggestion only makes the whole term *tie-break* its parts in isolation; in running
#: text a neighbour can still pull a character away, so we ask for a clear margin
#: (log 50 ~ 3.9 nats) while staying far below the frequencies of common words.
WIN_MARGIN = 50

_VERSION_RE = re.compile(r"^#\s*quanyu party lexicon v(\d+\.\d+\.\d+)\s*$")
_POS_RE = re.compile(r"^[A-Za-z]{1,8}$")


class DictEntry(NamedTuple):
    """One dictionary term: the word, its frequency (``None`` = compute one) and POS tag."""

    word: str
    freq: int | None = None
    pos: str | None = None


def _data_path(name: str) -> Path:
    return Path(str(resources.files("quanyu_nlp.segment").joinpath("data", name)))


def parse_dict_text(text: str, source: str) -> list[DictEntry]:
    """Parse jieba-format dictionary text, raising one-line errors that name ``source``.

    Parameters
    ----------
    text : str
        The decoded file content.
    source : str
        File name used in error messages.

    Returns
    -------
    list of DictEntry
    """
    if text.startswith("\ufeff"):
        raise DictionaryError(f"{source} line 1 starts with a byte-order mark (BOM); "
                              "save the file as UTF-8 without BOM")
    entries: list[DictEntry] = []
    first_line: dict[str, int] = {}
    for no, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            raise DictionaryError(f"{source} line {no} ends with CRLF (Windows line ending); "
                                  "save the file with LF line endings")
        if "\t" in line:
            raise DictionaryError(f"{source} line {no} contains a tab; separate word, "
                                  "frequency and tag with single spaces")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 3:
            raise DictionaryError(f"{source} line {no} has {len(parts)} fields; expected "
                                  "'word [freq] [pos]' separated by single spaces")
        word, freq, pos = parts[0], None, None
        rest = parts[1:]
        if rest and rest[0].isdigit():
            freq = int(rest.pop(0))
            if freq <= 0:
                raise DictionaryError(f"{source} line {no}: frequency of {word!r} must be a "
                                      "positive integer")
        elif rest and len(rest) == 2:
            raise DictionaryError(f"{source} line {no}: frequency {rest[0]!r} of {word!r} is "
                                  "not a positive integer; write e.g. '{word} 100 n'".replace(
                                      "{word}", word))
        if rest:
            if not _POS_RE.match(rest[0]):
                what = "frequency" if re.match(r"^[-+0-9.eE]+$", rest[0]) else "POS tag"
                raise DictionaryError(f"{source} line {no}: {what} {rest[0]!r} of {word!r} is "
                                      "not valid; use a positive integer frequency and a "
                                      "letter tag such as n, nz, v")
            pos = rest[0]
        if word in first_line:
            raise DictionaryError(f"{source} line {no}: duplicate term {word!r} (first on line "
                                  f"{first_line[word]}); keep one entry")
        first_line[word] = no
        entries.append(DictEntry(word, freq, pos))
    return entries


def _read_text(path: Path, what: str) -> str:
    if not path.exists():
        raise DictionaryError(f"{what} {path} does not exist; check the path")
    if path.is_dir():
        raise DictionaryError(f"{what} {path} is a folder; give a text file")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DictionaryError(f"{what} {path} is not UTF-8 (byte {exc.start}); "
                              "re-save it as UTF-8") from None


def load_user_dict(source: str | os.PathLike | Iterable[str] | Mapping[str, int | None] | None
                   ) -> list[DictEntry]:
    """Load a user dictionary from a file or from code.

    Parameters
    ----------
    source : path, list of str, dict or None
        A jieba-format file (``word [freq] [pos]`` per line); a list of terms (each
        may itself be ``"word freq pos"``); or a dict ``term -> freq`` (``None`` for
        "compute a frequency that makes the term win over its parts").

    Returns
    -------
    list of DictEntry
        In file order.

    Raises
    ------
    DictionaryError
        For a BOM, CRLF line ends, tabs, a bad frequency or POS, or a duplicate term;
        the message names the file and line.

    Examples
    --------
    >>> load_user_dict({"红色驿站": None, "暖心服务": 80})
    [DictEntry(word='红色驿站', freq=None, pos=None), DictEntry(word='暖心服务', freq=80, pos=None)]
    """
    if source is None:
        return []
    if isinstance(source, (str, os.PathLike)) and not (isinstance(source, str)
                                                       and "\n" in source):
        path = Path(source)
        return parse_dict_text(_read_text(path, "user dictionary"), str(path))
    if isinstance(source, Mapping):
        entries = []
        for i, (word, freq) in enumerate(source.items(), start=1):
            _check_word(word, f"user dictionary entry {i}")
            if freq is not None and (not isinstance(freq, int) or isinstance(freq, bool)
                                     or freq <= 0):
                raise DictionaryError(f"user dictionary entry {word!r}: frequency {freq!r} is "
                                      "not a positive integer; use an int or None")
            entries.append(DictEntry(word, freq, None))
        return entries
    items = list(source)
    for i, item in enumerate(items, start=1):
        if not isinstance(item, str):
            raise DictionaryError(f"user dictionary entry {i} is {type(item).__name__}, "
                                  "not a string; give terms as strings")
    return parse_dict_text("\n".join(items), "user dictionary (list)")


def _check_word(word: object, where: str) -> None:
    if not isinstance(word, str) or not word.strip():
        raise DictionaryError(f"{where}: term {word!r} is empty or not a string")
    if any(ch.isspace() for ch in word):
        raise DictionaryError(f"{where}: term {word!r} contains whitespace; jieba terms "
                              "cannot contain spaces")


@lru_cache(maxsize=1)
def _lexicon() -> tuple[str, tuple[DictEntry, ...], str]:
    path = _data_path("party_lexicon.txt")
    text = path.read_text(encoding="utf-8")
    first = text.split("\n", 1)[0]
    m = _VERSION_RE.match(first)
    if not m:  # pragma: no cover - guards the shipped file
        raise DictionaryError(f"{path} line 1 must be '# quanyu party lexicon vX.Y.Z'")
    return m.group(1), tuple(parse_dict_text(text, str(path))), sha256_text(text)[:16]


def load_lexicon() -> list[DictEntry]:
    """The shipped party-building lexicon (see ``data/party_lexicon.txt``)."""
    return list(_lexicon()[1])


LEXICON_VERSION: str = _lexicon()[0]
#: Content hash of the lexicon file: enters the configuration hash next to the version,
#: so an edited file never reuses cached segmentations even if the version was not bumped.
LEXICON_SHA: str = _lexicon()[2]


def win_freq(jieba_rs, word: str, margin: int = WIN_MARGIN) -> int:
    """A frequency with which ``word`` beats its parts, computed like ``jieba.suggest_freq``.

    Parameters
    ----------
    jieba_rs : rjieba.Jieba
        A tokenizer holding the dictionary the term must win against.
    word : str
    margin : int
        Factor over the product of the parts' probabilities.

    Notes
    -----
    ``suggest_freq`` returns ``P(parts) * total + 1`` (or the word's own frequency if it
    already wins).  If the term is already cut whole we keep that; otherwise we ask for
    ``margin`` times the tie-breaking value.
    """
    s = int(jieba_rs.suggest_freq(word))
    if jieba_rs.cut(word, False) == [word]:
        return s
    return s * margin


_STOP_NAMES = {"zh": "stopwords_zh.txt", "party": "stopwords_party.txt"}


@lru_cache(maxsize=8)
def _stop_file(name: str) -> frozenset[str]:
    path = _data_path(_STOP_NAMES[name])
    words = set()
    for line in path.read_text(encoding="utf-8").split("\n"):
        w = line.strip()
        if w and not w.startswith("#"):
            words.add(w)
    # the '#' character itself cannot be listed as a line; it is punctuation
    if name == "zh":
        words.add("#")
    return frozenset(words)


def stopword_list_names(s: str) -> list[str] | None:
    """The built-in list names in ``s`` ("zh", "zh+party", "zh + party"), or None.

    What :func:`load_stopwords` reads as built-in lists rather than a file path; the run
    config uses it to tell the two apart in the same way.
    """
    names = [n.strip() for n in s.split("+")]
    return names if all(n in _STOP_NAMES for n in names) else None


def _stop_list_names_joined(s: str) -> str | None:
    """``s`` as "zh+party" when it joins list names with something else (, ; space)."""
    parts = [p for p in re.split(r"[+,;，；、\s]+", s.strip()) if p]
    if parts and all(p in _STOP_NAMES for p in parts):
        return "+".join(dict.fromkeys(parts))
    return None


def load_stopwords(source: str | os.PathLike | Iterable[str] = "zh") -> frozenset[str]:
    """Load stopwords.

    Parameters
    ----------
    source : str, path or iterable of str
        ``"zh"`` (curated Chinese function words and punctuation), ``"party"``
        (party-discourse boilerplate such as 坚持, 推进, 加强), both as ``"zh+party"``,
        a path to a file with one word per line, or an iterable of words.

        A list names words, not lists: an item that is a built-in list name (``["zh",
        "party"]``) or a stopword file is refused with a
        :class:`~quanyu_nlp.errors.ParameterError` that gives the fix, because it
        would otherwise remove the literal tokens "zh" and "party" and nothing else.
        To add your own words to a built-in list, combine sets:
        ``load_stopwords("zh+party") | {"红色驿站"}``.  A ``frozenset`` (what this
        function returns) is always taken as words as they are.

    Returns
    -------
    frozenset of str

    Raises
    ------
    DictionaryError
        An unknown list name, a stopword file that does not exist (the message shows
        the folder it was looked for in), is not UTF-8, has a BOM or CRLF line ends.
    ParameterError
        A list whose item is a list name or a file (see above).

    Examples
    --------
    >>> "的" in load_stopwords("zh") and "坚持" in load_stopwords("zh+party")
    True
    """
    if isinstance(source, (str, os.PathLike)):
        s = str(source)
        names = stopword_list_names(s) if isinstance(source, str) else None
        if names:
            out: set[str] = set()
            for n in names:
                out |= _stop_file(n)
            return frozenset(out)
        path = Path(s)
        if not path.exists():
            joined = _stop_list_names_joined(s)
            if joined:
                raise DictionaryError(f"unknown stopword list {s!r}; join built-in lists "
                                      f"with +: stopwords={joined!r}")
            builtin = "'zh', 'party' or 'zh+party'"
            if not any(sep in s for sep in ("/", "\\", ".")):
                close = difflib.get_close_matches(s, ["zh", "party", "zh+party"], n=1,
                                                  cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise DictionaryError(f"unknown stopword list {s!r}; {hint}use {builtin}, "
                                      "a file path or a list of words")
            # Relative paths in a notebook are read from the notebook server's working
            # folder, which is often not the notebook's own: show where we looked.
            raise DictionaryError(f"stopword file {s} does not exist (looked for "
                                  f"{path.resolve()}); check the path, or use a built-in "
                                  f"list: {builtin}")
        text = _read_text(path, "stopword file")
        if text.startswith("\ufeff"):
            raise DictionaryError(f"{path} line 1 starts with a byte-order mark (BOM); "
                                  "save the file as UTF-8 without BOM")
        words = set()
        for no, line in enumerate(text.split("\n"), start=1):
            if line.endswith("\r"):
                raise DictionaryError(f"{path} line {no} ends with CRLF (Windows line ending);"
                                      " save the file with LF line endings")
            w = line.strip()
            if w and not w.startswith("#"):
                words.add(w)
        return frozenset(words)
    words = list(source)
    if not isinstance(source, frozenset):
        _check_stopword_items(words)
    for w in words:
        if not isinstance(w, str):
            raise DictionaryError(f"stopword {w!r} is not a string; give words as strings")
    return frozenset(words)


def _check_stopword_items(words: list) -> None:
    """Refuse list items that are list names or files: they are almost never words.

    ``stopwords=["zh", "party"]`` used to remove the tokens "zh" and "party" only, and
    a Chinese text never has them, so the mistake showed in no count.
    """
    shown = repr(words[:4])[:-1] + (", …]" if len(words) > 4 else "]")
    names = [w for w in words if isinstance(w, str) and stopword_list_names(w)]
    if names:
        own = [w for w in words if isinstance(w, str) and not stopword_list_names(w)]
        joined = "+".join(dict.fromkeys(n for w in names for n in stopword_list_names(w)))
        fix = (f"stopwords={joined!r}" if not own else
               f"stopwords=load_stopwords({joined!r}) | {set(own[:3])!r}"
               + (" (and your other words)" if len(own) > 3 else ""))
        raise ParameterError(f"stopwords={shown}: {names[0]!r} is the name of a built-in "
                             f"list, but a list is read as the stopwords themselves; "
                             f"write {fix}")
    for w in words:
        if isinstance(w, str) and (w.lower().endswith(".txt") or os.sep in w or "/" in w) \
                and Path(w).is_file():
            raise ParameterError(f"stopwords={shown}: {w!r} is a file, but a list is read as "
                                 "the stopwords themselves; pass the path alone: "
                                 f"stopwords={w!r} (or load_stopwords({w!r}) | ...)")
