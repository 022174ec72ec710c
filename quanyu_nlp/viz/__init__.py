"""Figures for journals: open CJK fonts, journal presets and scikit-learn style displays."""

from .style import (CM, HATCHES, MARKERS, PALETTE, PRESETS, SEQUENTIAL_CMAP, cjk_font_source,
                    figure_size, font_path, use_style)

__all__ = ["use_style", "font_path", "cjk_font_source", "figure_size", "PALETTE", "HATCHES",
           "MARKERS", "PRESETS", "SEQUENTIAL_CMAP", "CM"]
from ._base import PROVENANCE_KEYS, Display, package_versions  # noqa: E402
from .displays import (CategoryShareOverTimeDisplay, ConfusionMatrixDisplay,  # noqa: E402
                       CooccurrenceNetworkDisplay, FrameworkDistributionDisplay,
                       FrameworkHeatmapDisplay, KeynessDisplay, KSelectionDisplay,
                       ReliabilityTableDisplay, TopicEffectsDisplay, TopicTermsDisplay,
                       WordCloudDisplay)

__all__ += ["Display", "package_versions", "PROVENANCE_KEYS",
            "FrameworkDistributionDisplay", "FrameworkHeatmapDisplay",
            "CategoryShareOverTimeDisplay", "TopicTermsDisplay", "TopicEffectsDisplay",
            "KSelectionDisplay", "KeynessDisplay", "CooccurrenceNetworkDisplay",
            "ConfusionMatrixDisplay", "ReliabilityTableDisplay", "WordCloudDisplay"]
