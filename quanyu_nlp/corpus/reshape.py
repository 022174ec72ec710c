"""Reshape a corpus into paragraphs or sentences, keeping offsets into the documents."""

from __future__ import annotations

import pandas as pd

from ..errors import ParameterError
from .core import Corpus
from .structure import clause_label, parse_blocks, split_sentences

__all__ = ["corpus_reshape"]

_DROP_FROM_SUBUNITS = ("content_hash",)


def corpus_reshape(corpus: Corpus, to: str = "sentences", semicolons: str = "auto",
                   parts: tuple[str, ...] | None = None) -> Corpus:
    """Cut documents into paragraphs or sentences.

    Parameters
    ----------
    corpus : Corpus
        Any corpus; its root documents are reshaped (only those of its units).
    to : {"sentences", "paragraphs", "documents"}
    semicolons : {"auto", "always", "never"}
        How semicolon lists of policy texts are split (see :func:`split_sentences`).
    parts : tuple of str, optional
        Keep only units of these parts (``("body", "abstract")``); default keeps all,
        so titles, headings and references stay available with their ``part``.

    Returns
    -------
    Corpus
        Units with ``parent_id`` (root document), ``start``/``end`` offsets into its
        text, ``section`` path, ``para_no``, ``sent_no`` and ``part``.
    """
    if to not in ("sentences", "paragraphs", "documents"):
        raise ParameterError(f"corpus_reshape(to={to!r}): use 'sentences', 'paragraphs' "
                             "or 'documents'")
    docs = corpus.documents
    wanted = list(dict.fromkeys(corpus.doc_ids))
    dunits = docs._units
    dunits = dunits[dunits["doc_id"].isin(set(wanted))]
    if to == "documents":
        return docs._derive(dunits, level="documents",
                            step={"step": "corpus_reshape", "to": to}, documents=None)
    rows = []
    dv_cols = [c for c in dunits.columns
               if c not in ("unit_id", "doc_id", "text") and c not in _DROP_FROM_SUBUNITS]
    for rec in dunits.itertuples(index=False):
        rec = rec._asdict()
        text, doc_id = rec["text"], rec["doc_id"]
        dv = {c: rec[c] for c in dv_cols}
        sent_no = 0
        for p_no, b in enumerate(parse_blocks(text), start=1):
            if parts and b.part not in parts:
                if to == "sentences":
                    sent_no += len(split_sentences(text, b.start, b.end, semicolons))
                continue
            if to == "paragraphs":
                rows.append({"unit_id": f"{doc_id}.p{p_no:04d}", "doc_id": doc_id,
                             "text": text[b.start:b.end], "parent_id": doc_id,
                             "start": b.start, "end": b.end, "section": b.section,
                             "para_no": p_no, "sent_no": pd.NA, "part": b.part, **dv})
                continue
            spans = ([(b.start, b.end)] if b.part in ("reference", "keywords", "title",
                                                     "author", "affiliation")
                     else split_sentences(text, b.start, b.end, semicolons))
            for s, e in spans:
                sent_no += 1
                sent = text[s:e]
                clause = clause_label(sent)
                section = b.section + (" > " if b.section and clause else "") + clause
                rows.append({"unit_id": f"{doc_id}.s{sent_no:04d}", "doc_id": doc_id,
                             "text": sent, "parent_id": doc_id, "start": s, "end": e,
                             "section": section, "para_no": p_no, "sent_no": sent_no,
                             "part": b.part, **dv})
    cols = ["unit_id", "doc_id", "text", "parent_id", "start", "end", "section", "para_no",
            "sent_no", "part", *dv_cols]
    units = pd.DataFrame(rows, columns=cols)
    for c in ("start", "end", "para_no", "sent_no"):
        units[c] = units[c].astype("Int64")
    return corpus._derive(units, level=to, documents=docs,
                          step={"step": "corpus_reshape", "to": to, "semicolons": semicolons,
                                "parts": list(parts) if parts else None,
                                "units": len(units)})
