"""The parallel map: ordered results, spawn-safe workers, same output as one process."""

import operator
import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from quanyu_nlp.errors import ParameterError
from quanyu_nlp.parallel import effective_n_jobs, pmap
from quanyu_nlp.segment import Segmenter, segment

TEXTS = ([f"第{i}社区党委组建党建联合体，推动两个覆盖，提升组织力。" for i in range(40)]
         + ["", "做到“四个结合”，重推重抓九大专项。", "Mixed English 2026"] * 5)


def test_pmap_serial_and_ordered():
    assert pmap(len, [[1, 2], [3], []], n_jobs=1) == [2, 1, 0]
    assert pmap(len, [], n_jobs=2) == []


def test_pmap_processes_keep_order():
    chunks = [list(range(i)) for i in range(12)]
    assert pmap(len, chunks, n_jobs=2) == list(range(12))
    assert pmap(operator.neg, [3, 1, 2], n_jobs=2, progress=True, desc="neg") == [-3, -1, -2]


def test_pmap_local_takes_chunks_from_the_back():
    # operator.neg runs in the worker, abs here: workers take a prefix, the caller the rest
    chunks = list(range(1, 41))
    out = pmap(operator.neg, chunks, n_jobs=2, local=abs, reuse=True)
    assert [abs(x) for x in out] == chunks
    signs = [x > 0 for x in out]
    assert signs == sorted(signs)  # False (worker) ... True (here): they met once
    assert pmap(operator.neg, chunks, n_jobs=2, local=True) == [-c for c in chunks]


def _die_once(args):
    """Kill this worker the first time (as the OOM killer would), then work normally."""
    flag, x = args
    try:
        os.close(os.open(flag, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return -x
    os._exit(1)


def _negate_here(args):
    return -args[1]


@pytest.mark.parametrize("local", [False, _negate_here])
def test_pmap_kept_pool_survives_a_dead_worker(tmp_path, local):
    # a worker killed mid-map: the kept pool is replaced and the map still completes
    # (the chunks the caller takes itself use _negate_here, which never dies)
    chunks = [(str(tmp_path / "died"), x) for x in range(1, 13)]
    out = pmap(_die_once, chunks, n_jobs=3, reuse=True, local=local)
    assert out == [-x for x in range(1, 13)]
    assert (tmp_path / "died").exists()  # a worker really was lost


def test_pmap_one_off_pool_reports_a_dead_worker(tmp_path):
    chunks = [(str(tmp_path / "died"), x) for x in range(1, 7)]
    with pytest.raises(BrokenProcessPool):
        pmap(_die_once, chunks, n_jobs=2)


def test_pmap_bad_arguments():
    with pytest.raises(ParameterError, match="backend"):
        pmap(len, [[1]], backend="ray")
    with pytest.raises(ParameterError, match="n_jobs"):
        effective_n_jobs("2")
    assert effective_n_jobs(-1) >= 1 and effective_n_jobs(None) == 1


def test_segment_parallel_equals_serial():
    one = segment(TEXTS, n_jobs=1, cache=False)
    two = segment(TEXTS, n_jobs=2, cache=False)
    assert one == two
    assert one.to_lists() == two.to_lists()


def test_segment_parallel_with_pos_and_user_dict():
    seg = Segmenter(pos=True, user_dict={"初心讲堂": None})
    texts = TEXTS + ["社区开办初心讲堂"]
    one = seg.segment(texts, cache=False)
    two = seg.segment(texts, n_jobs=2, cache=False)
    assert one == two and two.pos(len(texts) - 1) == one.pos(len(texts) - 1)
    assert "初心讲堂" in two.tokens(len(texts) - 1)


def test_segment_dask_backend_equals_serial():
    pytest.importorskip("dask.bag")
    one = segment(TEXTS, cache=False)
    assert segment(TEXTS, n_jobs=1, cache=False, parallel_backend="dask") == one
    assert segment(TEXTS, n_jobs=2, cache=False, parallel_backend="dask") == one


def test_parallel_chunks_without_tokens():
    texts = ["", "  ", "\n"] * 30 + ["提升组织力"] + [""] * 30
    assert segment(texts, n_jobs=2, cache=False) == segment(texts, cache=False)
    assert segment([""] * 50, n_jobs=2, cache=False).to_lists() == [[]] * 50


def test_texts_containing_separator_characters():
    # the worker joins tokens with a character absent from the chunk; make it hunt
    texts = ["党建\x00联合体\x01两个覆盖\x02组织力\x03", "\ufffe\uffff提升组织力"] * 20
    one = segment(texts, cache=False)
    assert segment(texts, n_jobs=2, cache=False) == one
