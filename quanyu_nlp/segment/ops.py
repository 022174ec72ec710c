"""Transforms of :class:`Tokens`: removal, n-grams and phrase detection.

Each returns a new :class:`Tokens`; offsets always point into the original unit text.
A merged token (an n-gram or a detected phrase) spans from the start of its first part
to the end of its last part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress

import numpy as np

from ..errors import ParameterError
from .dictionary import load_stopwords
from .tokens import Tokens

__all__ = ["tokens_remove", "tokens_ngrams", "tokens_phrases"]


def _check(toks) -> None:
    if not isinstance(toks, Tokens):
        raise ParameterError(f"expected Tokens (from segment()), got {type(toks).__name__}")


def _keep(toks: Tokens, keep: np.ndarray, step: dict) -> Tokens:
    flat, starts, ends, indptr, pos = toks._flat()
    kc = np.zeros(len(flat) + 1, dtype=np.int64)
    np.cumsum(keep, out=kc[1:])
    new_flat = list(compress(flat, keep))
    new_pos = list(compress(pos, keep)) if pos is not None else None
    return toks._with(new_flat, starts[keep], ends[keep], kc[indptr], new_pos, step)


def tokens_remove(toks: Tokens, stopwords: str | Iterable[str] | None = None,
                  min_len: int | None = None, max_len: int | None = None,
                  pos: Iterable[str] | None = None, keep_pos: Iterable[str] | None = None
                  ) -> Tokens:
    """Remove stopwords, too short or too long tokens, or tokens by POS tag.

    Parameters
    ----------
    toks : Tokens
    stopwords : {"zh", "party", "zh+party"}, path, iterable of str or None
        See :func:`load_stopwords`.
    min_len, max_len : int, optional
        Keep tokens with ``min_len <= len(token) <= max_len`` characters.
    pos : iterable of str, optional
        POS tags to remove (e.g. ``["x", "uj"]``); a tag matches itself and its
        sub-tags (``"n"`` matches ``n``, ``nr``, ``nz`` …).  Needs ``segment(pos=True)``.
    keep_pos : iterable of str, optional
        Keep only these POS tags (same prefix matching).

    Returns
    -------
    Tokens

    Examples
    --------
    >>> from quanyu_nlp.segment import segment
    >>> t = segment(["坚持党建引领，提升组织力。"], cache=False)
    >>> tokens_remove(t, stopwords="zh+party", min_len=2).tokens(0)
    ['党建引领', '组织力']
    """
    _check(toks)
    flat, _, _, _, tags = toks._flat()
    keep = np.ones(len(flat), dtype=bool)
    step: dict = {"step": "tokens_remove"}
    if stopwords is not None:
        sw = load_stopwords(stopwords)
        keep &= ~np.fromiter(map(sw.__contains__, flat), dtype=bool, count=len(flat))
        step["stopwords"] = stopwords if isinstance(stopwords, str) else sorted(sw)
    if min_len is not None or max_len is not None:
        lens = np.fromiter(map(len, flat), dtype=np.int64, count=len(flat))
        if min_len is not None:
            keep &= lens >= int(min_len)
            step["min_len"] = int(min_len)
        if max_len is not None:
            keep &= lens <= int(max_len)
            step["max_len"] = int(max_len)
    for name, tagset, drop in (("pos", pos, True), ("keep_pos", keep_pos, False)):
        if tagset is None:
            continue
        if tags is None:
            raise ParameterError(f"{name}= needs POS tags; segment with pos=True "
                                 "(quanyu segment --pos)")
        tagset = tuple([tagset] if isinstance(tagset, str) else tagset)
        hit = np.fromiter((t.startswith(tagset) for t in tags), dtype=bool, count=len(tags))
        keep &= ~hit if drop else hit
        step[name] = list(tagset)
    return _keep(toks, keep, step)


def tokens_ngrams(toks: Tokens, n: int | Sequence[int] = 2, sep: str = "_") -> Tokens:
    """Token n-grams within each unit.

    Parameters
    ----------
    toks : Tokens
    n : int or sequence of int, default 2
        ``2`` gives bigrams; ``(1, 2)`` gives unigrams then bigrams.
    sep : str, default "_"
        Joins the parts of an n-gram.

    Returns
    -------
    Tokens
        Each n-gram spans from its first to its last part (so ``text[start:end]`` is the
        stretch of text the n-gram covers).  POS is dropped.

    Examples
    --------
    >>> from quanyu_nlp.segment import segment
    >>> tokens_ngrams(segment(["提升组织力"], cache=False)).tokens(0)
    ['提升_组织力']
    """
    _check(toks)
    ns = [n] if isinstance(n, int) else list(n)
    if not ns or any(not isinstance(k, int) or k < 1 for k in ns):
        raise ParameterError(f"n={n!r} must be a positive integer or a list of them")
    flat, starts, ends, indptr, _ = toks._flat()
    s_l, e_l, ip = starts.tolist(), ends.tolist(), indptr.tolist()
    out, os_, oe, counts = [], [], [], []
    for i in range(len(toks)):
        a, b = ip[i], ip[i + 1]
        m = b - a
        c = 0
        for k in ns:
            for j in range(a, b - k + 1):
                out.append(flat[j] if k == 1 else sep.join(flat[j:j + k]))
                os_.append(s_l[j])
                oe.append(e_l[j + k - 1])
            c += max(0, m - k + 1)
        counts.append(c)
    new_ip = np.zeros(len(toks) + 1, dtype=np.int64)
    np.cumsum(counts, out=new_ip[1:])
    return toks._with(out, np.asarray(os_, dtype=np.int64), np.asarray(oe, dtype=np.int64),
                      new_ip, None, {"step": "tokens_ngrams", "n": ns, "sep": sep})


_DELIM = "\x1f"  # gensim's internal joiner: a control character no token contains


def tokens_phrases(toks: Tokens, min_count: int = 5, threshold: float = 10.0,
                   scoring: str = "default", connector: str = "",
                   connector_words: Iterable[str] = ()) -> Tokens:
    """Join frequent collocations into single tokens with gensim's ``Phrases``.

    Parameters
    ----------
    toks : Tokens
    min_count : int, default 5
        Ignore token pairs seen fewer times.
    threshold : float, default 10.0
        Score above which a pair becomes a phrase (gensim's ``default`` or ``npmi``).
    scoring : {"default", "npmi"}
    connector : str, default ""
        Joins the parts; ``""`` makes the phrase read like the text (组织 + 覆盖 → 组织覆盖).
    connector_words : iterable of str
        Words allowed inside a phrase without starting or ending it (gensim semantics).

    Returns
    -------
    Tokens
        Phrase tokens span from their first to their last part; the step (with the
        phrases found) is recorded in ``meta["steps"]``.
    """
    _check(toks)
    from gensim.models.phrases import Phrases

    if scoring not in ("default", "npmi"):
        raise ParameterError(f"scoring={scoring!r}; use 'default' or 'npmi'")
    lists = toks.to_lists()
    model = Phrases(lists, min_count=int(min_count), threshold=float(threshold),
                    delimiter=_DELIM, scoring=scoring,
                    connector_words=frozenset(connector_words)).freeze()
    flat, starts, ends, indptr, tags = toks._flat()
    s_l, e_l, ip = starts.tolist(), ends.tolist(), indptr.tolist()
    out, os_, oe, op, counts = [], [], [], ([] if tags is not None else None), []
    found: dict[str, int] = {}
    for i, sent in enumerate(lists):
        a = ip[i]
        j = 0
        c = 0
        for word, score in model.analyze_sentence(sent):
            if score is None:
                k = 1
            else:
                # how many source tokens this phrase consumed
                k = 2
                while _DELIM.join(sent[j:j + k]) != word:
                    k += 1
                    if j + k > len(sent):  # pragma: no cover - gensim contract
                        raise RuntimeError("gensim phrase does not match its tokens")
            parts = sent[j:j + k]
            tok = parts[0] if k == 1 else connector.join(parts)
            out.append(tok)
            os_.append(s_l[a + j])
            oe.append(e_l[a + j + k - 1])
            if op is not None:
                op.append(tags[a + j] if k == 1 else "phrase")
            if k > 1:
                found[tok] = found.get(tok, 0) + 1
            j += k
            c += 1
        counts.append(c)
    new_ip = np.zeros(len(toks) + 1, dtype=np.int64)
    np.cumsum(counts, out=new_ip[1:])
    step = {"step": "tokens_phrases", "min_count": int(min_count), "threshold": float(threshold),
            "scoring": scoring, "phrases": dict(sorted(found.items(), key=lambda kv: -kv[1]))}
    return toks._with(out, np.asarray(os_, dtype=np.int64), np.asarray(oe, dtype=np.int64),
                      new_ip, op, step)
