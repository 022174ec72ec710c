"""Figures for journals: open CJK fonts, journal presets and scikit-learn style displays."""

from .style import (CM, HATCHES, MARKERS, PALETTE, PRESETS, SEQUENTIAL_CMAP, cjk_font_source,
                    figure_size, font_path, use_style)

__all__ = ["use_style", "font_path", "cjk_font_source", "figure_size", "PALETTE", "HATCHES",
           "MARKERS", "PRESETS", "SEQUENTIAL_CMAP", "CM"]
