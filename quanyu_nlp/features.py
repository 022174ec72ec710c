"""Exploring tokens: KWIC, frequencies, keyness, collocations, co-occurrence.

Everything here takes ``Tokens`` (from :func:`quanyu_nlp.segment.segment`), a plain
list of token lists, or (where it makes sense) a :class:`~quanyu_nlp.dfm.Dfm`, and
returns a pandas DataFrame (``textstat_*``), a :class:`Kwic` table with a highlighted
HTML view, or an :class:`Fcm` co-occurrence matrix.

The statistics follow quanteda's definitions so results can be compared with R:
keyness is the signed log-likelihood G2 / chi-squared of a 2x2 table per feature;
collocations use quanteda's lambda (the interaction term of a saturated log-linear
model on the 2^n table, +0.5 smoothing) and z = lambda / SE.

Examples
--------
>>> toks = [["党建", "联合体", "带动", "村"], ["村", "党建", "联合体"]]
>>> textstat_frequency(toks).head(2)[["feature", "frequency", "rank"]].values.tolist()
[['党建', 2, 1], ['联合体', 2, 1]]
>>> kwic(toks, "党建 联合体", window=1)[["unit_id", "pre", "keyword", "post"]].values.tolist()
[['text1', '', '党建 联合体', '带动'], ['text2', '村', '党建 联合体', '']]
"""

from __future__ import annotations

import fnmatch
import html
import re
import unicodedata

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from .dfm import Dfm, _resolve_rows, _TokenSource, dfm, dfm_group
from .errors import ColumnError, ParameterError

__all__ = [
    "kwic",
    "Kwic",
    "textstat_frequency",
    "textstat_keyness",
    "textstat_collocations",
    "fcm",
    "Fcm",
]

_KWIC_COLUMNS = ["unit_id", "doc_id", "token_start", "token_end", "char_start", "char_end",
                 "pre", "keyword", "post"]


# ======================================================================================
# KWIC
# ======================================================================================
class Kwic(pd.DataFrame):
    """A KWIC table (a DataFrame) whose Jupyter view highlights the keyword.

    Columns: unit_id, doc_id, token_start, token_end (``tokens[token_start:token_end]``
    is the match), char_start, char_end (offsets into the unit's text; ``<NA>`` when
    the tokens carry no offsets), pre, keyword, post.
    """

    _metadata = ["pattern"]

    @property
    def _constructor(self):
        return Kwic

    def _repr_html_(self, max_rows: int = 100) -> str:  # noqa: D401 - Jupyter hook
        if not {"pre", "keyword", "post"} <= set(self.columns):
            return pd.DataFrame(self)._repr_html_()
        def esc(v) -> str:
            # verbatim context may hold line breaks: show them instead of losing them
            return html.escape(str(v)).replace(
                "\n", "<span style='color:#999'>&#8629;</span>")

        pat = getattr(self, "pattern", None)
        title = (f"<p><b>KWIC</b> {esc(str(pat))!s}: {len(self)} match"
                 f"{'es' if len(self) != 1 else ''}</p>") if pat is not None else (
            f"<p><b>KWIC</b>: {len(self)} matches</p>")
        rows = []
        for r in self.head(max_rows).itertuples(index=False):
            d = r._asdict()
            where = esc(str(d.get("doc_id", "")))
            if "unit_id" in d and d["unit_id"] != d.get("doc_id"):
                where += f" <small>[{esc(str(d['unit_id']))}]</small>"
            rows.append(
                "<tr>"
                f"<td style='text-align:left;color:#666'>{where}</td>"
                f"<td style='text-align:right;white-space:nowrap'>{esc(str(d['pre']))}</td>"
                f"<td style='text-align:center;white-space:nowrap'><mark><b>"
                f"{esc(str(d['keyword']))}</b></mark></td>"
                f"<td style='text-align:left;white-space:nowrap'>{esc(str(d['post']))}</td>"
                "</tr>")
        more = (f"<p>&hellip; {len(self) - max_rows} more rows</p>"
                if len(self) > max_rows else "")
        return (title + "<table class='quanyu-kwic'><thead><tr><th>document</th>"
                "<th style='text-align:right'>pre</th><th>keyword</th>"
                "<th style='text-align:left'>post</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>" + more)


