"""quanyu_nlp: a research toolkit for Chinese party-building (党建) literature."""

__version__ = "0.1.0"
