from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import linecache
import sys
import threading
import time
from pathlib import Path
from typing import Any

from callcenter.metrics.loop_lag import LoopLag
from callcenter.metrics.stall_catcher import Stall, StallCatcher, _stack


def block_the_loop_on_purpose(seconds: float) -> None:
    time.sleep(seconds)  # the loop's thread is stuck here: every event waits


def collect_on_the_loop() -> None:
    gc.collect()
    time.sleep(0.06)


async def _run_with_catcher(
    blocker: object, *args: float, wait: float = 10.0, **kwargs: Any
) -> tuple[StallCatcher, list[Stall]]:
    """A catcher on this loop while a call runs ``blocker(*args)`` on it; what it caught
    (waiting up to ``wait`` s for the watchdog's report, told by its ``on_stall``)."""
    loop = asyncio.get_running_loop()
    reported = asyncio.Event()
    catcher = StallCatcher(on_stall=lambda _s: loop.call_soon_threadsafe(reported.set), **kwargs)
    lag = LoopLag(interval=0.01, on_tick=catcher.ticked)
    ticker = asyncio.create_task(lag.run(), name="ticker")
    catcher.start(loop)
    try:
        await asyncio.sleep(0.05)

        async def the_call() -> None:
            blocker(*args)  # type: ignore[operator]

        await asyncio.create_task(the_call(), name="call-1700000000.42")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reported.wait(), wait)
    finally:
        catcher.stop()
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
    return catcher, list(catcher.recent)


async def test_a_blocked_loop_is_caught_in_the_blocking_function() -> None:
    _, stalls = await _run_with_catcher(
        block_the_loop_on_purpose, 0.1, threshold=0.04, context=lambda: {"calls": ["1700000000.42"]}
    )
    assert len(stalls) == 1, stalls
    stall = stalls[0]
    assert 0.08 <= stall.seconds < 0.5
    assert stall.samples >= 1
    assert any("block_the_loop_on_purpose" in frame for frame in stall.stack), stall.stack
    assert "block_the_loop_on_purpose" in stall.where()
    assert stall.task == "call-1700000000.42"
    assert stall.context == {"calls": ["1700000000.42"]}
    record = stall.as_dict()
    assert record["where"] == stall.where()
    assert record["ms"] >= 80


async def test_a_collection_inside_the_stall_is_recorded() -> None:
    catcher, stalls = await _run_with_catcher(collect_on_the_loop, threshold=0.04)
    assert len(stalls) == 1
    assert any(p.generation == 2 and p.thread == "MainThread" for p in stalls[0].gc), stalls[0].gc
    assert gc.callbacks.count(catcher._on_gc) == 0  # stop() took its hook back


async def test_short_lateness_is_not_a_stall() -> None:
    _, stalls = await _run_with_catcher(block_the_loop_on_purpose, 0.015, wait=0.3, threshold=0.04)
    assert stalls == []


def test_the_record_comes_from_the_ticks_own_lateness_on_a_settable_clock() -> None:
    catcher = StallCatcher(threshold=0.04, sample_from=0.01)
    catcher.ticked(0.0, 1.000)  # next tick due at t=1.000
    assert catcher.look(1.005) is None  # 5 ms late: nothing yet
    for t in (1.02, 1.03, 1.04, 1.05):
        assert catcher.look(t) is None  # late: sampling, no record until the tick runs
    catcher.ticked(0.052, 1.072)  # the tick ran 52 ms late
    stall = catcher.look(1.055)
    assert stall is not None
    assert stall.seconds == 0.052
    assert stall.samples == 4
    assert stall.stack == ()  # never started: no loop thread to sample
    assert catcher.look(1.06) is None  # reported once
    assert catcher.count == 1


def test_a_late_tick_the_watchdog_never_saw_is_still_recorded_when_long() -> None:
    catcher = StallCatcher(threshold=0.04)
    catcher.ticked(0.0, 1.0)
    catcher.ticked(0.3, 1.32)  # the watchdog could not run at all (GIL held by C code)
    stall = catcher.look(1.301, blocked=0.29)
    assert stall is not None
    assert stall.samples == 0
    assert stall.where() == "?"
    assert stall.watchdog_blocked == 0.29


async def test_the_catcher_adds_no_task_or_thread_per_call() -> None:
    catcher = StallCatcher(threshold=0.04)
    lag = LoopLag(interval=0.01, on_tick=catcher.ticked)
    threads_before = threading.active_count()
    tasks_before = len(asyncio.all_tasks())
    ticker = asyncio.create_task(lag.run())
    catcher.start(asyncio.get_running_loop())
    try:
        calls = [asyncio.create_task(asyncio.sleep(0.02)) for _ in range(200)]
        await asyncio.sleep(0.005)
        assert threading.active_count() == threads_before + 1  # one watchdog, whatever load
        assert len(asyncio.all_tasks()) == tasks_before + 1 + 200  # the ticker and the calls
        await asyncio.gather(*calls)
        await asyncio.sleep(0.03)
        assert threading.active_count() == threads_before + 1
        assert len(asyncio.all_tasks()) == tasks_before + 1
    finally:
        catcher.stop()
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
    assert threading.active_count() == threads_before


def test_the_worst_tick_since_the_last_look_counts_even_when_a_good_one_followed() -> None:
    catcher = StallCatcher(threshold=0.04)
    catcher.ticked(0.0, 1.0)
    catcher.ticked(2.1, 3.12)  # a 2.1 s collection held the GIL: the watchdog saw nothing
    catcher.ticked(0.001, 3.141)  # and the loop ticked again before the watchdog looked
    stall = catcher.look(3.13, blocked=2.1)
    assert stall is not None
    assert stall.seconds == 2.1
    assert catcher.look(3.15) is None
    catcher.ticked(0.002, 3.17)
    assert catcher.look(3.16) is None  # on time again: nothing more


def test_a_sampled_stack_reads_no_source_file(tmp_path: Path) -> None:
    """Stacks are names and line numbers: linecache must not keep each file they pass
    through (it grew the daemon's memory for as long as it ran)."""
    source = tmp_path / "sampled_module.py"
    source.write_text("import sys\n\ndef where(stack):\n    return stack(sys._getframe(), 5)\n")
    spec = importlib.util.spec_from_file_location("sampled_module", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    linecache.checkcache(str(source))
    stack = module.where(_stack)
    assert stack[-1] == "where (sampled_module.py:4)"
    # At most a lazy entry (a loader to call, no lines): the file's lines are not read.
    assert len(linecache.cache.get(str(source), ())) <= 1
    sys.modules.pop("sampled_module", None)