def _element_regex(p: str, valuetype: str, ci: bool):
    flags = re.IGNORECASE if ci else 0
    try:
        if valuetype == "glob":
            return re.compile(fnmatch.translate(p), flags).match
        if valuetype == "regex":
            return re.compile(p, flags).search
    except re.error as exc:
        raise ParameterError(f"kwic: bad pattern {p!r}: {exc}") from None
    raise ParameterError(f"unknown valuetype {valuetype!r}; use 'fixed', 'glob' or 'regex'")


def _match_spans(lists: list[list[str]], pattern, valuetype: str, ci: bool):
    """Yield (unit, start, end) for every match; ``end`` is exclusive."""
    if valuetype not in ("fixed", "glob", "regex"):
        raise ParameterError(f"kwic: unknown valuetype {valuetype!r}; use 'fixed', 'glob' "
                             "or 'regex'")
    if isinstance(pattern, str):
        pattern = [pattern]
    alternatives = []
    for p in pattern:
        if not isinstance(p, str) or not p.strip():
            raise ParameterError(f"kwic: empty or non-string pattern {p!r}")
        alternatives.append(p.split())
    types = {t for toks in lists for t in toks}
    fold = (lambda s: s.casefold()) if ci else (lambda s: s)
    spans = set()
    for elems in alternatives:
        # Match at the level of token types once, then scan positions by set lookup.
        sets = []
        for e in elems:
            if valuetype == "fixed":
                fe = fold(e)
                sets.append({t for t in types if fold(t) == fe})
            else:
                m = _element_regex(e, valuetype, ci)
                sets.append({t for t in types if m(t)})
        L = len(elems)
        s0 = sets[0]
        for u, toks in enumerate(lists):
            n = len(toks)
            for i in [i for i, t in enumerate(toks) if t in s0]:
                if i + L <= n and all(toks[i + k] in sets[k] for k in range(1, L)):
                    spans.add((u, i, i + L))
        if valuetype == "fixed" and L == 1 and len(elems[0]) > 1:
            # A pattern written without spaces ("党建联合体") also matches a run of whole
            # tokens that spells it ("党建" "联合体"), so a KWIC does not depend on how
            # the segmenter happened to cut the term.
            target = fold(elems[0])
            prefixes = {t for t in types if t and len(t) < len(target)
                        and target.startswith(fold(t))}
            if prefixes:
                for u, toks in enumerate(lists):
                    n = len(toks)
                    for i in [i for i, t in enumerate(toks) if t in prefixes]:
                        acc = fold(toks[i])
                        j = i + 1
                        while j < n and len(acc) < len(target):
                            acc += fold(toks[j])
                            j += 1
                            if not target.startswith(acc):
                                break
                        if acc == target:
                            spans.add((u, i, j))
    return sorted(spans)


def kwic(tokens, pattern, window: int = 5, valuetype: str = "fixed",
         case_insensitive: bool = True, sep: str | None = None) -> Kwic:
    """Keywords in context.

    Parameters
    ----------
    tokens : Tokens or list of list of str
        Segmented text.  With ``Tokens`` that carry offsets, the context is cut from the
        original text (verbatim, citable) and ``char_start``/``char_end`` are filled.
    pattern : str or list of str
        A token, or several tokens separated by spaces for a multi-token phrase
        (``"党建 联合体"``); a list gives alternatives.  With ``valuetype="fixed"`` a
        pattern without spaces also matches consecutive tokens that spell it
        (``"党建联合体"`` finds 党建/联合体 as well as the single token 党建联合体).
    window : int
        Tokens of context on each side.
    valuetype : {"fixed", "glob", "regex"}
        How each pattern element is matched against a token: exactly, as a glob
        (``党*``, whole token) or as a regular expression (searched in the token).
    case_insensitive : bool
        For Latin letters.
    sep : str, optional
        Join context tokens with this separator instead of cutting verbatim text.
        Default: verbatim text when offsets are available, else a single space.

    Returns
    -------
    Kwic
        A DataFrame subclass, one row per match (overlapping matches included), in
        unit and position order.

    Examples
    --------
    >>> k = kwic([["支部", "建在", "村", "上"]], "村", window=1)
    >>> k[["pre", "keyword", "post"]].values.tolist()
    [['建在', '村', '上']]
    """
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ParameterError(f"kwic: window must be an integer >= 0, got {window!r}")
    src = _TokenSource(tokens, "kwic")
    spans = _match_spans(src.lists, pattern, valuetype, case_insensitive)
    obj = src.obj
    has_offsets = obj is not None and callable(getattr(obj, "offsets", None)) and hasattr(
        obj, "texts")
    texts = obj.texts if has_offsets else None
    verbatim = has_offsets and sep is None
    jsep = " " if sep is None else sep
    offsets_cache: dict[int, list] = {}
    rows = []
    for u, i, j in spans:
        toks = src.lists[u]
        a, b = max(0, i - window), min(len(toks), j + window)
        cs = ce = pd.NA
        if has_offsets:
            if u not in offsets_cache:
                offsets_cache[u] = list(obj.offsets(u))
            off = offsets_cache[u]
            cs, ce = int(off[i][0]), int(off[j - 1][1])
        if verbatim:
            text = texts[u]
            pre = text[off[a][0]:cs] if a < i else ""
            kw = text[cs:ce]
            post = text[ce:off[b - 1][1]] if b > j else ""
        else:
            pre, kw, post = jsep.join(toks[a:i]), jsep.join(toks[i:j]), jsep.join(toks[j:b])
        rows.append((src.unit_ids[u], src.doc_ids[u], i, j, cs, ce, pre, kw, post))
    frame = pd.DataFrame(rows, columns=_KWIC_COLUMNS)
    for c in ("token_start", "token_end"):
        frame[c] = frame[c].astype("int64")
    for c in ("char_start", "char_end"):
        frame[c] = frame[c].astype("Int64")
    out = Kwic(frame)
    out.pattern = pattern
    return out


