"""Reports: queue figures by interval and group, agents' time, the calls behind a figure,
whole-call figures, the live board's "today" — all from the event log, through the same
:class:`~callcenter.domain.reports.Tally`. Days are the centre's local days."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from callcenter.domain.agent_report import AgentTime, StateChange, agent_times
from callcenter.domain.call_report import CallFigures, call_figures
from callcenter.domain.reports import (
    LEFT,
    Figures,
    GroupBy,
    Interval,
    Tally,
    Targets,
    bucket_start,
    check_range,
    figures,
    tally,
)
from callcenter.services.ports import Clock

OUTCOMES = ("answered", "abandoned", "short_abandoned", "overflowed")


class ReportStore(Protocol):
    async def tallies(
        self,
        days: tuple[date, date],
        group: GroupBy,
        targets: Mapping[str, Targets],
        default: Targets,
        queues: Sequence[str],
        agents: Sequence[str],
        per: Interval = Interval.QUARTER,
    ) -> list[tuple[str, int, str, Tally]]: ...

    async def legs(
        self,
        days: tuple[date, date],
        queues: Sequence[str],
        agents: Sequence[str],
        outcomes: Sequence[str],
        limit: int,
        after_id: int | None,
    ) -> list[dict[str, Any]]: ...

    async def state_changes(
        self, start: datetime, end: datetime, agents: Sequence[str]
    ) -> tuple[list[StateChange], dict[str, StateChange]]: ...

    async def counted_events(
        self, start: datetime, end: datetime
    ) -> list[tuple[str, datetime]]: ...

    async def calls(
        self, start: datetime, end: datetime
    ) -> list[tuple[str, datetime, str, str]]: ...

    async def finished_since(
        self, since: datetime
    ) -> list[tuple[str, str, float, float, float, str]]: ...


@dataclasses.dataclass(frozen=True)
class ReportRow:
    start: datetime  # the interval's first moment, local time
    group: str
    figures: Figures


@dataclasses.dataclass(frozen=True)
class QueueReport:
    rows: list[ReportRow]
    total: Figures
    calls: CallFigures
    counts: dict[str, int]  # callbacks requested / completed, promises kept / broken, voicemails


@dataclasses.dataclass(frozen=True)
class AgentRow:
    time: AgentTime
    answered: int
    handle_time: float  # talk + wrap-up of their answered calls


class Reports:
    def __init__(
        self,
        store: ReportStore,
        targets: Mapping[str, Targets],
        default: Targets,
        teams: Callable[[], Awaitable[Mapping[str, str]]],
        zone: tzinfo,
        clock: Clock,
    ) -> None:
        self._store = store
        self.targets = dict(targets)
        self.default = default
        self._teams = teams  # agent → team, as the store has them
        self.zone = zone
        self._clock = clock

    def targets_of(self, queue: str) -> Targets:
        return self.targets.get(queue, self.default)

    def bounds(self, days: tuple[date, date]) -> tuple[datetime, datetime]:
        """The first and the last local day as UTC [start, end)."""
        start = datetime.combine(days[0], time(), self.zone).astimezone(UTC)
        end = datetime.combine(days[1] + timedelta(days=1), time(), self.zone).astimezone(UTC)
        return start, end

    def today(self) -> date:
        return self._clock.now().astimezone(self.zone).date()

    async def queue_report(
        self,
        days: tuple[date, date],
        interval: Interval,
        group: GroupBy,
        queues: Sequence[str] = (),
        agents: Sequence[str] = (),
    ) -> QueueReport:
        start, end = self.bounds(days)
        check_range(start, end, interval)
        rows = await self._store.tallies(
            days, group, self.targets, self.default, queues, agents, interval
        )
        teams = await self._teams() if group is GroupBy.TEAM else {}
        merged: dict[tuple[date, int, str], Tally] = {}
        total = Tally()
        for day, slot, grp, t in rows:
            first, first_slot = bucket_start(date.fromisoformat(day), slot, interval)
            key = (first, first_slot, teams.get(grp, "") if group is GroupBy.TEAM else grp)
            merged[key] = merged.get(key, Tally()) + t
            total = total + t
        target = self.targets_of(queues[0]) if len(queues) == 1 else self.default
        out = [
            ReportRow(self._local(d, s), g, figures(t, self._group_targets(group, g, target)))
            for (d, s, g), t in sorted(merged.items())
        ]
        counts = {
            k: 0
            for k in (
                "callback.requested",
                "callback.completed",
                "promise.kept",
                "promise.broken",
                "voicemail.received",
            )
        }
        for kind, _at in await self._store.counted_events(start, end):
            counts[kind] = counts.get(kind, 0) + 1
        whole = call_figures(await self._store.calls(start, end), start, end)
        return QueueReport(out, figures(total, target), whole, counts)

    def _group_targets(self, group: GroupBy, value: str, fallback: Targets) -> Targets:
        return self.targets_of(value) if group is GroupBy.QUEUE else fallback

    def _local(self, day: date, slot: int) -> datetime:
        return datetime.combine(day, time(slot // 4, slot % 4 * 15), self.zone)

    async def agent_report(
        self, days: tuple[date, date], agents: Sequence[str] = ()
    ) -> list[AgentRow]:
        start, end = self.bounds(days)
        check_range(start, end, Interval.DAY)
        end = min(end, self._clock.now())  # time not yet lived is nobody's
        changes, before = await self._store.state_changes(start, max(start, end), agents)
        times = agent_times(changes, before, start, max(start, end))
        answered: dict[str, Tally] = {}
        for _d, _s, agent, t in await self._store.tallies(
            days, GroupBy.AGENT, self.targets, self.default, (), agents
        ):
            answered[agent] = answered.get(agent, Tally()) + t
        names = sorted(set(times) | {a for a in answered if a})
        return [
            AgentRow(
                times.get(a, AgentTime(a)),
                answered.get(a, Tally()).answered,
                answered.get(a, Tally()).talk + answered.get(a, Tally()).wrap_up,
            )
            for a in names
        ]

    async def calls(
        self,
        days: tuple[date, date],
        queues: Sequence[str] = (),
        agents: Sequence[str] = (),
        outcome: str = "",
        limit: int = 50,
        after_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """The calls behind a figure (``outcome``: one of :data:`OUTCOMES`, or all)."""
        start, end = self.bounds(days)
        check_range(start, end, Interval.DAY)
        stored = {"overflowed": sorted(LEFT), "short_abandoned": ["abandoned"]}.get(
            outcome, [outcome] if outcome else []
        )
        rows = await self._store.legs(days, queues, agents, stored, limit, after_id)
        if outcome in ("abandoned", "short_abandoned"):
            short = outcome == "short_abandoned"
            rows = [
                r for r in rows if (r["wait"] < self.targets_of(r["queue"]).short_abandon) == short
            ]
        return rows

    async def today_figures(self) -> dict[str, Figures]:
        """The board's "today": the same tally as any report, over today's legs."""
        start, _end = self.bounds((self.today(), self.today()))
        per_queue: dict[str, list[tuple[str, float, float, float, str]]] = {}
        for queue, outcome, wait, talk, wrap_up, ended_by in await self._store.finished_since(
            start
        ):
            per_queue.setdefault(queue, []).append((outcome, wait, talk, wrap_up, ended_by))
        return {
            q: figures(tally(legs, self.targets_of(q)), self.targets_of(q))
            for q, legs in per_queue.items()
        }
