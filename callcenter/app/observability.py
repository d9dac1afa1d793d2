"""Wiring of what the daemon measures: the event-loop lag, the Prometheus registry and the
readings it takes from each part at scrape time, and the queue sampler behind the queue
gauges. (Composition root: it reads the edges' own counters.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.traffic import Traffic
from callcenter.http.health import LAG_KEY, STALLS_KEY
from callcenter.http.metrics import METRICS, RENDER_KEY
from callcenter.metrics.heap import Heap
from callcenter.metrics.loop_lag import LoopLag
from callcenter.metrics.registry import DaemonMetrics
from callcenter.metrics.stall_catcher import StallCatcher
from callcenter.services.agent_states import AgentStates
from callcenter.services.ports import QueueControl, TelephonyError
from callcenter.store.call_log_writer import WriteBehindCallLog

log = logging.getLogger(__name__)


class QueueSampler:
    """Callers waiting and the longest wait per queue, read from app_queue (QueueStatus)
    every ``every`` seconds while AMI is up; the gauges show the last reading."""

    def __init__(self, queues: QueueControl, connected: Callable[[], bool], every: float) -> None:
        self._queues, self._connected, self._every = queues, connected, every
        self.waiting: dict[tuple[str, ...], float] = {}
        self.longest: dict[tuple[str, ...], float] = {}

    async def run(self) -> None:
        while True:
            if not self._connected():
                await asyncio.sleep(1.0)
                continue
            try:
                snapshots = await self._queues.status()
            except TelephonyError as exc:
                log.debug("queue sample skipped: %s", exc)
            else:
                self.waiting = {(s.queue,): float(len(s.waiting)) for s in snapshots}
                self.longest = {(s.queue,): s.longest_wait for s in snapshots}
            await asyncio.sleep(self._every)


class HeapKeeper:
    """Every ``every`` seconds (0: never) gives the C heap's free pages back to the system,
    in a worker thread (``malloc_trim`` walks the arenas; the loop goes on meanwhile)."""

    def __init__(
        self,
        heap: Heap,
        every: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.heap, self._every, self._sleep = heap, every, sleep

    async def run(self) -> None:
        while self._every > 0 and self.heap.available:
            await self._sleep(self._every)
            await asyncio.to_thread(self.heap.trim)


class Observability:
    def __init__(
        self,
        metrics: DaemonMetrics,
        call_log: WriteBehindCallLog,
        ami: AmiClient,
        ari: AriClient,
        live_calls: Callable[[], int],
        agent_states: AgentStates,
        queues: QueueControl,
        call_ids: Callable[[], list[str]],
        db_busy: Callable[[], dict[str, str]],
        stall_threshold: float = 0.04,
        sample_every: float = 5.0,
        heap: HeapKeeper | None = None,
    ) -> None:
        self.metrics = m = metrics
        self.heap = heap or HeapKeeper(Heap(), 0.0)
        self.stalls: StallCatcher | None = None
        if stall_threshold > 0:
            self.stalls = StallCatcher(
                threshold=stall_threshold,
                context=lambda: {
                    "db": db_busy(),
                    "call_log_backlog": call_log.backlog,
                    "calls": call_ids()[:20],
                },
                on_stall=lambda s: m.stall.observe(s.seconds),
            )
        self.lag = LoopLag(
            observe=m.loop_lag.observe,
            on_tick=self.stalls.ticked if self.stalls else lambda _l, _d: None,
        )
        self.sampler = QueueSampler(queues, lambda: ami.connected, sample_every)
        m.gauge("callcenter_calls_in_ivr", "Calls the daemon is handling now.", live_calls)
        m.gauge(
            "callcenter_call_log_backlog",
            "Call-log changes queued by calls and not yet committed (write-behind).",
            lambda: float(call_log.backlog),
        )
        m.gauge(
            "callcenter_queue_waiting_callers",
            "Callers waiting in each queue (app_queue, sampled).",
            lambda: self.sampler.waiting,
            ("queue",),
        )
        m.gauge(
            "callcenter_queue_longest_wait_seconds",
            "The longest wait of a caller in each queue now (sampled).",
            lambda: self.sampler.longest,
            ("queue",),
        )
        m.gauge(
            "callcenter_agents",
            "Agents by state (logged out, available, ringing, on call, wrap-up, paused).",
            lambda: {(k,): float(v) for k, v in agent_states.counts().items()},
            ("state",),
        )
        for name, client in (("ami", ami), ("ari", ari)):
            self._traffic(name, client.traffic)
        self._heap(self.heap.heap)

    def _heap(self, heap: Heap) -> None:
        m = self.metrics
        m.gauge(
            "callcenter_heap_bytes",
            "The daemon's C heap (its allocator: jemalloc or glibc): bytes in use, free but "
            "kept by the process (jemalloc: resident beyond in use), glibc's mmapped chunks. "
            "'free' climbing while 'in_use' stays level is retention, not a leak.",
            lambda: {(k,): v for k, v in heap.reading().items() if k != "python_blocks"},
            ("kind",),
        )
        m.gauge(
            "callcenter_python_allocated_blocks",
            "Memory blocks CPython has allocated (sys.getallocatedblocks): a leak of Python "
            "objects climbs here.",
            lambda: heap.reading()["python_blocks"],
        )
        m.counter(
            "callcenter_heap_trimmed_bytes",
            "Resident bytes the periodic malloc_trim gave back to the system.",
            lambda: float(heap.trimmed_bytes),
        )

    def _traffic(self, name: str, traffic: Traffic) -> None:
        m = self.metrics
        m.counter(
            f"callcenter_{name}_reconnects",
            f"{name.upper()} connections after the first (each followed a loss).",
            lambda: float(traffic.reconnects),
        )
        m.counter(
            f"callcenter_{name}_received_bytes",
            f"Bytes received from Asterisk over {name.upper()}.",
            lambda: float(traffic.received_bytes),
        )
        m.counter(
            f"callcenter_{name}_received_events",
            f"Events received over {name.upper()}, by event name.",
            traffic.by_event,
            ("event",),
        )

    def recent_stalls(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.stalls.recent] if self.stalls else []

    def close(self) -> None:
        if self.stalls is not None:
            self.stalls.stop()

    def tasks(self) -> list[asyncio.Task[None]]:
        if self.stalls is not None:
            self.stalls.start(asyncio.get_running_loop())
        return [
            asyncio.create_task(self.lag.run(), name="loop-lag"),
            asyncio.create_task(self.sampler.run(), name="queue-sampler"),
            asyncio.create_task(self.heap.run(), name="heap-trim"),
        ]


def _plug(parts: Parts, plug: Plug) -> None:
    calls, agents, threads = parts[slots.CALLS], parts[slots.AGENTS], parts[slots.DB_THREADS]
    observability = Observability(
        parts[slots.METRICS],
        parts[slots.CALL_LOG],
        parts[slots.AMI],
        parts[slots.ARI],
        lambda: len(calls.supervisor.live_calls),
        agents.states,
        agents.ami_queues,
        lambda: calls.supervisor.live_calls,
        threads.busy,
        parts[slots.CONFIG].daemon.stall_threshold_ms / 1000,
        heap=HeapKeeper(Heap(), parts[slots.CONFIG].daemon.heap_trim_seconds),
    )
    plug.serve(LAG_KEY, observability.lag.summary)
    plug.serve(STALLS_KEY, observability.recent_stalls)
    plug.serve(RENDER_KEY, observability.metrics.render)
    plug.run(observability.tasks)
    plug.on_close(observability.close)


FEATURE = Feature(
    "observability",
    needs=(slots.CALLS, slots.AGENTS, slots.METRICS, slots.CALL_LOG, slots.DB_THREADS),
    provides=(),
    build=_plug,
    pages=(METRICS,),
)