# ======================================================================================
# Frequencies
# ======================================================================================
def _as_dfm(x, what: str) -> Dfm:
    return x if isinstance(x, Dfm) else dfm(x)


def _group_codes(d: Dfm, groups, what: str):
    if isinstance(groups, str):
        dv = d._docvars
        if groups not in dv.columns:
            raise ColumnError(f"{what}: no document variable {groups!r}; available: "
                              f"{', '.join(map(str, dv.columns)) or '(none)'}")
        labels = dv[groups]
    else:
        labels = pd.Series(list(groups))
        if len(labels) != d.n_units:
            raise ParameterError(f"{what}: {len(labels)} group labels for {d.n_units} units")
    try:
        codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    except TypeError:
        codes, uniques = pd.factorize(labels, sort=False, use_na_sentinel=False)
    return codes, list(uniques)


def textstat_frequency(x, n: int | None = None, groups=None) -> pd.DataFrame:
    """Feature frequencies, optionally within groups.

    Parameters
    ----------
    x : Tokens, list of token lists, or Dfm
    n : int, optional
        Keep the ``n`` most frequent features (per group).
    groups : str or array-like, optional
        A document variable (e.g. ``"field"``) or one label per unit.

    Returns
    -------
    DataFrame
        feature, frequency, rank (1 = most frequent; ties share the lowest rank),
        docfreq (units containing the feature), group (``"all"`` without groups).
        Sorted by group, then frequency descending, ties in feature order.
    """
    d = _as_dfm(x, "textstat_frequency")
    m = d.matrix
    feats = np.array(d._features, dtype=object)
    if groups is None:
        codes, labels = np.zeros(d.n_units, dtype=np.int64), ["all"]
    else:
        codes, labels = _group_codes(d, groups, "textstat_frequency")
    g = len(labels)
    G = sp.csr_matrix((np.ones(d.n_units), (codes, np.arange(d.n_units))),
                      shape=(g, d.n_units))
    B = m.copy()
    B.data = (B.data != 0).astype(np.float64)
    freq = (G @ m).toarray() if g else np.zeros((0, d.n_features))
    dfq = (G @ B).toarray() if g else np.zeros((0, d.n_features))
    integral = d.weighting in ("count", "boolean")
    parts = []
    for k in range(g):
        f = freq[k]
        nz = np.flatnonzero(f != 0)
        order = nz[np.argsort(-f[nz], kind="stable")]
        if n is not None:
            order = order[: int(n)]
        fv = f[order]
        rank = stats.rankdata(-fv, method="min").astype("int64") if len(fv) else fv
        parts.append(pd.DataFrame({
            "feature": feats[order],
            "frequency": fv.astype("int64") if integral else fv,
            "rank": np.asarray(rank, dtype="int64"),
            "docfreq": dfq[k][order].astype("int64"),
            "group": [labels[k]] * len(order),
        }))
    if not parts:
        return pd.DataFrame(columns=["feature", "frequency", "rank", "docfreq", "group"])
    return pd.concat(parts, ignore_index=True)


