"""New-word discovery: propose terms that no dictionary knows, for a researcher to review.

A character n-gram is a good word candidate when

* it is frequent (``freq``),
* its parts stick together more than chance: *cohesion*, the pointwise mutual
  information of the weakest split, ``min over splits of log(p(w) / (p(a) p(b)))``, and
* it is used in many contexts: *freedom*, the entropy of the character just left of it
  and just right of it (a fragment like 全域党 is almost always followed by 建, so its
  right entropy is near 0).

The output is a ranked table; add the terms you accept to a user dictionary.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from ..errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["textstat_newwords"]

_HAN_RUN = re.compile("[\u4e00-\u9fff]+")
# candidates may not start or end with these function characters
_EDGE_STOP = set("的了是在和与及或等也都就而之其这那一个为以于对把被从向着过地得所很又")


def _entropy(counter: Counter) -> float:
    total = sum(counter.values())
    if total == 0:
        return 0.0
    return -sum((c / total) * math.log(c / total) for c in counter.values())


def textstat_newwords(corpus_or_texts, min_count: int = 5, max_len: int = 6,
                      min_len: int = 2, min_pmi: float = 2.0, min_entropy: float = 1.0,
                      lexicon: bool = True, user_dict=None, top: int | None = None
                      ) -> "pd.DataFrame":
    """Rank character n-grams not in any dictionary as candidate new words.

    Parameters
    ----------
    corpus_or_texts : Corpus, Tokens or list of str
    min_count : int, default 5
        Minimum frequency of a candidate.
    max_len, min_len : int
        Candidate length in characters.
    min_pmi : float, default 2.0
        Minimum cohesion (natural-log PMI of the weakest split).
    min_entropy : float, default 1.0
        Minimum of left and right branching entropy (nats).
    lexicon : bool, default True
        Treat the party lexicon as known words.
    user_dict : optional
        A user dictionary whose terms also count as known (see :func:`load_user_dict`).
    top : int, optional
        Return only the best ``top`` rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``term, n_chars, freq, pmi, left_entropy, right_entropy, score``, sorted by
        ``score = pmi + min(left_entropy, right_entropy)`` (then frequency, then term).

    Examples
    --------
    >>> texts = ["社区建起初心讲堂，初心讲堂服务骑手。", "村里的初心讲堂开门了",
    ...          "我们到初心讲堂学习", "去初心讲堂上课", "新建初心讲堂后群众满意"]
    >>> textstat_newwords(texts, min_count=3, min_entropy=0.5).term.tolist()
    ['初心讲堂']
    """
    if hasattr(corpus_or_texts, "texts"):
        texts = list(corpus_or_texts.texts)
    elif isinstance(corpus_or_texts, str):
        raise ParameterError("textstat_newwords() takes a list of texts or a Corpus, "
                             "not one string; wrap it in a list")
    else:
        texts = list(corpus_or_texts)
    if min_len < 2 or max_len < min_len:
        raise ParameterError(f"need 2 <= min_len <= max_len (got min_len={min_len}, "
                             f"max_len={max_len})")
    runs = [r for t in texts for r in _HAN_RUN.findall(t)]
    counts: Counter = Counter()
    frequent: set[str] = set()
    for n in range(1, max_len + 2):
        if n == 1:
            level = Counter(ch for r in runs for ch in r)
        else:
            # Apriori: a frequent n-gram has frequent (n-1)-gram parts, and a neighbour
            # count is needed only next to a frequent n-gram, so count an n-gram only if
            # its prefix or its suffix is frequent.  Keeps memory bounded on big corpora.
            prev = frequent
            level = Counter(g for r in runs for i in range(len(r) - n + 1)
                            if (g := r[i:i + n])[:-1] in prev or g[1:] in prev)
        counts.update(level)
        frequent = {g for g, c in level.items() if c >= min_count}
        if not frequent and n > 1:
            break
    n_chars = sum(len(r) for r in runs)
    if n_chars == 0:
        return _empty()
    from .segmenter import Segmenter

    engine = Segmenter(lexicon=lexicon, user_dict=user_dict)._build()
    known = engine.has_word
    cands = {w: c for w, c in counts.items()
             if min_len <= len(w) <= max_len and c >= min_count
             and w[0] not in _EDGE_STOP and w[-1] not in _EDGE_STOP and not known(w)}
    if not cands:
        return _empty()
    left: dict[str, Counter] = defaultdict(Counter)
    right: dict[str, Counter] = defaultdict(Counter)
    for g, c in counts.items():
        if len(g) < min_len + 1:
            continue
        if g[1:] in cands:
            left[g[1:]][g[0]] += c
        if g[:-1] in cands:
            right[g[:-1]][g[-1]] += c
    rows = []
    log_n = math.log(n_chars)
    for w, c in cands.items():
        pmi = min(math.log(c) + log_n - math.log(counts[w[:k]]) - math.log(counts[w[k:]])
                  for k in range(1, len(w)))
        le, re_ = _entropy(left[w]), _entropy(right[w])
        if pmi < min_pmi or min(le, re_) < min_entropy:
            continue
        rows.append((w, len(w), c, pmi, le, re_, pmi + min(le, re_)))
    import pandas as pd

    df = pd.DataFrame(rows, columns=["term", "n_chars", "freq", "pmi", "left_entropy",
                                     "right_entropy", "score"])
    if df.empty:
        return _empty()
    df = df.sort_values(["score", "freq", "term"], ascending=[False, False, True],
                        kind="mergesort").reset_index(drop=True)
    return df.head(top) if top else df


def _empty() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame({"term": pd.Series(dtype=object), "n_chars": pd.Series(dtype="int64"),
                         "freq": pd.Series(dtype="int64"), "pmi": pd.Series(dtype=float),
                         "left_entropy": pd.Series(dtype=float),
                         "right_entropy": pd.Series(dtype=float),
                         "score": pd.Series(dtype=float)})
