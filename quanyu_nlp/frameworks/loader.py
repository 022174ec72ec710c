"""Read and validate codebook TOML files.

The format is documented in ``docs/framework-format.md``.  Every mistake in a file
raises a one-line :class:`~quanyu_nlp.errors.FrameworkError` naming the file, the line,
the key and the fix.  :mod:`tomllib` reports line numbers only for syntax errors, so
for the other mistakes :class:`_Locator` scans the source once and records on which line
each key of each ``[[dimensions]]`` / ``[[dimensions.categories]]`` table is written.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from ..errors import FrameworkError
from .model import Category, Dimension, Framework

__all__ = ["load_framework", "list_frameworks", "build_framework"]

# Built-in codebooks ship as package data beside this module.
_DATA_DIR = Path(__file__).resolve().parent / "data"

TOP_KEYS = ("name", "title", "version", "citation", "description", "language", "dimensions")
DIM_KEYS = ("id", "label", "description", "none_label", "tie_breaks", "negative_exemplars",
            "multi_label", "categories")
CAT_KEYS = ("id", "label", "definition", "include", "exclude", "seed_terms", "exemplars")

# Category and dimension ids become column names (leadership, leadership_score) and
# keys in configs, so they are kept to ASCII identifiers.
_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")

Path_ = tuple  # a location inside the document: ("dimensions", 0, "categories", 2, "id")


class _Locator:
    """Line numbers of keys and table headers in a TOML source.

    Only array-of-tables that the format uses are resolved to indices
    (``dimensions``, ``dimensions.categories``); any other header is recorded under its
    dotted name so that an unknown table is still reported at its line.
    """

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        dim = -1
        cat = -1
        table: tuple = ()
        depth = 0          # bracket depth inside a multi-line value
        ml: str | None = None  # open multi-line string delimiter
        for lineno, line in enumerate(text.splitlines(), start=1):
            i = 0
            if ml is not None:
                end = line.find(ml)
                if end < 0:
                    continue
                i = end + 3
                ml = None
            elif depth == 0:
                m = _HEADER_RE.match(line)
                if m and not _KEY_RE.match(line):
                    parts = [p.strip().strip('"\'') for p in m.group(2).split(".")]
                    is_array = m.group(1) == "[["
                    if parts == ["dimensions"] and is_array:
                        dim, cat = dim + 1, -1
                        table = ("dimensions", dim)
                    elif parts == ["dimensions", "categories"] and is_array:
                        cat += 1
                        table = ("dimensions", dim, "categories", cat)
                    elif parts[:2] == ["dimensions", "categories"]:
                        table = ("dimensions", dim, "categories", cat, *parts[2:])
                        if len(parts) == 2:  # [dimensions.categories]: one pair of brackets
                            self.lines.setdefault(("dimensions", dim, "categories"), lineno)
                    elif parts[:1] == ["dimensions"]:
                        table = ("dimensions", dim, *parts[1:])
                    else:
                        table = tuple(parts)
                    self.lines.setdefault(table, lineno)
                    # So that a misplaced first header can still be reported at its line.
                    self.lines.setdefault(tuple(parts[:1]), lineno)
                    continue
                k = _KEY_RE.match(line)
                if k:
                    key = k.group(1).strip('"\'')
                    self.lines.setdefault(table + (key,), lineno)
                    i = line.index("=", k.end(1)) + 1 if "=" in line[k.end(1):] else k.end()
            depth, ml = self._scan(line, i, depth)

    @staticmethod
    def _scan(line: str, i: int, depth: int) -> tuple[int, str | None]:
        """Follow strings, comments and brackets to the end of ``line``."""
        n = len(line)
        while i < n:
            ch = line[i]
            if ch == "#":
                break
            if ch in "\"'":
                if line.startswith(ch * 3, i):
                    end = line.find(ch * 3, i + 3)
                    if end < 0:
                        return depth, ch * 3
                    i = end + 3
                    continue
                j = i + 1
                while j < n and line[j] != ch:
                    j += 2 if (ch == '"' and line[j] == "\\") else 1
                i = j + 1
                continue
            if ch in "[{":
                depth += 1
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
        return depth, None

    def line(self, path: tuple) -> int | None:
        """The line of ``path``, or of the closest enclosing table that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return None