# ======================================================================================
# Keyness
# ======================================================================================
def _rows_mask(d: Dfm, spec, what: str) -> np.ndarray:
    if isinstance(spec, str) and spec not in d._unit_ids:
        raise ParameterError(f"{what}: {spec!r} is not a unit id (or a group label when "
                             "groups= is given); pass a mask, a list of unit ids or a "
                             "(docvar, value) tuple such as ('field', '农村')")
    return _resolve_rows(d.n_units, d._unit_ids, d._docvars, spec, what)


def textstat_keyness(x, target, reference=None, measure: str = "lr", groups=None,
                     correction: str = "none") -> pd.DataFrame:
    """Which features are over-represented in a target set of units vs a reference.

    For each feature a 2x2 table (feature / other features x target / reference) gives
    the log-likelihood statistic G2 and Pearson's chi-squared, each signed negative
    when the feature is *under*-represented in the target, with p-values from the
    chi-squared distribution on 1 df (:func:`scipy.stats.chi2`).

    Parameters
    ----------
    x : Tokens, list of token lists, or Dfm (counts)
    target : boolean mask, list of unit ids, unit id, or (docvar, value) tuple
        e.g. ``("field", "农村")``.  With ``groups`` a group label (or list of them).
    reference : same kinds as ``target``, optional
        Default: all other units.
    measure : {"lr", "chi2"}
        Which statistic sorts the table (descending).  Both columns are always given.
    groups : str or array-like, optional
        Group units first (:func:`~quanyu_nlp.dfm.dfm_group`); target/reference then
        name groups.
    correction : {"none", "williams", "yates"}
        Williams' correction divides G2; Yates' continuity correction applies to chi2.

    Returns
    -------
    DataFrame
        feature, n_target, n_reference, G2, chi2, p (of the sorting statistic),
        log_ratio (Hardie's binary log of the ratio of relative frequencies, 0.5 added
        to zero counts), pct_diff (%DIFF: difference of normalised frequencies as a
        percentage of the reference's; ``inf`` when the reference count is 0).
        ``attrs`` holds the token totals of target and reference.

    Examples
    --------
    >>> toks = [["村", "村", "党建"], ["社区", "党建"], ["社区", "网格"]]
    >>> k = textstat_keyness(toks, target=[True, False, False])
    >>> k.iloc[0]["feature"]
    '村'
    """
    if measure not in ("lr", "chi2"):
        raise ParameterError(f"textstat_keyness: unknown measure {measure!r}; use 'lr' "
                             "or 'chi2'")
    if correction not in ("none", "williams", "yates"):
        raise ParameterError(f"textstat_keyness: unknown correction {correction!r}; use "
                             "'none', 'williams' or 'yates'")
    d = _as_dfm(x, "textstat_keyness")
    if d.weighting != "count":
        raise ParameterError("textstat_keyness: needs counts; pass the unweighted Dfm")
    if groups is not None:
        d = dfm_group(d, groups)
        if isinstance(target, str):
            target = [target]
        if isinstance(reference, str):
            reference = [reference]
    tmask = _rows_mask(d, target, "textstat_keyness target")
    rmask = ~tmask if reference is None else _rows_mask(d, reference,
                                                        "textstat_keyness reference")
    if (tmask & rmask).any():
        raise ParameterError("textstat_keyness: target and reference share units; make "
                             "them disjoint")
    if not tmask.any() or not rmask.any():
        side = "target" if not tmask.any() else "reference"
        raise ParameterError(f"textstat_keyness: the {side} selects no units; check the "
                             "condition (e.g. the docvar value)")
    m = d.matrix
    a = np.asarray(m[np.flatnonzero(tmask)].sum(axis=0)).ravel().astype(np.float64)
    b = np.asarray(m[np.flatnonzero(rmask)].sum(axis=0)).ravel().astype(np.float64)
    keep = (a + b) > 0
    feats = np.array(d._features, dtype=object)[keep]
    a, b = a[keep], b[keep]
    T, R = float(a.sum()), float(b.sum())
    if T == 0 or R == 0:
        raise ParameterError("textstat_keyness: the target or reference has no tokens")
    N = T + R
    c, dd = T - a, R - b
    row1, row2 = a + b, c + dd
    E = [row1 * T / N, row1 * R / N, row2 * T / N, row2 * R / N]
    O = [a, b, c, dd]

    def _xlogy(o, e):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(o > 0, o * np.log(np.where(o > 0, o, 1) / e), 0.0)

    g2 = 2.0 * sum(_xlogy(o, e) for o, e in zip(O, E))
    g2 = np.maximum(g2, 0.0)  # rounding can give -1e-16
    if correction == "williams":
        # Williams (1976) for a 2x2 table: q = 1 + (N*S_r - 1)(N*S_c - 1) / (6 N)
        with np.errstate(divide="ignore"):
            q = 1.0 + (N / row1 + N / row2 - 1.0) * (N / T + N / R - 1.0) / (6.0 * N)
        g2 = g2 / q
    if correction == "yates":
        diff = np.maximum(np.abs(a - E[0]) - 0.5, 0.0)
        chi = sum(diff ** 2 / e for e in E)
    else:
        chi = sum((o - e) ** 2 / e for o, e in zip(O, E))
    sign = np.where(a >= E[0], 1.0, -1.0)
    G2 = sign * g2
    CHI = sign * chi
    stat = g2 if measure == "lr" else chi
    p = stats.chi2.sf(stat, df=1)
    aa = np.where(a == 0, 0.5, a)
    bb = np.where(b == 0, 0.5, b)
    log_ratio = np.log2((aa / T) / (bb / R))
    with np.errstate(divide="ignore", invalid="ignore"):
        nt, nr = a / T * 1e6, b / R * 1e6
        pct = np.where(b > 0, (nt - nr) * 100.0 / np.where(b > 0, nr, 1.0), np.inf)
    out = pd.DataFrame({"feature": feats, "n_target": a.astype("int64"),
                        "n_reference": b.astype("int64"), "G2": G2, "chi2": CHI, "p": p,
                        "log_ratio": log_ratio, "pct_diff": pct})
    key = "G2" if measure == "lr" else "chi2"
    out = out.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update({"target_tokens": int(T), "reference_tokens": int(R),
                      "target_units": int(tmask.sum()), "reference_units": int(rmask.sum()),
                      "measure": measure, "correction": correction})
    return out


