"""Self-contained HTML report of a run (inline figures, embedded CJK font subset)."""

from .fonts import REPORT_FONT_FAMILY, font_face_css, subset_woff2
from .html import STANDARD_SECTIONS, Report, Section, build_report
from .methods import methods_paragraph

__all__ = ["Report", "Section", "build_report", "methods_paragraph", "STANDARD_SECTIONS",
           "subset_woff2", "font_face_css", "REPORT_FONT_FAMILY"]
