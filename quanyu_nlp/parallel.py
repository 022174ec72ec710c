"""One small map interface over a local process pool or a Dask cluster.

:func:`pmap` applies a top-level (importable) function to a list of chunks and returns
the results in order.  Workers are started with the *spawn* method on every platform,
so code that runs here also runs on Windows and macOS, and expensive state (a
segmenter with its dictionary) is built once per worker by an ``initializer``.

Examples
--------
>>> from quanyu_nlp.parallel import pmap
>>> pmap(len, [[1, 2], [3]], n_jobs=1)
[2, 1]
"""

from __future__ import annotations

import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterable, Sequence

from .errors import ParameterError

__all__ = ["pmap", "effective_n_jobs", "shutdown"]

# Dask has no worker initializer: remember which initializer already ran in this worker
_INITIALISED: set[tuple] = set()
# warm pools kept between calls with reuse=True, by number of workers
_POOLS: dict[int, ProcessPoolExecutor] = {}


def shutdown() -> None:
    """Stop the worker processes kept warm by ``pmap(..., reuse=True)``."""
    while _POOLS:
        _, ex = _POOLS.popitem()
        ex.shutdown(wait=True, cancel_futures=True)


def effective_n_jobs(n_jobs: int | None) -> int:
    """Resolve ``n_jobs`` like scikit-learn: ``-1`` = all cores, ``None`` = 1."""
    if n_jobs is None or n_jobs == 0:
        return 1
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool):
        raise ParameterError(f"n_jobs={n_jobs!r} must be an integer (1, 2, … or -1 for all "
                             "cores)")
    cpus = os.cpu_count() or 1
    if n_jobs < 0:
        return max(1, cpus + 1 + n_jobs)
    return n_jobs


def _progress(total: int, desc: str | None, enabled: bool):
    if not enabled:
        return None
    from tqdm.auto import tqdm  # notebook widget in Jupyter, text bar elsewhere

    return tqdm(total=total, desc=desc, unit="chunk")


def _call_with_init(initializer, initargs, func, chunk):
    key = (getattr(initializer, "__module__", None), getattr(initializer, "__qualname__", None),
           repr(initargs))
    if initializer is not None and key not in _INITIALISED:
        initializer(*initargs)
        _INITIALISED.add(key)
    return func(chunk)


def pmap(func: Callable[[Any], Any], chunks: Iterable[Any], n_jobs: int = 1,
         backend: str = "process", progress: bool = False, desc: str | None = None,
         initializer: Callable[..., None] | None = None, initargs: Sequence[Any] = (),
         reuse: bool = False, local: bool | Callable[[Any], Any] = False) -> list[Any]:
    """Map ``func`` over ``chunks`` in parallel and return the results in order.

    Parameters
    ----------
    func : callable
        A module-level function (it is pickled by reference for spawned workers).
    chunks : iterable
        The work items; each is pickled to a worker.
    n_jobs : int, default 1
        Number of worker processes; ``1`` runs in this process, ``-1`` uses all cores.
    backend : {"process", "dask"}
        ``"process"``: a local spawn-context process pool.  ``"dask"``: the active
        ``dask.distributed`` client if there is one, else a ``dask.bag`` on local
        processes.  Both give the same results.
    progress : bool
        Show a tqdm progress bar (a widget in Jupyter).
    desc : str, optional
        Label of the progress bar.
    initializer : callable, optional
        Run once in each worker (and once here when ``n_jobs == 1``) with ``initargs``.
    initargs : sequence
    reuse : bool, default False
        Keep the process pool alive for later calls with the same ``n_jobs`` (no
        ``initializer`` then: pass per-call state inside the chunks and cache it in the
        worker).  Starting Python, importing and building state takes about a second
        per worker; a warm pool pays it once per session.  :func:`shutdown` stops it.
    local : bool or callable, default False
        Let the calling process work too (``"process"`` backend): ``n_jobs - 1`` worker
        processes take chunks from the front of the list while this process takes
        chunks from the back that no worker has started (work stealing, so the split
        adapts to the load), until they meet.  Chunks done here are not pickled at all,
        and the caller's core is not left idle while it waits.  A callable is used here
        instead of ``func`` (e.g. one that skips packing the result for transfer).

    Returns
    -------
    list
        ``[func(c) for c in chunks]``.
    """
    chunks = list(chunks)
    n_jobs = effective_n_jobs(n_jobs)
    if backend not in ("process", "dask"):
        raise ParameterError(f"backend={backend!r} is unknown; use 'process' or 'dask'")
    if not chunks:
        return []
    if backend == "dask":
        return _pmap_dask(func, chunks, n_jobs, progress, desc, initializer, tuple(initargs))
    bar = _progress(len(chunks), desc, progress)
    try:
        if n_jobs == 1 or len(chunks) == 1:
            if initializer is not None:
                initializer(*initargs)
            out = []
            for c in chunks:
                out.append(func(c))
                if bar is not None:
                    bar.update(1)
            return out
        if reuse and initializer is not None:
            raise ParameterError("pmap(reuse=True) cannot take an initializer; send the "
                                 "state with the chunks")
        if local:
            return _pmap_local(func, func if local is True else local, chunks, n_jobs - 1,
                               reuse, initializer, initargs, bar)

        def run(ex, attempt):
            futures = [ex.submit(func, c) for c in chunks]
            out = []
            for f in futures:  # in submission order: results stay ordered
                out.append(f.result())
                if bar is not None:
                    bar.update(1)
            return out

        return _in_pool(n_jobs if reuse else min(n_jobs, len(chunks)), reuse, initializer,
                        initargs, run)
    finally:
        if bar is not None:
            bar.close()