# ======================================================================================
# Collocations
# ======================================================================================
def _is_breaking(tok: str) -> bool:
    """Whitespace or pure punctuation / symbols: n-grams do not span these."""
    if not tok.strip():
        return True
    return all(unicodedata.category(ch)[0] in "PSZ" for ch in tok)


def _encode(lists: list[list[str]]):
    """Integer ids (first appearance; -1 for breaking tokens) and unit pointers."""
    vocab: dict[str, int] = {}
    names: list[str] = []
    ids: list[int] = []
    ptr = [0]
    for toks in lists:
        for t in toks:
            j = vocab.get(t)
            if j is None:
                if not isinstance(t, str):
                    raise ParameterError(f"non-string token {t!r}; tokens must be str")
                if _is_breaking(t):
                    j = -1
                else:
                    j = len(names)
                    names.append(t)
                vocab[t] = j
            ids.append(j)
        ptr.append(len(ids))
    return np.asarray(ids, dtype=np.int64), np.asarray(ptr, dtype=np.int64), names


def _mark_gaps(src: _TokenSource) -> list[list[str]]:
    """Token lists with an empty (breaking) token where tokens were removed.

    With offsets, two neighbouring tokens are adjacent in the text only if nothing but
    whitespace lies between them; otherwise (stopwords or punctuation removed by
    ``tokens_remove``) an n-gram must not bridge the gap.
    """
    obj = src.obj
    if obj is None or not callable(getattr(obj, "offsets", None)) or not hasattr(obj, "texts"):
        return src.lists
    texts = obj.texts
    out = []
    for u, toks in enumerate(src.lists):
        if len(toks) < 2:
            out.append(toks)
            continue
        off = obj.offsets(u)
        text = texts[u]
        row = [toks[0]]
        for k in range(1, len(toks)):
            if off[k][0] > off[k - 1][1] and text[off[k - 1][1]:off[k][0]].strip():
                row.append("")
            row.append(toks[k])
        out.append(row)
    return out


def _pack(cols: list[np.ndarray]) -> np.ndarray:
    """Dense integer key per row of ``cols`` (compressed so int64 never overflows)."""
    key = np.zeros(len(cols[0]) if cols else 0, dtype=np.int64)
    for c in cols:
        base = int(c.max()) + 2 if len(c) else 1
        key = key * base + (c + 1)
        _, key = np.unique(key, return_inverse=True)
        key = key.astype(np.int64)
    return key


