"""Execute notebooks/01_quickstart.ipynb top to bottom (slow lane)."""

import pytest


@pytest.mark.slow
def test_quickstart_notebook_runs(run_notebook):
    text = run_notebook("01_quickstart.ipynb")
    assert "党建联合体" in text            # KWIC and frequency tables show the concept
    assert "matches in" in text            # the KWIC summary line was printed
    assert "G2" in text and "log_ratio" in text  # keyness table
    assert "lambda" in text                # collocations table
