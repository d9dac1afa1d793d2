from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from callcenter.app.observability import HeapKeeper
from callcenter.asterisk.runtime import jemalloc_library
from callcenter.metrics import heap as heap_module
from callcenter.metrics.heap import Heap, rss_bytes

MB = 1_000_000


def test_the_reading_sees_what_malloc_holds() -> None:
    heap = Heap()
    assert heap.available  # the daemon's platform: Debian's glibc
    before = heap.reading()
    chunks = [bytes(10_000) for _ in range(2_000)]  # 20 MB of 10 kB chunks: malloc's heap
    during = heap.reading()
    assert during["in_use"] - before["in_use"] > 15 * MB
    del chunks
    after = heap.reading()
    assert during["in_use"] - after["in_use"] > 15 * MB
    assert {"in_use", "free", "mmapped", "python_blocks"} <= after.keys()


def test_the_trim_gives_back_what_was_freed_below_a_live_chunk() -> None:
    heap = Heap()
    chunks = [bytes(10_000) for _ in range(5_000)]  # 50 MB
    pinned = bytes(10_000)  # above them in the heap: free() alone cannot shrink the top
    del chunks
    kept = heap.reading()["free"]
    rss = rss_bytes()
    returned, took = heap.trim()
    assert kept > 40 * MB
    assert returned > 30 * MB, (returned, rss)
    assert took < 1.0
    assert heap.trims == 1
    assert heap.trimmed_bytes == returned
    assert len(pinned) == 10_000


def test_the_arena_limit_is_taken_and_zero_leaves_glibcs_default() -> None:
    heap = Heap()
    assert heap.limit_arenas(0) is False
    assert heap.limit_arenas(64) is True  # as many as a 2-core machine gets anyway


def test_without_glibc_the_heap_reads_python_only_and_trims_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(heap_module, "_allocator", lambda: None)
    heap = Heap()
    assert not heap.available
    assert set(heap.reading()) == {"python_blocks"}
    assert heap.trim() == (0, 0.0)
    assert heap.limit_arenas(2) is False


def test_a_keeper_set_to_never_returns_at_once() -> None:
    keeper = HeapKeeper(Heap(), 0.0)
    asyncio.run(asyncio.wait_for(keeper.run(), 1.0))
    assert keeper.heap.trims == 0


def test_a_keeper_trims_every_period_off_the_loop() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) > 2:
            raise asyncio.CancelledError

    keeper = HeapKeeper(Heap(), 60.0, sleep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(keeper.run())
    assert slept == [60.0, 60.0, 60.0]
    assert keeper.heap.trims == 2


JEMALLOC_CHILD = """
import json
from callcenter.metrics.heap import Heap
heap = Heap()
chunks = [bytes(10_000) for _ in range(5_000)]
pinned = bytes(10_000)
during = heap.reading()
del chunks
kept = heap.reading()
returned, _took = heap.trim()
print(json.dumps({"allocator": heap.allocator, "during": during, "kept": kept,
                  "returned": returned}))
"""


def test_under_jemalloc_the_heap_is_read_and_purged() -> None:
    library = jemalloc_library()
    assert library is not None
    env = {**os.environ, "LD_PRELOAD": str(library)}
    done = subprocess.run(
        [sys.executable, "-c", JEMALLOC_CHILD], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["allocator"] == "jemalloc"
    assert out["during"]["in_use"] > 45 * MB
    assert out["kept"]["in_use"] < 15 * MB
    assert out["returned"] > 30 * MB
