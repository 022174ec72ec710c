"""Error types for user mistakes.

Every mistake a user can make (a bad file, a wrong encoding, a bad codebook, a bad
config, an unknown column) raises a :class:`QuanyuError` subclass whose message is one
line that names the file, field or line and says how to fix it.  The CLI prints that
line and exits with status 2; only ``--debug`` shows a traceback.  Programming errors
are *not* QuanyuErrors, so they keep their tracebacks.
"""

from __future__ import annotations


class QuanyuError(Exception):
    """Base class of all user-facing errors.

    Parameters
    ----------
    message : str
        One line: what is wrong, where (file, line, field) and the fix.
    """

    exit_code = 2

    def __init__(self, message: str):
        # Keep the message on one line whatever the caller passed: the CLI contract is
        # "one line on stderr".
        message = " ".join(str(message).split())
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class InputError(QuanyuError):
    """A file or folder that cannot be read as asked (missing, corrupt, binary, empty)."""


class EncodingError(InputError):
    """A text file whose encoding cannot be determined or decoded."""


class ColumnError(QuanyuError):
    """A column or document variable that does not exist in the data."""


class ConfigError(QuanyuError):
    """A bad experiment configuration (TOML syntax, unknown key, bad value)."""


class FrameworkError(QuanyuError):
    """A bad codebook / framework file (unknown key, duplicate id, empty category)."""


class DictionaryError(QuanyuError):
    """A bad user dictionary or stopword file."""


class ParameterError(QuanyuError):
    """A bad argument value (K out of range, empty corpus, unknown backend)."""


class OutputError(QuanyuError):
    """An output location that cannot be written."""
