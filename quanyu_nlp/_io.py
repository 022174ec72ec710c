"""Atomic output and stable hashing.

Outputs are never left half-written: every writer goes through :func:`atomic_write`
or :func:`atomic_output` (write a temporary file beside the target, then
``os.replace``) or :func:`atomic_dir` (build a folder under a temporary name, rename
it at the end).  Hashes identify corpora, configurations and frameworks in manifests.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

from .errors import OutputError

__all__ = ["atomic_write", "atomic_output", "atomic_dir", "sha256_text", "sha256_bytes",
           "stable_hash", "ensure_writable_dir", "check_output", "write_table",
           "interrupt_latch"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _public_mode(path: Path, directory: bool = False) -> None:
    """mkstemp/mkdtemp create private files (0600/0700); outputs get the usual mode."""
    try:
        os.chmod(path, (0o777 if directory else 0o666) & ~_umask())
    except OSError:
        pass


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _default(o: Any) -> Any:
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "isoformat"):
        return o.isoformat()
    return repr(o)


def stable_hash(obj: Any, length: int | None = None) -> str:
    """Hash a JSON-able object independently of dict order.

    Parameters
    ----------
    obj : object
        Anything :func:`json.dumps` can serialise (paths, sets and arrays are converted).
    length : int, optional
        Truncate the hex digest to this many characters.
    """
    blob = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=_default)
    h = sha256_text(blob)
    return h[:length] if length else h


def _no_file_in_the_way(folder: Path, cannot: str) -> None:
    """Raise when a file stands at ``folder`` or one of its parents, so that it cannot be
    made; ``cannot`` begins the message ("cannot write out.csv")."""
    for q in (folder, *folder.parents):
        if q.exists():
            if not q.is_dir():
                raise OutputError(f"{cannot}: {q} is a file, not a folder; choose another "
                                  "location")
            return


def ensure_writable_dir(path: str | os.PathLike, what: str = "output folder") -> Path:
    """Create ``path`` (and parents) or raise a one-line :class:`OutputError`."""
    p = Path(path)
    _no_file_in_the_way(p, f"{what} {p} cannot be made")
    try:
        p.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=p, prefix=".probe-", delete=True)
        probe.close()
    except OSError as exc:
        raise OutputError(f"{what} {p} is not writable ({exc.strerror or exc}); "
                          "choose another location") from None
    return p


def _folder_hint(folder: Path | str, suffix: str | None) -> str:
    """What to say when a folder was given where a file is written.

    The example file name takes the suffix of what is written (``.md`` for a Markdown
    export, ``.xlsx`` for a workbook); without one the message makes none up.
    """
    if suffix:
        return f"give a file name, e.g. {Path(folder) / ('out' + suffix)}"
    return "give the name of the file to write in it"


def _guess_suffix(data: str | bytes) -> str | None:
    """The usual suffix of ``data`` by its first characters, or None when unclear.

    Only for the message of :func:`atomic_write` when a folder was given as the path
    and the caller did not say what it writes.
    """
    if isinstance(data, bytes):
        for magic, suffix in ((b"%PDF", ".pdf"), (b"\x89PNG", ".png"),
                              (b"PK\x03\x04", ".zip")):
            if data.startswith(magic):
                return suffix
        return None
    head = data.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return ".html"
    if head.startswith(("<svg", "<?xml")):
        return ".svg" if "<svg" in head else ".xml"
    if head.startswith(("{", "[")):
        with contextlib.suppress(ValueError):
            json.loads(data)
            return ".json"
    if head.startswith(("\\begin", "\\documentclass", "\\section")) or \
            "\\begin{" in head:
        return ".tex"
    if head.startswith(("# ", "## ", "| ", "- ")):
        return ".md"
    return ".txt"


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, suffix: str | None = None, *,
                  hint_suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success.

    Parameters
    ----------
    path : path
        The file to write.
    suffix : str, optional
        Suffix of the temporary file (some writers choose the format by it, e.g.
        ``".npz"``); default the suffix of ``path``.
    hint_suffix : str, optional
        The suffix of what is written, for the message when ``path`` is a folder
        (``"e.g. results/out.md"``); default ``suffix``.  Without either the message
        names no suffix rather than a wrong one.

    Examples
    --------
    >>> with atomic_output("out.csv") as tmp:          # doctest: +SKIP
    ...     frame.to_csv(tmp, index=False)
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"output {target} is a folder; "
                          f"{_folder_hint(target, hint_suffix or suffix)}")
    _no_file_in_the_way(parent, f"cannot write {target}")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.",
                                   suffix=suffix or target.suffix or ".tmp")
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"cannot write {target} ({exc.strerror or exc}); "
                          "choose a writable location") from None
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _public_mode(tmp_path)
        try:
            os.replace(tmp_path, target)
        except OSError as exc:
            # e.g. the target became a folder, or a file held open by Excel on Windows
            raise OutputError(f"cannot write {target} ({exc.strerror or exc}); close it in "
                              "other programs or choose another name") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_table(frame: Any, path: str | os.PathLike) -> Path:
    """Write a DataFrame where a spreadsheet user will open it, atomically.

    ``.xlsx`` / ``.xlsm``: an Excel workbook (a CSV under that name does not open);
    anything else: CSV in UTF-8 with a BOM, which Excel and WPS open with the Chinese
    intact.
    """
    # a folder given as path gets CSV: what is written under a name without .xlsx
    with atomic_output(path, hint_suffix=".csv") as tmp:
        if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
            frame.to_excel(tmp, index=False, engine="openpyxl")
        else:
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


def atomic_write(path: str | os.PathLike, data: str | bytes, encoding: str = "utf-8", *,
                 suffix: str | None = None) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    ``suffix`` is the suffix of what is written (``".md"``), used only in the message
    when ``path`` is a folder; by default it is told from the data (HTML, JSON, LaTeX,
    Markdown, PDF …, else ``.txt`` for text).
    """
    hint = suffix or (_guess_suffix(data) if Path(path).is_dir() else None)
    with atomic_output(path, hint_suffix=hint) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding=encoding, newline="")
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Build a folder under a temporary name and rename it to ``path`` at the end.

    If the body raises, the temporary folder is removed and ``path`` is untouched, so
    no partial output is ever visible under the final name.
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.exists() and not target.is_dir():
        raise OutputError(f"output folder {target} is an existing file; choose a folder name "
                          "that does not exist yet")
    ensure_writable_dir(parent, "parent of the output folder")
    if target.exists() and not overwrite:
        raise OutputError(f"output folder {target} already exists; remove it or choose another")
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.partial-"))
    try:
        yield tmp
        _public_mode(tmp, directory=True)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_output(output: str | os.PathLike, inputs: Any = (), flag: str = "-o",
                 folder: bool = False, suffix: str | None = None) -> None:
    """Check, before any work, that ``output`` can be written and would destroy nothing.

    Raises a one-line :class:`OutputError` when the output is one of the inputs (or, for
    a folder that may be replaced as a whole, is or holds one), when a file output names
    a folder or a folder output names a file, or when a file stands where a parent
    folder must be.  A command that checks this first does not fail at the end of a
    long computation for want of a place to write.

    Parameters
    ----------
    output : path
        The file (or, with ``folder=True``, the folder) about to be written.
    inputs : path or list of paths
        What the command reads (``None`` entries are ignored).
    flag : str
        The option that named ``output``, for the message.
    folder : bool
        ``output`` is a folder that may be replaced as a whole (``--overwrite``).
    suffix : str, optional
        Suffix of the file written, for the example name when ``output`` is a folder;
        default the first input's suffix (a table command writes what it read).
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [x for x in inputs if x is not None]
    out = Path(output).expanduser().resolve()
    if not folder and out.is_dir():
        first = Path(inputs[0]) if inputs else None
        guess = suffix or (first.suffix if first is not None and not first.is_dir() else None)
        raise OutputError(f"{flag} {output} is a folder; {_folder_hint(output, guess)}")
    for src in inputs:
        inp = Path(src).expanduser().resolve()
        if out == inp or (out.exists() and inp.exists() and os.path.samefile(out, inp)):
            raise OutputError(f"{flag} {output} is the input {src}; writing it would "
                              "destroy your data: choose another output name")
        if folder and inp.is_relative_to(out):
            raise OutputError(f"{flag} {output} holds the input {src}; replacing it would "
                              "delete your data: choose another output folder")
    if folder and out.exists() and not out.is_dir():
        raise OutputError(f"{flag} {output} is a file; give the name of a folder to create")
    _no_file_in_the_way(out.parent, f"{flag} {output} cannot be written")


class _Latch:
    """What :func:`interrupt_latch` yields: ``check()`` raises if Ctrl-C was pressed."""

    def __init__(self) -> None:
        self.pressed = False

    def check(self) -> None:
        if self.pressed:
            raise KeyboardInterrupt


@contextlib.contextmanager
def interrupt_latch() -> Iterator[_Latch]:
    """Remember Ctrl-C even when a compiled library swallows it.

    tomotopy's training loop takes the pending SIGINT and carries on, so a Ctrl-C during
    a topic model was lost and the run went on to write its results.  Inside this
    context a SIGINT is recorded before the usual handler runs; call ``latch.check()``
    after such work (and before writing its results) to stop there.  Outside the main
    thread, where handlers cannot be set, it only yields.
    """
    import signal
    import threading

    latch = _Latch()
    if threading.current_thread() is not threading.main_thread():
        yield latch
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum, frame):
        latch.pressed = True
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield latch
    finally:
        signal.signal(signal.SIGINT, previous)
