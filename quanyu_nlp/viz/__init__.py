"""Figures for journals: open CJK fonts, journal presets and scikit-learn style displays.

>>> from quanyu_nlp.viz import use_style, FrameworkHeatmapDisplay     # doctest: +SKIP
>>> use_style("single")                                              # doctest: +SKIP
>>> disp = FrameworkHeatmapDisplay.from_codings(codings, by="year",
...                                             docvars=corpus.units)  # doctest: +SKIP
>>> disp.plot().save("figures/fig2", provenance={"run_id": "r1"})     # doctest: +SKIP
"""

from ._base import PROVENANCE_KEYS, Display, as_frame, package_versions
from .displays import (VAR_LABELS, CategoryShareOverTimeDisplay, ConfusionMatrixDisplay,
                       CooccurrenceNetworkDisplay, FrameworkDistributionDisplay,
                       FrameworkHeatmapDisplay, KeynessDisplay, KSelectionDisplay,
                       ReliabilityTableDisplay, TopicEffectsDisplay, TopicTermsDisplay,
                       WordCloudDisplay)
from .style import (CM, HATCHES, MARKERS, PALETTE, PRESETS, SEQUENTIAL_CMAP, cjk_font_source,
                    common_font_path, figure_size, font_path, use_style)

__all__ = [
    # style
    "use_style", "font_path", "common_font_path", "cjk_font_source", "figure_size",
    "PALETTE", "HATCHES", "MARKERS", "PRESETS", "SEQUENTIAL_CMAP", "CM",
    # displays
    "Display", "FrameworkDistributionDisplay", "FrameworkHeatmapDisplay",
    "CategoryShareOverTimeDisplay", "TopicTermsDisplay", "TopicEffectsDisplay",
    "KSelectionDisplay", "KeynessDisplay", "CooccurrenceNetworkDisplay",
    "ConfusionMatrixDisplay", "ReliabilityTableDisplay", "WordCloudDisplay",
    # helpers
    "package_versions", "as_frame", "PROVENANCE_KEYS", "VAR_LABELS",
]