def _pmap_local(func, local_func, chunks, n_workers, reuse, initializer, initargs, bar):
    """Workers from the front, this process from the back (see ``pmap(local=...)``)."""
    out: list[Any] = [None] * len(chunks)
    todo = list(range(len(chunks)))  # indices not computed yet, in order

    def run(ex, attempt):
        nonlocal todo
        futures: dict = {}
        try:
            # submitting does not pickle: a chunk is pickled only when a worker is about
            # to need it, so the chunks stolen below never cross to a worker
            futures = {i: ex.submit(func, chunks[i]) for i in todo}
            if initializer is not None and attempt == 0:
                initializer(*initargs)
            k = len(todo) - 1
            while k >= 0 and futures[todo[k]].cancel():  # no worker has started it yet
                i = todo[k]
                out[i] = local_func(chunks[i])
                del futures[i]
                if bar is not None:
                    bar.update(1)
                k -= 1
            todo = todo[:k + 1]
            while todo:  # in order: results stay ordered
                out[todo[0]] = futures.pop(todo[0]).result()
                del todo[0]
                if bar is not None:
                    bar.update(1)
            return out
        except BrokenProcessPool:
            for f in futures.values():  # what is left is redone in the fresh pool
                f.cancel()
            raise

    return _in_pool(n_workers if reuse else min(n_workers, len(todo)), reuse, initializer,
                    initargs, run)


def _in_pool(n: int, reuse: bool, initializer, initargs, run):
    """Call ``run(executor, attempt)`` in a pool of ``n`` workers.

    If a worker dies (killed, out of memory) a kept pool (``reuse=True``) is dropped and
    ``run`` is called once more in a fresh one, so a long session survives a lost
    worker; a pool of one call is shut down afterwards and its error raised.
    """
    for attempt in (0, 1):
        ex = _pool(n, reuse, initializer, initargs)
        try:
            return run(ex, attempt)
        except BrokenProcessPool:
            _POOLS.pop(n, None)
            if not reuse or attempt:
                raise
        finally:
            if not reuse:
                ex.shutdown(wait=True)
    raise AssertionError("unreachable")  # pragma: no cover


def _pool(n: int, reuse: bool, initializer, initargs) -> ProcessPoolExecutor:
    ctx = mp.get_context("spawn")  # the same start method on Linux, macOS and Windows
    if not reuse:
        return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=initializer,
                                   initargs=tuple(initargs))
    ex = _POOLS.get(n)
    if ex is None:
        ex = _POOLS[n] = ProcessPoolExecutor(max_workers=n, mp_context=ctx)
    return ex


def _pmap_dask(func, chunks, n_jobs, progress, desc, initializer, initargs):
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):
        client = None
    if client is not None:
        futures = client.map(_call_with_init, [initializer] * len(chunks),
                             [initargs] * len(chunks), [func] * len(chunks), chunks,
                             pure=False)
        if progress:
            from tqdm.auto import tqdm
            from distributed import as_completed

            with tqdm(total=len(futures), desc=desc, unit="chunk") as bar:
                for _ in as_completed(futures):
                    bar.update(1)
        return client.gather(futures)
    import dask.bag as db

    bag = db.from_sequence(chunks, npartitions=len(chunks)).map(
        lambda c: _call_with_init(initializer, initargs, func, c))
    if n_jobs == 1:
        return bag.compute(scheduler="synchronous")
    return bag.compute(scheduler="processes", num_workers=n_jobs)
