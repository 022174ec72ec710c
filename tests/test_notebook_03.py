"""Execute notebooks/03_topics.ipynb top to bottom (slow lane)."""

import pytest


@pytest.mark.slow
def test_topics_notebook_runs(run_notebook):
    text = run_notebook("03_topics.ipynb")
    assert "recommended K:" in text
    assert "stability" in text and "npmi" in text         # the select_k table
    for label in ("政治引领", "组织引领", "机制引领", "行动引领", "队伍引领"):
        assert label in text                             # seeded topic labels
    assert "ci_low" in text and "ci_high" in text        # effects with intervals
