"""Corpus: reading, structure, normalisation and reshaping of text collections."""

from .core import (LEVELS, STRUCTURAL_COLUMNS, Corpus, corpus_from_frame, corpus_from_texts,
                   corpus_sample, corpus_subset)
from .normalize import corpus_normalize, normalize_text
from .readers import SUPPORTED_SUFFIXES, read_corpus
from .reshape import corpus_reshape
from .structure import (Block, article_fields, is_article, parse_blocks, references,
                        split_sentences)

__all__ = ["Corpus", "read_corpus", "corpus_from_frame", "corpus_from_texts",
           "corpus_subset", "corpus_sample", "corpus_reshape", "corpus_normalize",
           "normalize_text", "corpus_references", "parse_blocks", "split_sentences",
           "references", "article_fields", "is_article", "Block", "LEVELS",
           "STRUCTURAL_COLUMNS", "SUPPORTED_SUFFIXES"]


def corpus_references(corpus: Corpus):
    """One row per reference of every academic article in the corpus.

    Returns
    -------
    pandas.DataFrame
        doc_id, ref_no, text, start, end.
    """
    import pandas as pd
    rows = []
    for doc_id, text in zip(corpus.documents.doc_ids, corpus.documents.texts):
        for b in references(text):
            rows.append({"doc_id": doc_id, "ref_no": b.label, "text": text[b.start:b.end],
                         "start": b.start, "end": b.end})
    return pd.DataFrame(rows, columns=["doc_id", "ref_no", "text", "start", "end"])