def textstat_collocations(tokens, size: int = 2, min_count: int = 2) -> pd.DataFrame:
    """Adjacent multi-token sequences that occur together more than by chance.

    Only runs of ``size`` adjacent tokens inside one unit count; n-grams never span a
    whitespace or punctuation token (。，、“” ...) nor, for ``Tokens`` with offsets, a
    place where tokens were removed (e.g. stopwords dropped by ``tokens_remove``), so
    removing stopwords does not create false neighbours.

    Parameters
    ----------
    tokens : Tokens or list of token lists
    size : int
        Number of tokens (2 or more).
    min_count : int
        Minimum number of occurrences.

    Returns
    -------
    DataFrame
        collocation (tokens joined by a space), count, length, lambda, z, pmi, G2,
        t, sorted by z descending.

        * ``lambda``: the n-way interaction of a saturated log-linear model of the
          2^size table of "position k holds token k / does not", with 0.5 added to each
          cell (quanteda); for size 2 the log odds ratio.  ``z = lambda / sqrt(sum
          1 / (n_c + 0.5))``.
        * ``pmi``: log2(observed / expected) with the expected count under
          independence of the positions, N * prod(m_k / N).
        * ``G2``: log-likelihood of the 2^size table against independence.
        * ``t``: (observed - expected) / sqrt(observed).

    Examples
    --------
    >>> toks = [["党建", "联合体", "带动", "发展"], ["党建", "联合体", "成立"],
    ...         ["组织", "带动", "党建", "工作"]]
    >>> textstat_collocations(toks)["collocation"].tolist()
    ['党建 联合体']
    """
    if not isinstance(size, (int, np.integer)) or size < 2:
        raise ParameterError(f"textstat_collocations: size must be an integer >= 2, got "
                             f"{size!r}")
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ParameterError("textstat_collocations: min_count must be an integer >= 1")
    src = _TokenSource(tokens, "textstat_collocations")
    ids, ptr, names = _encode(_mark_gaps(src))
    cols_out = ["collocation", "count", "length", "lambda", "z", "pmi", "G2", "t"]
    # valid start positions: the n-gram stays inside its unit and has no breaking token
    unit_end = np.repeat(ptr[1:], np.diff(ptr))
    starts = np.flatnonzero(np.arange(len(ids)) + size <= unit_end)
    ok = np.ones(len(starts), dtype=bool)
    for k in range(size):
        ok &= ids[starts + k] >= 0 if len(starts) else ok
    starts = starts[ok]
    N = len(starts)
    if N == 0:
        return pd.DataFrame(columns=cols_out)
    pos = [ids[starts + k] for k in range(size)]
    full = _pack(pos)
    uniq, first, inv, counts = np.unique(full, return_index=True, return_inverse=True,
                                         return_counts=True)
    cand = np.flatnonzero(counts >= min_count)
    if len(cand) == 0:
        return pd.DataFrame(columns=cols_out)
    rep = first[cand]            # a position where each candidate occurs
    # m[S] = number of n-gram positions agreeing with the candidate on the positions S
    from itertools import combinations

    m: dict[frozenset, np.ndarray] = {}
    allpos = frozenset(range(size))
    m[allpos] = counts[cand].astype(np.float64)
    m[frozenset()] = np.full(len(cand), float(N))
    for r in range(1, size):
        for S in combinations(range(size), r):
            key = _pack([pos[k] for k in S])
            cnt = np.bincount(key)
            m[frozenset(S)] = cnt[key[rep]].astype(np.float64)
    # Moebius inversion: n[T] = cells where exactly the positions T agree
    subsets = [frozenset(S) for r in range(size + 1) for S in combinations(range(size), r)]
    ncell = {}
    for T in subsets:
        acc = np.zeros(len(cand))
        for S in subsets:
            if T <= S:
                acc += (-1) ** (len(S) - len(T)) * m[S]
        ncell[T] = np.maximum(acc, 0.0)
    lam = np.zeros(len(cand))
    var = np.zeros(len(cand))
    for T in subsets:
        lam += (-1) ** (size - len(T)) * np.log(ncell[T] + 0.5)
        var += 1.0 / (ncell[T] + 0.5)
    z = lam / np.sqrt(var)
    p = [m[frozenset([k])] / N for k in range(size)]
    expected = N * np.prod(p, axis=0)
    obs = m[allpos]
    g2 = np.zeros(len(cand))
    for T in subsets:
        e = N * np.prod([p[k] if k in T else (1.0 - p[k]) for k in range(size)], axis=0)
        o = ncell[T]
        with np.errstate(divide="ignore", invalid="ignore"):
            g2 += np.where((o > 0) & (e > 0), o * np.log(np.where(o > 0, o, 1)
                                                          / np.where(e > 0, e, 1)), 0.0)
    g2 *= 2.0
    pmi = np.log2(obs / expected)
    t = (obs - expected) / np.sqrt(obs)
    words = [" ".join(names[pos[k][s]] for k in range(size)) for s in rep.tolist()]
    out = pd.DataFrame({"collocation": words, "count": obs.astype("int64"),
                        "length": size, "lambda": lam, "z": z, "pmi": pmi, "G2": g2,
                        "t": t}, columns=cols_out)
    return out.sort_values(["z", "count"], ascending=[False, False],
                           kind="stable").reset_index(drop=True)


