"""Frameworks (codebooks) as data.

A framework is a researcher's codebook: dimensions, each with categories that have a
definition, inclusion / exclusion notes, seed terms and exemplar sentences.  Codebooks
are TOML files (format: ``docs/framework-format.md``); two ship with the package:

- ``quanyu``: the 全域党建 framework (五个引领, 四个成效, 四个做法, 八个领域, 六个对策);
- ``policy-tools``: policy instruments after Rothwell & Zegveld (供给型 / 环境型 / 需求型).

Examples
--------
>>> from quanyu_nlp.frameworks import load_framework
>>> fw = load_framework("quanyu")
>>> fw.dimension("leadership").labels
['政治引领', '组织引领', '机制引领', '行动引领', '队伍引领', '无']
"""

from .export import framework_to_markdown, framework_to_xlsx
from .loader import list_frameworks, load_framework
from .model import Category, Dimension, Framework

__all__ = ["Framework", "Dimension", "Category", "load_framework", "list_frameworks",
           "framework_to_markdown", "framework_to_xlsx"]
