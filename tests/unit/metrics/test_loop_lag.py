from __future__ import annotations

import asyncio
import contextlib
import time

from callcenter.metrics.loop_lag import LoopLag, percentile


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.99) == 0.0


def test_summary_keeps_only_the_window() -> None:
    lag = LoopLag(window=60.0)
    lag.record(0.0, 0.5)  # a minute and more ago: dropped
    for t in range(1, 101):
        lag.record(60.0 + t * 0.02, 0.001)
    summary = lag.summary()
    assert summary["max"] == 0.001
    assert summary["p99"] == 0.001
    assert summary["samples"] == 100


async def test_a_blocking_callback_shows_as_lag() -> None:
    seen: list[float] = []
    lag = LoopLag(observe=seen.append, interval=0.01)
    task = asyncio.create_task(lag.run())
    await asyncio.sleep(0.05)
    time.sleep(0.08)  # noqa: ASYNC251 (the point: the loop is blocked, every event waits)
    await asyncio.sleep(0.05)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert max(seen) >= 0.06
    assert lag.summary()["max"] == max(seen)
    assert sorted(seen)[len(seen) // 2] < 0.01  # the rest of the time it keeps up