# ======================================================================================
# Feature co-occurrence
# ======================================================================================
class Fcm:
    """Feature co-occurrence matrix (features x features, sparse).

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``matrix[i, j]``: co-occurrences of feature i with feature j.  Symmetric unless
        ``ordered=True`` (then: j follows i within the window).
    features : list of str
    meta : dict
        context, window, ordered, count.
    frequency : ndarray
        Total count of each feature in the tokens (node size in networks).
    """

    __slots__ = ("_m", "_features", "_meta", "_freq")

    def __init__(self, matrix, features, meta=None, frequency=None):
        m = sp.csr_matrix(matrix)
        m.sum_duplicates()
        for arr in (m.data, m.indices, m.indptr):
            arr.flags.writeable = False
        object.__setattr__(self, "_m", m)
        object.__setattr__(self, "_features", tuple(str(f) for f in features))
        object.__setattr__(self, "_meta", dict(meta or {}))
        f = (np.zeros(len(features)) if frequency is None else np.asarray(frequency))
        object.__setattr__(self, "_freq", f)

    def __setattr__(self, name, value):
        raise AttributeError("Fcm is immutable")

    @property
    def matrix(self) -> sp.csr_matrix:
        return self._m

    @property
    def features(self) -> list[str]:
        return list(self._features)

    @property
    def meta(self) -> dict:
        return dict(self._meta)

    @property
    def frequency(self) -> np.ndarray:
        return self._freq.copy()

    @property
    def shape(self):
        return self._m.shape

    def __repr__(self):
        return (f"Fcm({self.shape[0]} features, context={self._meta.get('context')!r}, "
                f"window={self._meta.get('window')}, ordered={self._meta.get('ordered')})")

    def to_frame(self, max_cells: int = 10_000_000) -> pd.DataFrame:
        """Dense DataFrame (small data only)."""
        k = self.shape[0]
        if k * k > max_cells:
            raise ParameterError(f"Fcm.to_frame: {k} x {k} cells exceeds max_cells="
                                 f"{max_cells}; use .top(n) or select features first")
        return pd.DataFrame(self._m.toarray(), index=list(self._features),
                            columns=list(self._features))

    def top(self, n: int | None = 20, diagonal: bool = False) -> pd.DataFrame:
        """Most frequent pairs: feature1, feature2, count.

        For a symmetric (unordered) Fcm each pair is listed once (feature1 first in
        feature order).  ``diagonal`` includes a feature's co-occurrence with itself.
        """
        c = self._m.tocoo()
        r, k, v = c.row, c.col, c.data
        sel = (r < k) if not self._meta.get("ordered") else (r != k)
        if diagonal:
            sel |= r == k
        r, k, v = r[sel], k[sel], v[sel]
        order = np.lexsort((k, r, -v))
        if n is not None:
            order = order[: int(n)]
        f = self._features
        return pd.DataFrame({"feature1": [f[i] for i in r[order]],
                             "feature2": [f[j] for j in k[order]],
                             "count": v[order]})

    def select(self, features) -> "Fcm":
        """Keep only ``features`` (those present, in this Fcm's order)."""
        want = set(map(str, [features] if isinstance(features, str) else features))
        idx = np.array([i for i, f in enumerate(self._features) if f in want], dtype=np.int64)
        return Fcm(self._m[idx][:, idx], [self._features[i] for i in idx],
                   meta={**self._meta, "selected": len(idx)}, frequency=self._freq[idx])

    def to_networkx(self, min_count: float = 1, features=None, self_loops: bool = False):
        """A networkx ``Graph`` (``DiGraph`` if ordered) of co-occurring features.

        Parameters
        ----------
        min_count : number
            Keep edges with at least this count.
        features : sequence of str or int, optional
            Restrict to these features, or (int) to the most frequent ``features``.
        self_loops : bool
            Keep a feature's co-occurrence with itself.

        Returns
        -------
        networkx.Graph
            Nodes carry ``frequency``; edges carry ``weight`` (the count).
        """
        import networkx as nx

        fc = self
        if features is not None:
            if isinstance(features, (int, np.integer)):
                top = np.argsort(-self._freq, kind="stable")[: int(features)]
                features = [self._features[i] for i in top]
            fc = self.select(features)
        ordered = bool(fc._meta.get("ordered"))
        G = nx.DiGraph() if ordered else nx.Graph()
        for f, q in zip(fc._features, fc._freq.tolist()):
            G.add_node(f, frequency=q)
        c = fc._m.tocoo()
        for i, j, v in zip(c.row.tolist(), c.col.tolist(), c.data.tolist()):
            if v < min_count or (i == j and not self_loops):
                continue
            if not ordered and i > j:
                continue
            G.add_edge(fc._features[i], fc._features[j], weight=v)
        return G

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(repr(self))}</b></p>"
        return head + self.top(10).to_html(escape=True, border=0, index=False)