class _Checker:
    """Validate the parsed TOML and build the objects, raising located errors."""

    def __init__(self, source: str, locator: _Locator | None):
        self.source = source
        self.locator = locator

    # -- error helpers -----------------------------------------------------------------
    def fail(self, path: tuple, what: str, fix: str) -> FrameworkError:
        line = self.locator.line(path) if self.locator else None
        where = f"{self.source}, line {line}" if line else self.source
        return FrameworkError(f"{where}: {what}; {fix}")

    @staticmethod
    def place(path: tuple, ctx: dict) -> str:
        if len(path) >= 4 and path[2] == "categories":
            c = ctx.get("cat_id")
            who = f"category {c!r}" if c else f"category #{path[3] + 1}"
            return (f"[[dimensions.categories]] {who} of dimension "
                    f"{ctx.get('dim_id') or '#' + str(path[1] + 1)!r}")
        if len(path) >= 2 and path[0] == "dimensions":
            d = ctx.get("dim_id")
            return f"[[dimensions]] {d!r}" if d else f"[[dimensions]] #{path[1] + 1}"
        return "the top level"

    def unknown_keys(self, table: dict, known: tuple, path: tuple, ctx: dict) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
                fix = (f"did you mean {close[0]!r}?" if close
                       else f"known keys are: {', '.join(known)}")
                raise self.fail(path + (key,), f"unknown key {key!r} in {self.place(path, ctx)}",
                                fix)

    # -- typed getters -------------------------------------------------------------------
    def get_str(self, table: dict, key: str, path: tuple, ctx: dict, *, required: bool = False,
                default: str = "") -> str:
        if key not in table:
            if required:
                raise self.fail(path, f"missing key {key!r} in {self.place(path, ctx)}",
                                f'add a line {key} = "..."')
            return default
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(path + (key,),
                            f"{key} in {self.place(path, ctx)} must be a string, "
                            f"got {_type_name(value)} {_short(value)}",
                            f'write it in quotes: {key} = "{_plain(value)}"')
        value = value.strip()
        if required and not value:
            raise self.fail(path + (key,), f"{key} in {self.place(path, ctx)} is empty",
                            f'give it a value: {key} = "..."')
        return value

    def get_list(self, table: dict, key: str, path: tuple, ctx: dict) -> tuple[str, ...]:
        if key not in table:
            return ()
        value = table[key]
        if isinstance(value, str):
            raise self.fail(path + (key,),
                            f"{key} in {self.place(path, ctx)} must be a list of strings, "
                            f"got a string {_short(value)}",
                            f'write it as a list: {key} = ["{_plain(value)}"]')
        if not isinstance(value, list):
            raise self.fail(path + (key,),
                            f"{key} in {self.place(path, ctx)} must be a list of strings, "
                            f"got {_type_name(value)} {_short(value)}",
                            f'write it as a list: {key} = ["...", "..."]')
        out = []
        for n, item in enumerate(value, start=1):
            if not isinstance(item, str):
                raise self.fail(path + (key,),
                                f"item {n} of {key} in {self.place(path, ctx)} must be a "
                                f"string, got {_type_name(item)} {_short(item)}",
                                "put every item in quotes")
            item = item.strip()
            if not item:
                raise self.fail(path + (key,),
                                f"item {n} of {key} in {self.place(path, ctx)} is empty",
                                "remove the empty string")
            out.append(item)
        return tuple(out)

    def get_tables(self, table: dict, key: str, path: tuple, ctx: dict, header: str) -> list:
        if key not in table:
            raise self.fail(path, f"{self.place(path, ctx)} has no {header} tables",
                            f"add at least one {header} table")
        value = table[key]
        if key == "dimensions" and isinstance(value, dict):
            if set(value) - {"categories"}:
                # [dimensions] with one bracket: a single table instead of an array of them.
                raise self.fail((key,), "the dimension is written under [dimensions] (one "
                                "pair of brackets)",
                                "write [[dimensions]] (two pairs) above each dimension")
            raise self.fail((key,), "a [[dimensions.categories]] table comes before any "
                            "[[dimensions]] table",
                            "put a [[dimensions]] header (with its id) above the categories")
        if key == "categories" and isinstance(value, dict):
            raise self.fail(path + (key,), f"the categories of {self.place(path, ctx)} are "
                            "written under [dimensions.categories] (one pair of brackets)",
                            "write [[dimensions.categories]] (two pairs) above each category")
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(path + (key,),
                            f"{key} in {self.place(path, ctx)} must be tables written as "
                            f"{header}, got {_type_name(value)}",
                            f"write each one under its own {header} header")
        if not value:
            raise self.fail(path + (key,), f"{key} in {self.place(path, ctx)} is empty",
                            f"add at least one {header} table")
        return value

    def get_id(self, table: dict, path: tuple, ctx: dict, example: str) -> str:
        value = self.get_str(table, "id", path, ctx, required=True)
        if not _ID_RE.match(value):
            raise self.fail(path + ("id",),
                            f"id {value!r} in {self.place(path, ctx)} is not an ASCII "
                            "identifier",
                            "use letters, digits and _ starting with a letter, "
                            f'e.g. id = "{example}"')
        return value

    # -- the document ------------------------------------------------------------------
    def framework(self, data: dict, source_path: Path | None) -> Framework:
        ctx: dict = {}
        if not any(k in data for k in TOP_KEYS):
            # An empty file, Markdown saved as .txt, an experiment config: "missing key
            # 'name'" or "unknown key 'experiment'" would send the user to fix a file
            # that was never a codebook.
            found = f" (it has {', '.join(map(repr, list(data)[:4]))})" if data else ""
            raise FrameworkError(f"{self.source} is not a codebook: it has none of the keys "
                                 f"name, version, [[dimensions]]{found}; write the codebook "
                                 f"as in {_FORMAT_DOC}")
        self.unknown_keys(data, TOP_KEYS, (), ctx)
        name = self.get_str(data, "name", (), ctx, required=True)
        if "version" in data and isinstance(data["version"], (int, float)) \
                and not isinstance(data["version"], bool):
            raise self.fail(("version",), f"version must be a string, got a number "
                            f"{data['version']!r}",
                            f'write it in quotes: version = "{data["version"]}"')
        version = self.get_str(data, "version", (), ctx, required=True)
        title = self.get_str(data, "title", (), ctx, default=name)
        citation = self.get_str(data, "citation", (), ctx)
        description = self.get_str(data, "description", (), ctx)
        language = self.get_str(data, "language", (), ctx, default="zh") or "zh"
        dims_raw = self.get_tables(data, "dimensions", (), ctx, "[[dimensions]]")
        dims: list[Dimension] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(dims_raw):
            dim = self.dimension(raw, ("dimensions", i))
            if dim.id in seen:
                raise self.fail(("dimensions", i, "id"),
                                f"duplicate dimension id {dim.id!r} (also dimension "
                                f"#{seen[dim.id] + 1})", "give each dimension its own id")
            seen[dim.id] = i
            dims.append(dim)
        return Framework(name=name, version=version, dimensions=tuple(dims), title=title,
                         citation=citation, description=description, language=language,
                         source=source_path)

    def dimension(self, raw: dict, path: tuple) -> Dimension:
        ctx: dict = {}
        did = raw.get("id") if isinstance(raw.get("id"), str) else None
        ctx["dim_id"] = did
        self.unknown_keys(raw, DIM_KEYS, path, ctx)
        did = self.get_id(raw, path, ctx, "leadership")
        ctx["dim_id"] = did
        label = self.get_str(raw, "label", path, ctx, default=did) or did
        description = self.get_str(raw, "description", path, ctx)
        none_label = self.get_str(raw, "none_label", path, ctx, default="无") or "无"
        tie_breaks = self.get_list(raw, "tie_breaks", path, ctx)
        negatives = self.get_list(raw, "negative_exemplars", path, ctx)
        multi = raw.get("multi_label", False)
        if not isinstance(multi, bool):
            raise self.fail(path + ("multi_label",),
                            f"multi_label in {self.place(path, ctx)} must be true or false, "
                            f"got {_type_name(multi)} {_short(multi)}",
                            "write multi_label = true or multi_label = false (no quotes)")
        cats_raw = self.get_tables(raw, "categories", path, ctx, "[[dimensions.categories]]")
        cats: list[Category] = []
        ids: dict[str, int] = {}
        labels: dict[str, int] = {}
        for j, craw in enumerate(cats_raw):
            cpath = path + ("categories", j)
            cat = self.category(craw, cpath, did)
            if cat.id in ids:
                raise self.fail(cpath + ("id",),
                                f"duplicate category id {cat.id!r} in dimension {did!r} "
                                f"(also category #{ids[cat.id] + 1})",
                                "give each category of a dimension its own id")
            if cat.label in labels:
                raise self.fail(cpath + ("label",),
                                f"duplicate category label {cat.label!r} in dimension {did!r} "
                                f"(also category #{labels[cat.label] + 1})",
                                "give each category of a dimension its own label")
            if cat.label == none_label:
                raise self.fail(cpath + ("label",),
                                f"category {cat.id!r} of dimension {did!r} uses the none "
                                f"label {none_label!r}",
                                "choose another label or set none_label for the dimension")
            ids[cat.id] = j
            labels[cat.label] = j
            cats.append(cat)
        # A seed term or exemplar under two categories says two things at once: the
        # dictionary coder would silently give it to the first, the model learn both.
        for key in ("seed_terms", "exemplars"):
            owner: dict[str, str] = {}
            for j, cat in enumerate(cats):
                for item in getattr(cat, key):
                    if item in owner and owner[item] != cat.id:
                        what = "seed term" if key == "seed_terms" else "exemplar"
                        raise self.fail(path + ("categories", j, key),
                                        f"{what} {_short(item, 40)} of category {cat.id!r} in "
                                        f"dimension {did!r} is also one of category "
                                        f"{owner[item]!r}",
                                        "keep it under the one category it signals")
                    owner.setdefault(item, cat.id)
        # Coding sheets accept a category's id or its label, so neither may be the other
        # category's: a cell reading "org" must mean one category.
        for j, cat in enumerate(cats):
            other = next((c for c in cats if c is not cat and c.id == cat.label), None)
            if other is not None:
                raise self.fail(path + ("categories", j, "label"),
                                f"label {cat.label!r} of category {cat.id!r} in dimension "
                                f"{did!r} is the id of category {other.id!r}",
                                "give the category a label that is no other category's id")
        return Dimension(id=did, label=label, description=description,
                         categories=tuple(cats), none_label=none_label,
                         tie_breaks=tie_breaks, negative_exemplars=negatives,
                         multi_label=multi)

    def category(self, raw: dict, path: tuple, dim_id: str) -> Category:
        ctx: dict = {"dim_id": dim_id,
                     "cat_id": raw.get("id") if isinstance(raw.get("id"), str) else None}
        self.unknown_keys(raw, CAT_KEYS, path, ctx)
        cid = self.get_id(raw, path, ctx, "political")
        label = self.get_str(raw, "label", path, ctx, required=True)
        definition = self.get_str(raw, "definition", path, ctx)
        include = self.get_list(raw, "include", path, ctx)
        exclude = self.get_list(raw, "exclude", path, ctx)
        seeds = self.get_list(raw, "seed_terms", path, ctx)
        exemplars = self.get_list(raw, "exemplars", path, ctx)
        if not definition:
            raise self.fail(path + ("definition",),
                            f"empty category: {self.place(path, ctx)} has no definition",
                            'add definition = "..." saying what the category means')
        if not seeds and not exemplars:
            raise self.fail(path, f"empty category: {self.place(path, ctx)} has neither "
                            "seed_terms nor exemplars",
                            "add seed_terms = [...] or exemplars = [...] so coders can find it")
        return Category(id=cid, label=label, definition=definition, include=include,
                        exclude=exclude, seed_terms=seeds, exemplars=exemplars)


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "a boolean",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


