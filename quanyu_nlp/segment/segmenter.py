"""The :class:`Segmenter`: jieba-compatible segmentation with the party lexicon.

Two backends share one dictionary: ``rjieba`` (the Rust port of jieba, fast) and
``jieba`` (the reference Python implementation).  Both start from jieba's main
dictionary (rjieba embeds the same ``dict.txt``) and receive the same extra words with
the same frequencies, so they produce the same tokens except for a handful of
engine differences in mixed ASCII runs (``F-16``, ``tv.cctv.com``: rjieba keeps them
whole, jieba splits at the punctuation).

Speed: the engine returns a list of tokens that concatenate to the text; offsets are
then computed for all units at once with numpy, so no Python code runs per token on the
fast path.  The slogan rule layer only looks at units where a cheap regex finds a
candidate.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import re
import sys
from functools import partial
from itertools import compress
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from .._io import atomic_output, stable_hash
from ..errors import ParameterError
from . import rules
from .dictionary import (
    LEXICON_SHA,
    LEXICON_VERSION,
    DictEntry,
    load_lexicon,
    load_user_dict,
    win_freq,
)
from .tokens import Tokens

__all__ = ["Segmenter", "segment", "default_cache_dir"]

BACKENDS = ("rjieba", "jieba")
_SURROGATE = re.compile("([\ud800-\udfff])")
#: Characters per chunk for progress bars and process pools: small enough that the
#: calling process and the workers, taking chunks from both ends, meet evenly.
CHUNK_CHARS = 100_000


def default_cache_dir() -> Path:
    """``$QUANYU_CACHE_DIR`` or ``~/.cache/quanyu_nlp``."""
    env = os.environ.get("QUANYU_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "quanyu_nlp"


class Segmenter:
    """Word segmenter for Chinese party-building text.

    Parameters
    ----------
    backend : {"rjieba", "jieba"}, default "rjieba"
        ``rjieba`` is the Rust port of jieba (about 25x faster); ``jieba`` the reference.
    lexicon : bool, default True
        Add the shipped party-building lexicon (:data:`LEXICON_VERSION`).
    user_dict : path, list of str, dict or None
        Extra terms in jieba's format, see :func:`load_user_dict`.  Terms without a
        frequency get one that makes them win over their parts.
    pos : bool, default False
        Also tag parts of speech (jieba's tag set).
    hmm : bool, default True
        Let jieba's HMM join unknown character runs into words.
    slogan_rules : bool, default True
        Keep numbered slogans the dictionaries lack whole (“四个结合”, 九大专项).

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg.cut("提升基层党组织的组织力")
    ['提升', '基层党组织', '的', '组织力']
    >>> Segmenter(lexicon=False).cut("提升基层党组织的组织力")
    ['提升', '基层', '党组织', '的', '组织', '力']
    """

    def __init__(self, backend: str = "rjieba", lexicon: bool = True, user_dict=None,
                 pos: bool = False, hmm: bool = True, slogan_rules: bool = True):
        if backend not in BACKENDS:
            raise ParameterError(f"backend={backend!r} is unknown; use 'rjieba' or 'jieba'")
        self.backend = backend
        self.lexicon = bool(lexicon)
        self.user_dict = user_dict
        self.pos = bool(pos)
        self.hmm = bool(hmm)
        self.slogan_rules = bool(slogan_rules)
        # parse now so that a bad dictionary fails at construction, with its line number
        self._user_entries: list[DictEntry] = load_user_dict(user_dict)
        self._engine = None
        self._entries: list[DictEntry] | None = None

    # -- configuration ------------------------------------------------------------
    @property
    def config(self) -> dict[str, Any]:
        """Everything that changes the output, as a JSON-able dict."""
        return {
            "backend": self.backend,
            "lexicon": self.lexicon,
            "lexicon_version": LEXICON_VERSION if self.lexicon else None,
            "lexicon_sha": LEXICON_SHA if self.lexicon else None,
            "user_dict": stable_hash([list(e) for e in self._user_entries], 16)
            if self._user_entries else None,
            "user_dict_terms": len(self._user_entries),
            "pos": self.pos,
            "hmm": self.hmm,
            "slogan_rules": self.slogan_rules,
            "drop_whitespace": True,
        }

    @property
    def config_hash(self) -> str:
        return stable_hash(self.config, 16)

    def __repr__(self) -> str:
        return (f"Segmenter(backend={self.backend!r}, lexicon={self.lexicon}, "
                f"user_dict={len(self._user_entries)} terms, pos={self.pos}, hmm={self.hmm}, "
                f"slogan_rules={self.slogan_rules})")

    def __getstate__(self):
        # engines hold native objects; workers rebuild them from the configuration
        state = self.__dict__.copy()
        state["_engine"] = None
        state["_entries"] = None
        state.pop("_cut", None)
        state.pop("_tag", None)
        return state

    # -- dictionary ---------------------------------------------------------------
    @property
    def entries(self) -> list[DictEntry]:
        """The extra dictionary terms with the frequencies actually used."""
        self._build()
        return list(self._entries)

    def _resolve_entries(self):
        import rjieba

        ref = rjieba.Jieba()
        extra = (load_lexicon() if self.lexicon else []) + self._user_entries
        resolved = []
        for e in extra:
            # frequencies without a value are computed against main dict + earlier terms,
            # with the rjieba engine for both backends so that both get the same numbers
            freq = e.freq if e.freq is not None else win_freq(ref, e.word)
            ref.add_word(e.word, freq, e.pos)
            resolved.append(DictEntry(e.word, freq, e.pos))
        return ref, resolved

    def _build(self):
        if self._engine is not None:
            return self._engine
        ref, entries = self._resolve_entries()
        self._entries = entries
        if self.backend == "rjieba":
            engine = ref
            self._cut = engine.cut
            self._tag = engine.tag
        else:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            engine = jieba.Tokenizer()
            engine.initialize()
            total = engine.total
            for e in entries:
                old = engine.FREQ.get(e.word, 0)
                engine.add_word(e.word, e.freq, e.pos)
                # jieba adds to the total without removing a replaced frequency; rjieba
                # replaces it.  Keep jieba's total equal to rjieba's so both engines
                # score paths identically.
                total += e.freq - old
            engine.total = total
            ptk = jieba.posseg.POSTokenizer(engine)
            self._cut = lambda text, hmm=True: engine.lcut(text, HMM=hmm)
            self._tag = lambda text, hmm=True: [(w.word, w.flag)
                                                for w in ptk.lcut(text, HMM=hmm)]
        self._engine = engine
        return engine

    # -- single text ----------------------------------------------------------------
    def _raw(self, text: str) -> tuple[list[str], list[str] | None]:
        try:
            if self.pos:
                pairs = self._tag(text, self.hmm)
                return [w for w, _ in pairs], [t for _, t in pairs]
            return self._cut(text, self.hmm), None
        except UnicodeEncodeError:
            # lone surrogates (broken input) cannot cross into Rust: cut around them
            toks: list[str] = []
            tags: list[str] | None = [] if self.pos else None
            for piece in _SURROGATE.split(text):
                if not piece:
                    continue
                if _SURROGATE.fullmatch(piece):
                    toks.append(piece)
                    if tags is not None:
                        tags.append("x")
                else:
                    t, p = self._raw(piece)
                    toks.extend(t)
                    if tags is not None:
                        tags.extend(p)
            return toks, tags

    def cut(self, text: str) -> list[str]:
        """Tokens of one string (whitespace tokens dropped)."""
        return self.segment([text], cache=False).tokens(0)

    # -- many texts -------------------------------------------------------------------
    def _cut_many(self, texts: Sequence[str], known: rules.KnownSlogans | None = None):
        """Segment texts.

        Returns flat tokens, tokens per text, flat POS (or None) and the slogan spans
        to merge as ``(unit, start, end)`` rows (merged later, for all units at once).
        """
        self._build()
        raw = self._raw
        # with slogans quoted elsewhere in the corpus, any 数词+量词 may start one
        quick = ((rules._PREFIX.search if known else rules.QUICK.search)
                 if self.slogan_rules else None)
        flat: list[str] = []
        flat_pos: list[str] | None = [] if self.pos else None
        counts = np.empty(len(texts), dtype=np.int64)
        spans: list[tuple[int, int, int]] = []
        for i, text in enumerate(texts):
            toks, tags = raw(text)
            if quick is not None and quick(text):
                spans += [(i, s, e) for s, e in rules.slogan_spans(text, known)]
            flat += toks
            if flat_pos is not None:
                flat_pos += tags
            counts[i] = len(toks)
        return flat, counts, flat_pos, spans

    def iter_joined(self, texts: Sequence[str], sep: str = " ") -> Iterator[str]:
        """Yield each text's tokens joined by ``sep``, one text at a time, without offsets.

        The streaming path of ``quanyu segment``: the same tokens as :meth:`segment`
        (slogan rules applied, whitespace tokens dropped), so each line equals
        ``sep.join(tokens)``, but no offsets are computed and only one text's tokens
        are in memory at a time.  POS tags are not produced here.

        Parameters
        ----------
        texts : sequence of str
            All texts of the run: quoted slogans are collected from all of them first,
            as :meth:`segment` does.
        sep : str, default " "

        Examples
        --------
        >>> list(Segmenter().iter_joined(["全域党建提升组织力。", "  "]))
        ['全域党建 提升 组织力 。', '']
        """
        if isinstance(texts, str):
            raise ParameterError("iter_joined() takes a list of texts, not one string; "
                                 "wrap it: iter_joined([text])")
        self._build()
        cut = self._cut
        hmm = self.hmm
        known = rules.KnownSlogans.from_texts(texts) if self.slogan_rules else None
        quick = ((rules._PREFIX.search if known else rules.QUICK.search)
                 if self.slogan_rules else None)
        has_space = _HAS_SPACE.search
        for text in texts:
            try:
                toks = cut(text, hmm)
            except UnicodeEncodeError:  # lone surrogates: the careful path
                toks = self._raw(text)[0]
            if quick is not None and quick(text):
                spans = rules.slogan_spans(text, known)
                if spans:
                    toks = _merge_spans(text, toks, spans)
            if has_space(text):
                # a whitespace token is all whitespace, so str.strip() leaves it empty
                toks = filter(str.strip, toks)
            yield sep.join(toks)

    def segment(self, texts_or_corpus, n_jobs: int = 1, cache: bool | str | os.PathLike = True,
                progress: bool = False, parallel_backend: str = "process") -> Tokens:
        """Segment a list of strings or a Corpus.

        Parameters
        ----------
        texts_or_corpus : list of str or Corpus
            Any object with ``.texts``, ``.unit_ids`` and ``.docvars`` is accepted.
        n_jobs : int, default 1
            Worker processes (``-1`` = all cores).  The result is identical for any value.
        cache : bool or path, default True
            ``True`` caches in :func:`default_cache_dir`, a path caches there, ``False``
            turns caching off.  The key is the hash of the texts and of :attr:`config`.
        progress : bool
            Show a progress bar.
        parallel_backend : {"process", "dask"}
            See :func:`quanyu_nlp.parallel.pmap`.

        Returns
        -------
        Tokens
        """
        texts, unit_ids, docvars = _as_units(texts_or_corpus)
        meta: dict[str, Any] = {"segmenter": self.config, "config_hash": self.config_hash}
        path = None
        if cache is not False and cache is not None:
            folder = default_cache_dir() if cache is True else Path(cache)
            path = folder / "segment" / f"{_texts_hash(texts)}-{self.config_hash}.npz"
            hit = _cache_load(path, texts)
            if hit is not None:
                flat, starts, ends, indptr, pos = hit
                meta.update(cache="hit", cache_file=str(path))
                return Tokens(texts, flat, starts, ends, indptr, unit_ids, docvars, pos, meta)
        flat, starts, ends, indptr, pos = self._run(texts, n_jobs, progress, parallel_backend)
        if path is not None:
            _cache_save(path, starts, ends, indptr, pos)
            meta.update(cache="miss", cache_file=str(path))
        else:
            meta["cache"] = "off"
        return Tokens(texts, flat, starts, ends, indptr, unit_ids, docvars, pos, meta)

    def _run(self, texts, n_jobs, progress, parallel_backend):
        """Segment and compute offsets: (tokens or None, starts, ends, indptr, pos)."""
        from ..parallel import effective_n_jobs, pmap

        n_jobs = effective_n_jobs(n_jobs)
        chunks = _chunk(texts, n_jobs)
        # slogans quoted anywhere count for every unit: collected before any chunking,
        # so the result does not depend on n_jobs
        known = rules.KnownSlogans.from_texts(texts) if self.slogan_rules else None
        if n_jobs == 1 and parallel_backend == "process" and (not progress or len(chunks) == 1):
            with _no_gc():
                return _offsets(texts, *self._cut_many(texts, known))
        # workers send offsets back, not token strings: int arrays pickle in one piece,
        # millions of small strings do not
        # the segmenter travels with each chunk (a few hundred bytes: its dictionary is
        # rebuilt once per worker and cached there), so a warm pool serves any config
        # this process segments chunks too (from the back, while the n_jobs - 1 workers
        # take them from the front): its chunks skip pickling both ways
        results = pmap(_worker_cut, [(self, c, known) for c in chunks], n_jobs=n_jobs,
                       backend=parallel_backend, progress=progress, desc="segment",
                       reuse=True, local=_local_cut)
        # splitting the joined token strings is deferred until the tokens are used, so
        # that the parent does not serialise the workers' gain
        pieces = [(r[0], r[1], len(r[2])) for r in results]
        starts = np.concatenate([r[2] for r in results])
        ends = starts + np.concatenate([r[3] for r in results]).astype(starts.dtype)
        indptr = [np.zeros(1, dtype=np.int64)]
        done = 0
        for r in results:
            indptr.append(r[4][1:] + done)
            done += int(r[4][-1])
        pos = None
        if self.pos:
            pos = []
            for r in results:
                pos += r[5]
        return partial(_join_pieces, pieces), starts, ends, np.concatenate(indptr), pos


@contextlib.contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while millions of token strings are made.

    The collector is triggered by container allocations and then walks every live list,
    including the multi-million-element token lists being built; pausing it during the
    bulk phase saves 10-20 % of segmentation time.  Strings cannot form cycles, so
    nothing is leaked; the collector resumes (and catches up) afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- worker side (top-level so that spawned processes can import them) -----------------
_WORKER_SEGMENTERS: dict[str, Segmenter] = {}


def _worker_cut(task, pack: bool = True):
    seg, texts, known = task
    key = seg.config_hash
    if key not in _WORKER_SEGMENTERS:
        if len(_WORKER_SEGMENTERS) >= 4:
            _WORKER_SEGMENTERS.pop(next(iter(_WORKER_SEGMENTERS)))
        _WORKER_SEGMENTERS[key] = seg
    seg = _WORKER_SEGMENTERS[key]
    with _no_gc():
        flat, starts, ends, indptr, pos = _offsets(texts, *seg._cut_many(texts, known))
    small = np.int32 if (not len(ends) or ends.max() < 2**31) else np.int64
    # Millions of small strings pickle slowly; one string joined with a character that
    # occurs in none of the texts pickles in one piece and splits back at C speed.
    sep = (next((c for c in _SEPARATORS if not any(c in t for t in texts)), None)
           if pack else None)
    payload = sep.join(flat) if sep is not None else flat
    # token lengths instead of end offsets: almost all fit one byte, a quarter of the
    # bytes through the pipe (the parent adds them back with one vectorised sum)
    lens = ends - starts
    top = int(lens.max()) if len(lens) else 0
    lens = lens.astype(np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else small)
    return payload, sep, starts.astype(small), lens, indptr, pos


def _local_cut(task):
    """A chunk segmented in the calling process: the tokens stay a list (no packing)."""
    seg, texts, known = task
    return _worker_cut((_WORKER_SEGMENTERS.get(seg.config_hash, seg), texts, known),
                       pack=False)


def _join_pieces(pieces) -> list[str]:
    flat: list[str] = []
    for payload, sep, n in pieces:
        if sep is None:
            flat += payload
        elif n:  # "".split(sep) would give [""], not []
            flat += payload.split(sep)
    return flat


_SEPARATORS = ("\x00", "\x01", "\x02", "\x03", "\ufffe", "\uffff", "\U0010fffe")


def _chunk(texts: Sequence[str], n_jobs: int) -> list[list[str]]:
    """Contiguous chunks of about CHUNK_CHARS characters, at least 4 per worker."""
    total = sum(map(len, texts))
    if not texts:
        return []
    target = max(1, min(CHUNK_CHARS, total // max(1, 4 * n_jobs) + 1))
    chunks, cur, size = [], [], 0
    for t in texts:
        cur.append(t)
        size += len(t)
        if size >= target:
            chunks.append(cur)
            cur, size = [], 0
    if cur:
        chunks.append(cur)
    return chunks


# -- offsets ---------------------------------------------------------------------------
def _offsets(texts, flat, counts, pos, spans=()):
    """Offsets of all tokens at once; merge slogan spans; drop whitespace tokens.

    The tokens of each unit concatenate to its text, so the start of token ``k`` in the
    concatenation of all texts is the cumulative length of the tokens before it.  Slogan
    spans are located in that array with a binary search, and a token is whitespace iff
    its first character is (the engines cut whitespace apart from everything else), so
    no Python code runs per token.  Arrays are int32 when the text allows: half the
    memory traffic.
    """
    n_tok = len(flat)
    text_lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    dt = np.int32 if int(text_lens.sum()) < 2**31 - 1 else np.int64
    lens = np.fromiter(map(len, flat), dtype=dt, count=n_tok)
    cum = np.empty(n_tok + 1, dtype=dt)
    cum[0] = 0
    np.cumsum(lens, out=cum[1:])
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    base = cum[indptr[:-1]]
    if not np.array_equal(cum[indptr[1:]] - base, text_lens):  # pragma: no cover - defensive
        raise RuntimeError("segmentation engine dropped or changed characters; "
                           "please report this text")
    keep = _not_space(texts, cum[:-1], flat)
    if len(spans):
        sp = np.asarray(spans, dtype=np.int64).reshape(-1, 3)
        # same dtype as cum: searchsorted would otherwise copy cum to the wider type
        gs = (base[sp[:, 0]] + sp[:, 1]).astype(dt)
        ge = (base[sp[:, 0]] + sp[:, 2]).astype(dt)
        i = np.searchsorted(cum, gs)
        j = np.searchsorted(cum, ge)
        ok = (i < n_tok) & (j <= n_tok)
        ok[ok] &= (cum[i[ok]] == gs[ok]) & (cum[j[ok]] == ge[ok]) & (j[ok] - i[ok] >= 2)
        if ok.any():
            i, j = i[ok], j[ok]
            flat = list(flat) if not isinstance(flat, list) else flat
            pos = list(pos) if pos is not None else None
            # drop the tokens after the first of each merged span: ranges i+1 .. j-1
            n_in = j - i - 1
            first = np.repeat(i + 1 - np.concatenate([[0], np.cumsum(n_in)[:-1]]), n_in)
            keep[first + np.arange(int(n_in.sum()))] = False
            for u, s, e, k in zip(sp[ok, 0].tolist(), sp[ok, 1].tolist(), sp[ok, 2].tolist(),
                                  i.tolist()):
                flat[k] = texts[u][s:e]
                if pos is not None:
                    pos[k] = rules.SLOGAN_POS
            lens[i] = ge[ok] - gs[ok]
    starts = cum[:-1] - np.repeat(base, counts)
    ends = starts + lens
    if not keep.all():
        flat = list(compress(flat, keep))
        if pos is not None:
            pos = list(compress(pos, keep))
        starts, ends = starts[keep], ends[keep]
        kc = np.zeros(n_tok + 1, dtype=np.int64)
        np.cumsum(keep, out=kc[1:])
        indptr = kc[indptr]
    return flat, starts, ends, indptr, pos


_HAS_SPACE = re.compile(r"\s")


def _merge_spans(text: str, toks: list[str], spans) -> list[str]:
    """Merge the tokens of one text that exactly cover a slogan span (two or more).

    The one-text version of the merge in :func:`_offsets`, with the same rule: a span
    is merged only where it starts and ends on token boundaries.
    """
    n_tok = len(toks)
    cum = np.zeros(n_tok + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, toks), dtype=np.int64, count=n_tok), out=cum[1:])
    sp = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    i = np.searchsorted(cum, sp[:, 0]).tolist()
    j = np.searchsorted(cum, sp[:, 1]).tolist()
    out: list[str] = []
    done = 0
    for (s, e), a, b in zip(spans, i, j):
        if a < n_tok and b <= n_tok and cum[a] == s and cum[b] == e and b - a >= 2:
            out += toks[done:a]
            out.append(text[s:e])
            done = b
    if not done:
        return toks
    out += toks[done:]
    return out


_WS_CODES: np.ndarray | None = None


def _not_space(texts, global_starts, flat) -> np.ndarray:
    global _WS_CODES
    if _WS_CODES is None:
        # every whitespace code point lies below U+3100 (the last is U+3000)
        _WS_CODES = np.array([c for c in range(0x3100) if chr(c).isspace()], dtype=np.uint32)
    if not len(flat):
        return np.ones(0, dtype=bool)
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"),
                          dtype=np.uint32)
    keep = ~np.isin(codes[global_starts], _WS_CODES, kind="table")
    dropped = list(compress(flat, ~keep))
    if not all(map(str.isspace, dropped)):  # pragma: no cover - engines never mix
        keep = ~np.fromiter(map(str.isspace, flat), dtype=bool, count=len(flat))
    return keep


# -- inputs ----------------------------------------------------------------------------
def _as_units(obj):
    # only look for pandas types if pandas is loaded: the CLI never needs to import it
    pd = sys.modules.get("pandas")
    if isinstance(obj, str):
        raise ParameterError("segment() takes a list of texts or a Corpus, not one string; "
                             "wrap it: segment([text])")
    if hasattr(obj, "texts") and hasattr(obj, "unit_ids"):
        texts = list(obj.texts)
        unit_ids = [str(u) for u in obj.unit_ids]
        dv = getattr(obj, "docvars", None)
        docvars = (dv.reset_index(drop=True) if pd is not None and isinstance(dv, pd.DataFrame)
                   else None)
        return texts, unit_ids, docvars
    if pd is not None and isinstance(obj, pd.Series):
        obj = obj.tolist()
    texts = list(obj)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise ParameterError(f"text {i + 1} is {type(t).__name__}, not str; "
                                 "give a list of strings or a Corpus")
    return texts, [f"text{i + 1}" for i in range(len(texts))], None


def _texts_hash(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()[:32]


# -- cache -----------------------------------------------------------------------------
def _cache_save(path: Path, starts, ends, indptr, pos) -> None:
    arrays = {"starts": starts.astype(np.int32 if starts.size == 0 or starts.max() < 2**31
                                      else np.int64),
              "lens": (ends - starts).astype(np.int64),
              "indptr": indptr}
    lens = arrays["lens"]
    if lens.size == 0 or lens.max() < 65535:
        arrays["lens"] = lens.astype(np.uint16)
    if pos is not None:
        vocab, codes = np.unique(np.asarray(pos, dtype=object).astype(str), return_inverse=True)
        arrays["pos_vocab"] = vocab
        arrays["pos_codes"] = codes.astype(np.int32)
    try:
        with atomic_output(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
    except Exception as exc:  # a cache that cannot be written must not fail the analysis
        logging.getLogger(__name__).warning("could not write segmentation cache %s: %s",
                                            path, exc)


def _cache_load(path: Path, texts):
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            starts = z["starts"].astype(np.int64)
            ends = starts + z["lens"].astype(np.int64)
            indptr = z["indptr"].astype(np.int64)
            pos = None
            if "pos_codes" in z:
                vocab = z["pos_vocab"].tolist()
                pos = [vocab[c] for c in z["pos_codes"].tolist()]
    except Exception:  # corrupt or foreign file: segment again (and overwrite it)
        return None
    if len(indptr) != len(texts) + 1 or (len(ends) and ends.max() > max(map(len, texts))):
        return None
    return None, starts, ends, indptr, pos  # tokens are cut from the texts when needed


# -- module-level convenience ----------------------------------------------------------
_SEGMENTERS: dict[str, Segmenter] = {}


def segment(texts_or_corpus, backend: str = "rjieba", lexicon: bool = True, user_dict=None,
            pos: bool = False, hmm: bool = True, slogan_rules: bool = True, n_jobs: int = 1,
            cache: bool | str | os.PathLike = True, progress: bool = False,
            parallel_backend: str = "process") -> Tokens:
    """Segment texts or a Corpus into :class:`Tokens`.

    Parameters are those of :class:`Segmenter` and :meth:`Segmenter.segment`.  Segmenters
    are reused between calls with the same configuration, so the dictionary is built once.

    Examples
    --------
    >>> toks = segment(["全域党建提升组织力。", "扩大两个覆盖"], cache=False)
    >>> toks.to_lists()
    [['全域党建', '提升', '组织力', '。'], ['扩大', '两个覆盖']]
    >>> toks.offsets(1)
    [(0, 2), (2, 6)]
    """
    seg = Segmenter(backend=backend, lexicon=lexicon, user_dict=user_dict, pos=pos, hmm=hmm,
                    slogan_rules=slogan_rules)
    key = seg.config_hash
    if key not in _SEGMENTERS:
        if len(_SEGMENTERS) >= 8:
            _SEGMENTERS.pop(next(iter(_SEGMENTERS)))
        _SEGMENTERS[key] = seg
    return _SEGMENTERS[key].segment(texts_or_corpus, n_jobs=n_jobs, cache=cache,
                                    progress=progress, parallel_backend=parallel_backend)
