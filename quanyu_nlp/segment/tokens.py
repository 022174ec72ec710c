"""The :class:`Tokens` object: segmented units with exact character offsets."""

from __future__ import annotations

import copy
import html
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from ..errors import ParameterError

if TYPE_CHECKING:  # pandas is imported when first needed: worker processes never need it
    import pandas as pd

__all__ = ["Tokens"]


class Tokens:
    """Segmented text units: tokens, their character offsets and optional POS tags.

    ``Tokens`` is an immutable value.  Every transform (:func:`tokens_remove`,
    :func:`tokens_ngrams`, :func:`tokens_phrases`) returns a new object.  For every unit
    ``i`` and every token ``k``, ``texts[i][start:end] == token`` holds, so any token can
    be traced back to the exact characters of the source.

    Internally the tokens of all units are stored flat (one list and two integer arrays
    plus a pointer array with the start of each unit), which keeps segmentation, caching
    and transfer between processes free of per-unit Python objects.

    Parameters
    ----------
    texts : sequence of str
        The unit texts the offsets point into.
    tokens : list of str, callable or None
        All tokens of all units, unit after unit.  A callable returning that list, or
        ``None`` (cut them from the texts with the offsets), defers building millions of
        strings until they are first needed (results from worker processes and from the
        cache arrive in compact form).
    starts, ends : array-like of int
        Character offsets of each token in its unit's text.
    indptr : array-like of int, length ``len(texts) + 1``
        Tokens of unit ``i`` are ``tokens[indptr[i]:indptr[i + 1]]``.
    unit_ids : sequence of str
    docvars : pandas.DataFrame, optional
        One row per unit.
    pos : list of str, optional
        One POS tag per token.
    meta : dict, optional
        Provenance, e.g. ``{"segmenter": {...}, "config_hash": "..."}``.

    Examples
    --------
    >>> from quanyu_nlp.segment import segment
    >>> toks = segment(["提升组织力。"], cache=False)          # doctest: +SKIP
    >>> toks.tokens(0), toks.offsets(0)                        # doctest: +SKIP
    (['提升', '组织力', '。'], [(0, 2), (2, 5), (5, 6)])
    """

    __slots__ = ("_texts", "_tokens", "_starts", "_ends", "_indptr", "_unit_ids", "_docvars",
                 "_pos", "_meta")

    def __init__(self, texts: Sequence[str], tokens: list[str], starts, ends, indptr,
                 unit_ids: Sequence[str], docvars: "pd.DataFrame | None" = None,
                 pos: list[str] | None = None, meta: dict | None = None):
        n = len(texts)
        indptr = np.asarray(indptr, dtype=np.int64)
        # int32 offsets are kept as they are (half the memory); anything else -> int64
        starts, ends = np.asarray(starts), np.asarray(ends)
        if starts.dtype not in (np.int32, np.int64):
            starts = starts.astype(np.int64)
        if ends.dtype not in (np.int32, np.int64):
            ends = ends.astype(np.int64)
        n_tok = len(starts)
        if len(indptr) != n + 1 or indptr[-1] != n_tok or indptr[0] != 0:
            raise ValueError("indptr must have len(texts) + 1 entries ending at len(starts)")
        if len(ends) != n_tok or (isinstance(tokens, list) and len(tokens) != n_tok):
            raise ValueError("tokens, starts and ends need one entry per token")
        if pos is not None and len(pos) != n_tok:
            raise ValueError("pos needs one tag per token")
        if len(unit_ids) != n:
            raise ValueError("unit_ids needs one id per text")
        for a in (indptr, starts, ends):
            a.setflags(write=False)
        self._texts = list(texts)
        self._tokens = tokens
        self._starts = starts
        self._ends = ends
        self._indptr = indptr
        self._unit_ids = [str(u) for u in unit_ids]
        if docvars is not None:
            docvars = docvars.reset_index(drop=True)
            if len(docvars) != n:
                raise ValueError("docvars needs one row per unit")
        self._docvars = docvars
        self._pos = pos
        self._meta = dict(meta or {})

    # -- basic protocol -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._texts)

    def __iter__(self) -> Iterator[list[str]]:
        toks, ip = self._tok(), self._indptr.tolist()
        for i in range(len(self._texts)):
            yield toks[ip[i]:ip[i + 1]]

    def __getitem__(self, i: int) -> list[str]:
        return self.tokens(i)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tokens):
            return NotImplemented
        return (self._texts == other._texts and self._tok() == other._tok()
                and np.array_equal(self._starts, other._starts)
                and np.array_equal(self._ends, other._ends)
                and np.array_equal(self._indptr, other._indptr)
                and self._unit_ids == other._unit_ids and self._pos == other._pos)

    __hash__ = None  # mutable-looking containers inside: compare by value only

    def _index(self, i: int | str) -> int:
        if isinstance(i, str):
            try:
                return self._unit_ids.index(i)
            except ValueError:
                raise ParameterError(f"no unit with id {i!r}; ids look like "
                                     f"{self._unit_ids[:3]}") from None
        n = len(self._texts)
        if not -n <= i < n:
            raise IndexError(f"unit index {i} out of range for {n} units")
        return i % n if n else i

    # -- accessors ------------------------------------------------------------------
    def tokens(self, i: int | str) -> list[str]:
        """Tokens of unit ``i`` (position or unit id)."""
        i = self._index(i)
        a, b = int(self._indptr[i]), int(self._indptr[i + 1])
        if not isinstance(self._tokens, list):  # one unit: no need to build all tokens
            text = self._texts[i]
            return [text[s:e] for s, e in zip(self._starts[a:b].tolist(),
                                               self._ends[a:b].tolist())]
        return self._tokens[a:b]

    def offsets(self, i: int | str) -> list[tuple[int, int]]:
        """``(start, end)`` of each token of unit ``i`` in ``texts[i]``."""
        i = self._index(i)
        a, b = self._indptr[i], self._indptr[i + 1]
        return list(zip(self._starts[a:b].tolist(), self._ends[a:b].tolist()))

    def pos(self, i: int | str) -> list[str] | None:
        """POS tags of unit ``i``, or ``None`` if segmented without ``pos=True``."""
        if self._pos is None:
            return None
        i = self._index(i)
        return self._pos[self._indptr[i]:self._indptr[i + 1]]

    def to_lists(self) -> list[list[str]]:
        """Plain lists of token strings, one list per unit."""
        return list(self)

    @property
    def texts(self) -> list[str]:
        return list(self._texts)

    @property
    def unit_ids(self) -> list[str]:
        return list(self._unit_ids)

    @property
    def docvars(self) -> "pd.DataFrame":
        """Document variables, one row per unit (no columns for plain lists of texts)."""
        if self._docvars is None:  # made on first use: pandas is not needed to segment
            import pandas as pd

            self._docvars = pd.DataFrame(index=pd.RangeIndex(len(self._texts)))
        return self._docvars.copy()

    @property
    def meta(self) -> dict:
        return copy.deepcopy(self._meta)

    @property
    def has_pos(self) -> bool:
        return self._pos is not None

    @property
    def n_tokens(self) -> int:
        """Total number of tokens over all units."""
        return len(self._starts)

    def ntoken(self) -> np.ndarray:
        """Number of tokens per unit."""
        return np.diff(self._indptr)

    def to_frame(self) -> "pd.DataFrame":
        """Long table: ``unit_id, token_no, token, start, end, pos`` (token_no 1-based)."""
        import pandas as pd

        counts = np.diff(self._indptr)
        unit = np.repeat(np.asarray(self._unit_ids, dtype=object), counts)
        token_no = np.arange(self.n_tokens) - np.repeat(self._indptr[:-1], counts) + 1
        return pd.DataFrame({
            "unit_id": unit,
            "token_no": token_no.astype(np.int64),
            "token": pd.Series(self._tok(), dtype=object),
            "start": self._starts.copy(),
            "end": self._ends.copy(),
            "pos": pd.Series(self._pos if self._pos is not None else [None] * self.n_tokens,
                             dtype=object),
        })

    # -- display --------------------------------------------------------------------
    def __repr__(self) -> str:
        seg = self._meta.get("segmenter", {})
        head = [" ".join(self.tokens(i)[:12]) for i in range(min(3, len(self)))]
        lines = [f"Tokens: {len(self)} units, {self.n_tokens} tokens"
                 + (f" (backend={seg.get('backend')}, lexicon={seg.get('lexicon')})"
                    if seg else "")]
        for uid, h in zip(self._unit_ids, head):
            lines.append(f"  {uid}: {h}{' …' if len(h.split()) >= 12 else ''}")
        if len(self) > 3:
            lines.append("  …")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        seg = self._meta.get("segmenter", {})
        rows = []
        for i in range(min(10, len(self))):
            toks = self.tokens(i)
            tags = self.pos(i)
            cells = []
            for k, t in enumerate(toks[:60]):
                title = f' title="{html.escape(tags[k])}"' if tags else ""
                cells.append(f'<span style="border:1px solid #ccc;border-radius:3px;'
                             f'padding:0 2px;margin:1px;display:inline-block"{title}>'
                             f"{html.escape(t)}</span>")
            more = f" … (+{len(toks) - 60})" if len(toks) > 60 else ""
            rows.append(f"<tr><td style='text-align:left'>{html.escape(self._unit_ids[i])}</td>"
                        f"<td style='text-align:right'>{len(toks)}</td>"
                        f"<td style='text-align:left'>{''.join(cells)}{more}</td></tr>")
        cfg = ", ".join(f"{k}={v}" for k, v in seg.items() if k in
                        ("backend", "lexicon", "lexicon_version", "pos", "slogan_rules"))
        more = f"<p>… {len(self) - 10} more units</p>" if len(self) > 10 else ""
        return (f"<div><p><b>Tokens</b>: {len(self)} units, {self.n_tokens} tokens"
                f"{' — ' + html.escape(cfg) if cfg else ''}</p>"
                "<table><thead><tr><th>unit_id</th><th>n</th><th>tokens</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>{more}</div>")

    # -- construction helpers for transforms ----------------------------------------
    def _with(self, tokens: list[str], starts, ends, indptr, pos: list[str] | None,
              step: dict[str, Any] | None = None) -> "Tokens":
        meta = copy.deepcopy(self._meta)
        if step is not None:
            meta.setdefault("steps", []).append(step)
        return Tokens(self._texts, tokens, starts, ends, indptr, self._unit_ids,
                      self._docvars, pos, meta)

    def _flat(self):
        """Internal: the flat arrays (tokens, starts, ends, indptr, pos)."""
        return self._tok(), self._starts, self._ends, self._indptr, self._pos

    def _tok(self) -> list[str]:
        """The flat token list, cut from the texts on first use if not given."""
        if callable(self._tokens):
            flat = self._tokens()
            if len(flat) != len(self._starts):  # pragma: no cover - internal contract
                raise RuntimeError("lazy token source does not match the offsets")
            self._tokens = flat
        elif self._tokens is None:
            flat: list[str] = []
            s_l, e_l, ip = self._starts.tolist(), self._ends.tolist(), self._indptr.tolist()
            for i, text in enumerate(self._texts):
                a, b = ip[i], ip[i + 1]
                flat += [text[s:e] for s, e in zip(s_l[a:b], e_l[a:b])]
            self._tokens = flat
        return self._tokens
