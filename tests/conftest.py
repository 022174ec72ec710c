"""Shared pytest fixtures and hooks (keep small; add fixtures below)."""

import warnings

import pytest


@pytest.fixture(autouse=True)
def _fail_on_missing_glyph():
    """Make any "Glyph ... missing from font(s)" warning raise, failing the test.

    matplotlib reports characters that no configured font has (Chinese drawn as empty
    boxes) through ``warn_external``, which attributes the warning to the *caller's*
    module, so pyproject's ``error::UserWarning:matplotlib.*`` filter misses it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"(?s).*Glyph \d+ .*missing from")
        yield