def fcm(tokens, context: str = "document", window: int = 5, ordered: bool = False,
        count: str = "frequency") -> Fcm:
    """Feature co-occurrence counts.

    Parameters
    ----------
    tokens : Tokens, list of token lists, or Dfm
        A Dfm restricts the features (e.g. after :func:`~quanyu_nlp.dfm.dfm_trim`);
        for ``context="window"`` its token lists (kept features, original order) are
        used, so windows run over the kept tokens.
    context : {"document", "window"}
        ``document``: features co-occur when they are in the same unit; the count is
        ``count_i * count_j`` summed over units (``count="boolean"``: number of units
        containing both).  The diagonal holds ``count_i * (count_i - 1) / 2`` (pairs of
        one feature with itself).  ``window``: features co-occur when within ``window``
        tokens of each other in a unit; each pair of positions counts once.
    window : int
        Window size for ``context="window"``.
    ordered : bool
        ``window`` context only: count j after i separately from i after j.
    count : {"frequency", "boolean"}
        ``document`` context only.

    Returns
    -------
    Fcm
    """
    if context not in ("document", "window"):
        raise ParameterError(f"fcm: unknown context {context!r}; use 'document' or 'window'")
    if count not in ("frequency", "boolean"):
        raise ParameterError(f"fcm: unknown count {count!r}; use 'frequency' or 'boolean'")
    if ordered and context == "document":
        raise ParameterError("fcm: ordered=True needs context='window'")
    d = _as_dfm(tokens, "fcm")
    if d.weighting != "count":
        raise ParameterError("fcm: needs counts; pass the unweighted Dfm or the tokens")
    freq = d.featfreq()
    meta = {"context": context, "ordered": bool(ordered), "count": count,
            "window": int(window) if context == "window" else None}
    k = d.n_features
    if context == "document":
        X = d.matrix.astype(np.float64)
        if count == "boolean":
            X.data = (X.data > 0).astype(np.float64)
            diag = np.zeros(k)
        else:
            # sum over units of choose(count, 2): pairs of one feature with itself
            diag = np.asarray(X.multiply(X - (X != 0)).sum(axis=0)).ravel() / 2.0
        C = sp.csr_matrix(X.T @ X)
        # replace the diagonal without a LIL round trip (slow on large matrices)
        C = sp.csr_matrix(C - sp.diags(C.diagonal()) + sp.diags(diag))
        C.eliminate_zeros()
        return Fcm(C, d._features, meta, freq)
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ParameterError(f"fcm: window must be an integer >= 1, got {window!r}")
    lists = d.to_token_lists()
    fidx = {f: i for i, f in enumerate(d._features)}
    ids = np.fromiter((fidx[t] for toks in lists for t in toks), dtype=np.int64)
    lens = np.fromiter((len(t) for t in lists), dtype=np.int64, count=len(lists))
    unit = np.repeat(np.arange(len(lists)), lens)
    rows, cols = [], []
    for off in range(1, int(window) + 1):
        same = unit[:-off] == unit[off:] if len(ids) > off else np.zeros(0, dtype=bool)
        rows.append(ids[:-off][same])
        cols.append(ids[off:][same])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    C = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(k, k))
    if not ordered:
        # each pair of positions once per direction; a feature with itself once
        C = C + C.T - sp.diags(C.diagonal())
    C = sp.csr_matrix(C)
    C.eliminate_zeros()
    return Fcm(C, d._features, meta, freq)
