"""quanyu_nlp: a research toolkit for Chinese party-building (党建) literature.

The pieces live in submodules (``quanyu_nlp.corpus``, ``.segment``, ``.features``,
``.dfm``, ``.frameworks``, ``.coding``, ``.evidence``, ``.topics``, ``.viz``, ``.report``,
``.experiment``); the most used functions are also available here.  They are imported
on first use, so ``import quanyu_nlp`` stays fast and pulls in no heavy library.

Examples
--------
>>> import quanyu_nlp as qy
>>> run = qy.run("experiments/demo.toml")      # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "read_corpus": "corpus", "corpus_from_texts": "corpus", "corpus_from_frame": "corpus",
    "corpus_reshape": "corpus", "corpus_subset": "corpus", "corpus_sample": "corpus",
    "corpus_normalize": "corpus", "corpus_references": "corpus", "Corpus": "corpus",
    "segment": "segment", "Segmenter": "segment", "Tokens": "segment",
    "tokens_remove": "segment", "tokens_ngrams": "segment", "tokens_phrases": "segment",
    "textstat_newwords": "segment",
    "kwic": "features", "textstat_frequency": "features", "textstat_keyness": "features",
    "textstat_collocations": "features", "fcm": "features",
    "dfm": "dfm", "dfm_trim": "dfm", "dfm_weight": "dfm", "dfm_group": "dfm",
    "load_framework": "frameworks", "list_frameworks": "frameworks",
    "code": "coding", "DictionaryCoder": "coding", "SupervisedCoder": "coding",
    "sample_for_coding": "coding", "read_coding_sheet": "coding",
    "reliability_report": "coding",
    "evidence_table": "evidence",
    "LdaTopics": "topics", "NmfTopics": "topics", "SeededTopics": "topics",
    "select_k": "topics", "topic_effects": "topics",
    "use_style": "viz",
    "run": "experiment", "Run": "experiment",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'quanyu_nlp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
