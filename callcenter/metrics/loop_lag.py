"""Event-loop lag: how late a timer that should fire every ``interval`` seconds fires.

A loop busy with a callback (or starved of the GIL by a worker thread) wakes the ticker
late; the lateness is exactly the delay every other ready callback — a caller's DTMF, a
StasisStart — suffered at that moment.

Contract: :meth:`LoopLag.run` ticks until cancelled; :meth:`LoopLag.summary` gives p50,
p99 and max (seconds) of the ticks of the last ``window`` seconds; every sample also goes
to ``observe`` (the Prometheus histogram), and each tick's lag and the next tick's due
time to ``on_tick`` (the stall catcher).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0.0 for none); ``q`` in [0, 1]."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(q * len(ordered) + 0.999999)))
    return ordered[rank - 1]


class LoopLag:
    def __init__(
        self,
        observe: Callable[[float], None] = lambda _s: None,
        interval: float = 0.02,
        window: float = 60.0,
        warn_above: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        on_tick: Callable[[float, float], None] = lambda _lag, _next_due: None,
    ) -> None:
        self._observe = observe
        self._on_tick = on_tick
        self._interval = interval
        self._window = window
        self._warn_above = warn_above
        self._clock = clock
        self._samples: collections.deque[tuple[float, float]] = collections.deque()

    def record(self, at: float, lag: float) -> None:
        self._samples.append((at, lag))
        while self._samples and self._samples[0][0] < at - self._window:
            self._samples.popleft()
        self._observe(lag)
        if lag > self._warn_above:
            log.warning("event loop stalled for %.0f ms", lag * 1000)

    def summary(self) -> dict[str, float]:
        lags = [lag for _, lag in self._samples]
        return {
            "p50": percentile(lags, 0.50),
            "p99": percentile(lags, 0.99),
            "max": max(lags, default=0.0),
            "samples": float(len(lags)),
        }

    async def run(self) -> None:
        expected = self._clock() + self._interval
        self._on_tick(0.0, expected)
        while True:
            await asyncio.sleep(max(0.0, expected - self._clock()))
            now = self._clock()
            lag = max(0.0, now - expected)
            expected = now + self._interval
            self._on_tick(lag, expected)
            self.record(now, lag)
