"""Coding text against a framework (codebook), and validating the coding.

- :class:`DictionaryCoder` — seed terms with negation and purpose-clause handling, and
  word2vec seed expansion proposed for the researcher to accept or reject;
- :class:`SupervisedCoder` — word + character n-gram TF-IDF, class balancing,
  calibrated probabilities, one model per dimension;
- :func:`code` / :class:`FrameworkCoder` — the default: lexicon + a model of the
  framework's exemplars + the codebook's tie-breaks + each unit's neighbours in its
  document (:func:`neighbour_context`); works with zero user labels and improves with
  them;
- :class:`Codings` — tidy rows unit_id, doc_id, start, end, dimension, category, score,
  method;
- validation: :func:`sample_for_coding`, :func:`read_coding_sheet`, :func:`cohen_kappa`,
  :func:`krippendorff_alpha`, :func:`percent_agreement`, :func:`reliability_report`,
  :func:`cross_validate_coder`, :func:`suggest_units_to_code`.

Examples
--------
>>> from quanyu_nlp.coding import code
>>> c = code(["社区党委组建党建联合体，把新就业群体纳入组织覆盖。"], unit="as-is")  # doctest: +SKIP
>>> c.wide()[["leadership", "results"]]                                         # doctest: +SKIP
"""

from .codings import CODING_COLUMNS, Codings
from .default import FrameworkCoder, code
from .dictionary import DictionaryCoder
from .rules import RULES, Rule, apply_rules
from ._units import neighbour_context
from .supervised import SupervisedCoder
from .validation import (CrossValidationReport, cohen_kappa, cross_validate_coder,
                         krippendorff_alpha, percent_agreement, read_coding_sheet,
                         reliability_report, sample_for_coding, suggest_units_to_code)

__all__ = ["Codings", "CODING_COLUMNS", "code", "FrameworkCoder", "DictionaryCoder",
           "SupervisedCoder", "Rule", "RULES", "apply_rules", "sample_for_coding",
           "read_coding_sheet", "cohen_kappa", "krippendorff_alpha", "percent_agreement",
           "reliability_report", "cross_validate_coder", "CrossValidationReport",
           "suggest_units_to_code", "neighbour_context"]
