"""Alerts watched: every few seconds the queues now, today's figures and the agents'
pauses are held against their targets; an alert is raised once when a breach begins and
cleared once when it ends — told to the board, to webhooks (``alert.raised`` /
``alert.cleared``) and to Prometheus (``callcenter_alert_active``)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from callcenter.domain.alerts import Alert, Breaches, breaches, step
from callcenter.domain.reports import Figures, Targets
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)

QueuesNow = Callable[[], Awaitable[Sequence[tuple[str, int, float]]]]
Today = Callable[[], Awaitable[Mapping[str, Figures]]]
Paused = Callable[[], Sequence[tuple[str, str, float]]]
Announce = Callable[[str, Mapping[str, Any]], Awaitable[None]]


def alert_json(a: Alert) -> dict[str, Any]:
    return {**dataclasses.asdict(a), "since": a.since.isoformat()}


class Alerts:
    def __init__(
        self,
        queues: QueuesNow,
        today: Today,
        paused: Paused,
        targets: Callable[[str], Targets],
        pause_limits: Mapping[str, float],
        announce: Announce,
        clock: Clock,
    ) -> None:
        self._queues, self._today, self._paused = queues, today, paused
        self._targets, self._limits = targets, dict(pause_limits)
        self._announce, self._clock = announce, clock
        self._active: dict[tuple[str, str], Alert] = {}
        self._sources: list[Callable[[], Awaitable[Breaches]]] = []
        self.today: Mapping[str, Figures] = {}  # the last look's figures (for /metrics)

    def watch(self, source: Callable[[], Awaitable[Breaches]]) -> None:
        """Another feature's breaches, looked at with ours (e.g. promises drifting)."""
        self._sources.append(source)

    async def _more(self) -> Breaches:
        out: Breaches = {}
        for source in self._sources:
            try:
                out |= await source()
            except Exception:
                log.exception("alerts: a source not looked at")
        return out

    def active(self) -> list[Alert]:
        return sorted(self._active.values(), key=lambda a: (a.since, a.rule, a.subject))

    def gauge(self) -> Mapping[tuple[str, ...], float]:
        return {a.key: 1.0 for a in self._active.values()}

    async def check(self) -> tuple[list[Alert], list[Alert]]:
        """One look: (raised, cleared)."""
        self.today = await self._today()
        now = breaches(
            await self._queues(), self.today, self._paused(), self._targets, self._limits
        )
        now |= await self._more()
        self._active, raised, cleared = step(self._active, now, self._clock.now())
        for alert in raised:
            log.warning(
                "alert raised: %s of %s is %s (limit %s)",
                alert.rule,
                alert.subject,
                alert.value,
                alert.limit,
            )
            await self._announce("alert.raised", {"alert": alert_json(alert)})
        for alert in cleared:
            log.info("alert cleared: %s of %s", alert.rule, alert.subject)
            await self._announce("alert.cleared", {"alert": alert_json(alert)})
        return raised, cleared

    async def run(self, every: float) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("alerts not checked")
            await asyncio.sleep(every)
