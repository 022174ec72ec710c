"""Segmentation: :class:`Segmenter`, :func:`segment` and the :class:`Tokens` object.

Examples
--------
>>> from quanyu_nlp.segment import segment, tokens_remove
>>> toks = segment(["坚持党建引领，推动两个覆盖，提升组织力。"], cache=False)
>>> toks.tokens(0)
['坚持', '党建引领', '，', '推动', '两个覆盖', '，', '提升', '组织力', '。']
>>> tokens_remove(toks, stopwords="zh+party").tokens(0)
['党建引领', '两个覆盖', '组织力']
"""

from .dictionary import LEXICON_VERSION, DictEntry, load_lexicon, load_stopwords, load_user_dict
from .newwords import textstat_newwords
from .ops import tokens_ngrams, tokens_phrases, tokens_remove
from .segmenter import Segmenter, default_cache_dir, segment
from .tokens import Tokens

__all__ = ["Tokens", "Segmenter", "segment", "tokens_remove", "tokens_ngrams", "tokens_phrases",
           "load_user_dict", "load_stopwords", "load_lexicon", "textstat_newwords",
           "LEXICON_VERSION", "DictEntry", "default_cache_dir"]
