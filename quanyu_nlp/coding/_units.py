"""Turn what the user passes (a Corpus, a list of strings, a Series) into coding units.

The coders work on a small table: unit_id, doc_id, start, end, text (plus document
variables when a Corpus is given).  ``start``/``end`` are offsets into the root
document's text, so a coded unit can always be quoted verbatim.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ParameterError

__all__ = ["as_units", "as_texts", "is_corpus", "neighbour_context", "UNIT_CHOICES"]

UNIT_CHOICES = ("sentence", "paragraph", "as-is")
_UNIT_TO_LEVEL = {"sentence": "sentences", "paragraph": "paragraphs"}


def is_corpus(obj: Any) -> bool:
    """Duck-typed check for a :class:`quanyu_nlp.corpus.Corpus`."""
    return hasattr(obj, "units") and hasattr(obj, "level") and hasattr(obj, "texts")


def as_texts(obj: Any) -> list[str]:
    """The unit texts of a Corpus, a units table, a Series or a list of strings."""
    if is_corpus(obj):
        return list(obj.texts)
    if isinstance(obj, pd.DataFrame):
        if "text" not in obj.columns:
            raise ParameterError("the units table has no 'text' column; pass a Corpus, "
                                 "a list of strings or a table with a 'text' column")
        return [str(t) for t in obj["text"]]
    if isinstance(obj, str):
        return [obj]
    return ["" if t is None else str(t) for t in obj]


def _from_corpus(corpus: Any, unit: str) -> pd.DataFrame:
    level = getattr(corpus, "level", "documents")
    want = _UNIT_TO_LEVEL.get(unit)
    if want is not None and level != want:
        from ..corpus import corpus_reshape  # lazy: the corpus package is optional here

        corpus = corpus_reshape(corpus, to=want)
    u = corpus.units.copy()
    if "start" not in u.columns or u["start"].isna().all():
        u["start"] = 0
        u["end"] = u["text"].astype(str).str.len()
    if "parent_id" in u.columns and u["parent_id"].notna().any():
        # sub-units: doc_id is the root document's id (design contract)
        u["doc_id"] = u["doc_id"].where(u["doc_id"].notna(), u["parent_id"])
    u["start"] = u["start"].astype(int)
    u["end"] = u["end"].astype(int)
    return u.reset_index(drop=True)


def as_units(obj: Any, unit: str = "as-is") -> pd.DataFrame:
    """Return the coding units of ``obj`` as a DataFrame.

    Parameters
    ----------
    obj : Corpus, DataFrame, Series, list of str or str
        What to code.  Plain strings are one document each (ids ``d1``, ``d2``, …).
    unit : {"sentence", "paragraph", "as-is"}
        Cut documents into sentences or paragraphs (through
        :func:`quanyu_nlp.corpus.corpus_reshape`) or code them as they are.

    Returns
    -------
    DataFrame
        unit_id, doc_id, start, end, text, then any document variables.
    """
    if unit not in UNIT_CHOICES:
        raise ParameterError(f"unit={unit!r} is not known; use one of {', '.join(UNIT_CHOICES)}")
    if is_corpus(obj):
        return _from_corpus(obj, unit)
    if isinstance(obj, pd.DataFrame) and {"unit_id", "text"} <= set(obj.columns):
        u = obj.copy().reset_index(drop=True)
        if "doc_id" not in u.columns:
            u["doc_id"] = u["unit_id"]
        if "start" not in u.columns:
            u["start"] = 0
            u["end"] = u["text"].astype(str).str.len()
        if unit != "as-is":
            from ..corpus import corpus_from_frame

            return _from_corpus(corpus_from_frame(u.drop(columns=["start", "end"])), unit)
        return u
    texts = as_texts(obj)
    if unit != "as-is":
        from ..corpus import corpus_from_texts

        return _from_corpus(corpus_from_texts(texts), unit)
    # the same ids corpus_from_texts would give, so both routes agree
    width = max(4, len(str(len(texts))))
    ids = [f"d{i + 1:0{width}d}" for i in range(len(texts))]
    return pd.DataFrame({"unit_id": ids, "doc_id": ids, "start": 0,
                         "end": [len(t) for t in texts], "text": texts})


def neighbour_context(units: pd.DataFrame) -> list[tuple[str, str]]:
    """The previous and next unit of each unit within its document.

    Units are ordered by ``start`` inside each ``doc_id``; the first unit of a
    document has no previous unit and the last no next one (``""``).  A context never
    crosses a document boundary, so units coded as they are (one unit per document)
    have no context at all.

    Parameters
    ----------
    units : DataFrame or Corpus
        A units table with ``doc_id``, ``start`` and ``text`` (see :func:`as_units`), or
        a Corpus of sentences or paragraphs (its units, in the Corpus's order).

    Returns
    -------
    list of (str, str)
        ``(previous text, next text)`` per row of ``units``, in the table's row order.

    Examples
    --------
    >>> u = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 5, 0],
    ...                   "text": ["甲。", "乙。", "丙。"]})
    >>> neighbour_context(u)
    [('', '乙。'), ('甲。', ''), ('', '')]
    """
    if is_corpus(units):
        units = as_units(units, "as-is")
    missing = [c for c in ("doc_id", "start", "text") if c not in units.columns]
    if missing:
        raise ParameterError(f"the units table has no {', '.join(missing)} column; "
                             "neighbours need doc_id, start and text")
    out = [("", "")] * len(units)
    order = pd.DataFrame({"doc": units["doc_id"].astype(str).to_numpy(),
                          "start": pd.to_numeric(units["start"], errors="coerce").fillna(0)
                          .to_numpy(), "pos": range(len(units))})
    texts = units["text"].astype(str).tolist()
    order = order.sort_values(["doc", "start", "pos"], kind="mergesort")
    for _, g in order.groupby("doc", sort=False):
        pos = g["pos"].tolist()
        for j, i in enumerate(pos):
            prev = texts[pos[j - 1]] if j > 0 else ""
            nxt = texts[pos[j + 1]] if j + 1 < len(pos) else ""
            out[i] = (prev, nxt)
    return out
