"""Wiring of reports: app_queue's events written to the event log (the core's), what the
daemon missed rebuilt from Asterisk's queue_log after every AMI login, targets watched for
alerts (board, webhooks, Prometheus), the reports' API and page. (Composition root.)"""

from __future__ import annotations

import asyncio
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from callcenter.app import slots
from callcenter.app.agents import Agents
from callcenter.app.assembly import SystemClock
from callcenter.app.event_log import EventLogWiring
from callcenter.app.events import EventBus
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.queue_log import queue_log_path, read_events
from callcenter.config import Config
from callcenter.domain.alerts import pause_limits
from callcenter.domain.event_log import LoggedEvent
from callcenter.domain.queue_events import CallerQueued, QueueEvent
from callcenter.domain.reconcile import Difference
from callcenter.domain.reports import Figures
from callcenter.http import api_reports
from callcenter.http.api_reports import REPORTS
from callcenter.http.reports_page import REPORTS_PAGE
from callcenter.metrics.registry import DaemonMetrics
from callcenter.services.alerts import Alerts
from callcenter.services.rebuild import rebuild
from callcenter.store.webhooks import SqlWebhooks


class ReportsWiring:
    def __init__(
        self,
        config: Config,
        events: EventLogWiring,
        agents: Agents,
        webhooks: SqlWebhooks,
        bus: EventBus,
    ) -> None:
        self._config = config
        self._events = events
        self.reports = events.reports
        # The configured queues, and the dialplan's fallback (calls while the daemon is down).
        self.queues: Sequence[str] = (*agents.queue_defs, config.dialplan.fallback_queue)
        self._agents = agents
        self._path = queue_log_path(config.state_dir)
        self._webhooks, self._bus = webhooks, bus
        self.alerts = Alerts(
            self._queues_now,
            self.reports.today_figures,
            agents.states.paused_for,
            self.reports.targets_of,
            pause_limits(config.reports.pause_limits),
            self._announce,
            SystemClock(),
        )

    async def _queues_now(self) -> list[tuple[str, int, float]]:
        """Callers waiting and the longest wait per queue (app_queue's QueueStatus), only
        when some queue has a limit on them (the look is not free)."""
        if not any(t.max_waiting or t.max_wait for t in self.reports.targets.values()):
            return []
        snapshots = await self._agents.ami_queues.status()
        return [(q.queue, len(q.waiting), q.longest_wait) for q in snapshots]

    async def _announce(self, kind: str, data: Mapping[str, Any]) -> None:
        await self._webhooks.enqueue(kind, data, datetime.now(UTC))
        self._bus.emit(kind, data)

    async def known_agents(self) -> set[str]:
        return {a.extension for a in await self._events.tickets.list_agents()}

    async def verify(self, day: date) -> tuple[int, int, list[Difference]]:
        return await self._events.verify(day, self._config.state_dir)

    async def rebuild(self) -> None:
        """After every AMI login: what happened while the daemon did not watch."""

        async def read(since: datetime | None, until: datetime | None) -> list[LoggedEvent]:
            return await asyncio.to_thread(read_events, self._path, since, until)

        await rebuild(self._events.log, read, datetime.now(UTC))

    def tasks(self) -> list[asyncio.Task[None]]:
        every = self._config.reports.alert_every_seconds
        return [
            asyncio.create_task(self._events.writer.run(), name="event-log-writer"),
            asyncio.create_task(self.alerts.run(every), name="alerts"),
        ]


def _metrics(metrics: DaemonMetrics, wiring: ReportsWiring, events: EventLogWiring) -> None:
    metrics.gauge(
        "callcenter_alert_active",
        "1 while a target is breached, by rule and queue or agent.",
        wiring.alerts.gauge,
        ("rule", "subject"),
    )
    today = wiring.alerts

    def per_queue(
        read: Callable[[Figures], float | None],
    ) -> Callable[[], dict[tuple[str, ...], float]]:
        return lambda: {(q,): v for q, f in today.today.items() if (v := read(f)) is not None}

    metrics.gauge(
        "callcenter_queue_service_level_today",
        "Share of today's calls answered within the queue's threshold (reports' definition).",
        per_queue(lambda f: f.service_level),
        ("queue",),
    )
    metrics.gauge(
        "callcenter_queue_abandonment_rate_today",
        "Share of today's calls abandoned (short abandons left out).",
        per_queue(lambda f: f.abandonment_rate),
        ("queue",),
    )
    metrics.gauge(
        "callcenter_queue_offered_today",
        "Calls offered to the queue today (finished: answered, abandoned, overflowed).",
        per_queue(lambda f: float(f.offered)),
        ("queue",),
    )
    metrics.gauge(
        "callcenter_queue_service_level_target",
        "The queue's service-level target (a share, 0-1).",
        lambda: {(q,): t.target / 100 for q, t in wiring.reports.targets.items()},
        ("queue",),
    )
    metrics.counter(
        "callcenter_event_log_events",
        "Events the daemon appended to the event log.",
        lambda: float(events.writer.written),
    )


def _plug(parts: Parts, plug: Plug) -> None:
    events = parts[slots.EVENT_LOG]
    webhooks = SqlWebhooks(parts[slots.SESSIONS], parts[slots.DB_THREADS])
    wiring = ReportsWiring(
        parts[slots.CONFIG], events, parts[slots.AGENTS], webhooks, parts[slots.EVENTS]
    )
    if parts[slots.CONFIG].reports.event_log:
        for kind in (*typing.get_args(QueueEvent), CallerQueued):
            plug.on_ami(kind, events.writer.queue_event)
    plug.after_ami_login(wiring.rebuild)
    plug.run(wiring.tasks)
    plug.on_close(events.writer.close)
    _metrics(parts[slots.METRICS], wiring, events)
    plug.serve(REPORTS, wiring)
    parts.provide(slots.ALERTS, wiring.alerts)


FEATURE = Feature(
    "reports",
    needs=(
        slots.CONFIG,
        slots.EVENT_LOG,
        slots.AGENTS,
        slots.SESSIONS,
        slots.DB_THREADS,
        slots.METRICS,
        slots.EVENTS,
    ),
    provides=(slots.ALERTS,),
    build=_plug,
    routes=tuple(api_reports.ROUTES),
    pages=(REPORTS_PAGE,),
)