def _short(value: Any, n: int = 30) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _plain(value: Any) -> str:
    text = str(value).replace('"', "'")
    return text if len(text) <= 20 else text[:19] + "…"


def build_framework(data: dict[str, Any], source: str | Path | None = None) -> Framework:
    """Validate a parsed codebook and build a :class:`Framework` (no line numbers)."""
    if not isinstance(data, dict):
        raise FrameworkError(f"{source or '<dict>'}: a framework must be a table (dict), got "
                             f"{_type_name(data)}; pass the parsed TOML document")
    src_path = Path(source) if isinstance(source, (str, os.PathLike)) and source else None
    return _Checker(str(source or "<dict>"), None).framework(data, src_path)


def _builtin_names() -> list[str]:
    return sorted(p.stem for p in _DATA_DIR.glob("*.toml"))


def _builtin_title(name: str) -> str:
    """The title line of a built-in codebook, read without validating the whole file."""
    try:
        data = tomllib.loads((_DATA_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
    return f"{data.get('title', '')} {data.get('description', '')[:40]}"


def list_frameworks() -> list[str]:
    """Names of the built-in frameworks, for :func:`load_framework`.

    Examples
    --------
    >>> list_frameworks()
    ['policy-tools', 'quanyu']
    """
    return _builtin_names()


def _read_source(path: Path, shown: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FrameworkError(f"framework file {shown} does not exist; check the path or use "
                             f"a built-in name ({', '.join(_builtin_names())})") from None
    except IsADirectoryError:
        raise FrameworkError(_folder_message(path, shown)) from None
    except OSError as exc:
        raise FrameworkError(f"cannot read framework file {shown} ({exc.strerror or exc}); "
                             "check its permissions") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrameworkError(f"{shown}, line {line}: the file is not UTF-8; save it as "
                             "UTF-8 (TOML files must be UTF-8)") from None


def _parse(text: str, shown: str, source_path: Path | None) -> Framework:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS_RE.search(msg)
        reason = _TOML_POS_RE.sub("", msg).strip().rstrip(".")
        if m:
            where = f"{shown}, line {m.group(1)}, column {m.group(2)}"
        elif "end of document" in msg:
            # Something opened earlier (a list, a string) is never closed.
            reason = reason.replace("(at end of document)", "").strip()
            where = f"{shown}, line {max(1, len(text.splitlines()))} (end of the file)"
            reason += " (something opened earlier, e.g. a [ or a quote, is never closed)"
        else:
            where = shown
        fix = "fix the syntax there (strings need quotes, lists need [ ], each key once per table)"
        if "overwrite" in reason.lower() or "declare" in reason.lower():
            # tomllib's words for a key or table given twice, which in a codebook is most
            # often a [dimensions.categories] header written with one pair of brackets.
            fix = ("each key once per table, and write [[dimensions]] and "
                   "[[dimensions.categories]] with two pairs of brackets")
        raise FrameworkError(f"{where}: TOML syntax error: {reason}; {fix}") from None
    return _Checker(shown, _Locator(text)).framework(data, source_path)


def load_framework(name_or_path: str | os.PathLike | Framework) -> Framework:
    """Load a built-in framework by name or a codebook TOML file by path.

    Parameters
    ----------
    name_or_path : str, path-like or Framework
        A built-in name (see :func:`list_frameworks`: ``"quanyu"``, ``"policy-tools"``),
        or the path of a ``.toml`` file in the format of ``docs/framework-format.md``.
        A :class:`Framework` is returned unchanged, so functions can accept either.
        A folder, or a file that is plainly not TOML (Markdown such as
        :func:`~quanyu_nlp.frameworks.framework_to_markdown` writes, Word, Excel,
        PDF, JSON, YAML), is refused with a message that says so and what to pass.

    Returns
    -------
    Framework

    Raises
    ------
    FrameworkError
        Unknown built-in name, missing or unreadable file, TOML syntax error or a
        codebook mistake; the one-line message names the file, line, key and the fix.

    Examples
    --------
    >>> fw = load_framework("quanyu")
    >>> fw.dimension_ids
    ['leadership', 'results', 'practices', 'fields', 'countermeasures']
    >>> fw.labels("results")
    ['火车头', '发动机', '动车组', '乘务员', '无']
    """
    if isinstance(name_or_path, Framework):
        return name_or_path
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise FrameworkError(f"framework must be a built-in name or a path, got "
                             f"{type(name_or_path).__name__}; e.g. load_framework('quanyu')")
    text_arg = os.fspath(name_or_path)
    builtins = _builtin_names()
    if text_arg not in builtins and Path(text_arg).is_dir():
        raise FrameworkError(_folder_message(Path(text_arg), text_arg))
    # Built-in names have no suffix: "codebook.txt" or "quanyu.md" are meant as files.
    looks_like_path = (isinstance(name_or_path, os.PathLike) or bool(Path(text_arg).suffix)
                       or os.sep in text_arg or "/" in text_arg or Path(text_arg).is_file())
    if not looks_like_path:
        if text_arg in builtins:
            res = _DATA_DIR / f"{text_arg}.toml"
            return _parse(_read_source(res, res.name), res.name, res)
        close = difflib.get_close_matches(text_arg, builtins, n=1, cutoff=0.5)
        if not close:
            # A researcher may name the codebook by its title (全域党建) rather than its name.
            close = [b for b in builtins if text_arg.strip() and text_arg.strip() in
                     _builtin_title(b)][:1]
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise FrameworkError(f"no built-in framework {text_arg!r}; {hint}built-ins are: "
                             f"{', '.join(builtins)} (or pass the path of a .toml file)")
    path = Path(text_arg)
    not_toml = _NOT_TOML.get(path.suffix.lower())
    if not_toml:
        raise FrameworkError(f"{text_arg} is {not_toml}, not a TOML codebook; load_framework "
                             f"reads .toml files written as in {_FORMAT_DOC}"
                             + _EXPORT_HINT.get(path.suffix.lower(), ""))
    text = _read_source(path, text_arg)
    return _parse(text, text_arg, path.resolve())


#: Where the codebook format is explained (the messages point researchers there).
_FORMAT_DOC = "docs/framework-format.md"

#: Files a researcher may take for a codebook: the exports of framework_to_markdown and
#: framework_to_xlsx, and the formats codebooks are drafted in.  Parsed as TOML they
#: give "missing key 'name'" or a syntax error on line 3, which says nothing useful.
_NOT_TOML = {".md": "a Markdown file", ".markdown": "a Markdown file",
             ".docx": "a Word document", ".doc": "a Word document", ".pdf": "a PDF",
             ".xlsx": "an Excel workbook", ".xls": "an Excel workbook",
             ".csv": "a CSV table", ".json": "a JSON file", ".yaml": "a YAML file",
             ".yml": "a YAML file", ".html": "an HTML page", ".htm": "an HTML page"}
_EXPORT_HINT = {
    ext: ("; if it was made by framework_to_markdown, load the .toml it was made from "
          "(the Markdown is for reading, e.g. a paper's appendix)")
    for ext in (".md", ".markdown")} | {
    ext: ("; if it was made by framework_to_xlsx, load the .toml it was made from "
          "(the workbook is for coders)")
    for ext in (".xlsx", ".xls")}


def _folder_message(path: Path, shown: str) -> str:
    """A folder given where a codebook file is expected: name its .toml files, if any."""
    try:
        tomls = sorted(p.name for p in path.glob("*.toml"))
    except OSError:  # pragma: no cover - unreadable folder
        tomls = []
    if len(tomls) == 1:
        fix = f"pass the codebook file inside it: {os.path.join(shown, tomls[0])}"
    elif tomls:
        fix = (f"pass one of the .toml files inside it ({', '.join(tomls[:5])}"
               + (", …" if len(tomls) > 5 else "") + ")")
    else:
        fix = f"it has no .toml file; pass the path of a codebook written as in {_FORMAT_DOC}"
    return f"{shown} is a folder, not a codebook file; {fix}"
