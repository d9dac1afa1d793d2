"""Wiring of what the daemon measures: the event-loop lag, the Prometheus registry and the
readings it takes from each part at scrape time, and the queue sampler behind the queue
gauges. (Composition root: it reads the edges' own counters.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.traffic import Traffic
from callcenter.metrics.loop_lag import LoopLag
from callcenter.metrics.registry import DaemonMetrics
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
        sample_every: float = 5.0,
    ) -> None:
        self.metrics = m = metrics
        self.lag = LoopLag(observe=m.loop_lag.observe)
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

    def tasks(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self.lag.run(), name="loop-lag"),
            asyncio.create_task(self.sampler.run(), name="queue-sampler"),
        ]
