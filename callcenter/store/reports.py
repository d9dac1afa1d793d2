"""The ReportStore port on SQLAlchemy: :mod:`callcenter.store.report_queries` run in the
store's worker threads."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.agent_report import StateChange
from callcenter.domain.event_log import Leg
from callcenter.domain.reports import GroupBy, Interval, Tally, Targets
from callcenter.store import report_queries as q
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import QueueLegRow

T = TypeVar("T")


class SqlReports:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def _read(self, name: str, fn: Callable[[Session], T]) -> T:
        def run() -> T:
            with self._sessions() as s:
                return fn(s)

        return await self._threads.run(f"reports.{name}", run)

    async def tallies(
        self,
        days: tuple[date, date],
        group: GroupBy,
        targets: Mapping[str, Targets],
        default: Targets,
        queues: Sequence[str],
        agents: Sequence[str],
        per: Interval = Interval.QUARTER,
    ) -> list[tuple[str, int, str, Tally]]:
        return await self._read(
            "tallies", lambda s: q.tallies(s, days, group, targets, default, queues, agents, per)
        )

    async def legs(
        self,
        days: tuple[date, date],
        queues: Sequence[str],
        agents: Sequence[str],
        outcomes: Sequence[str],
        limit: int,
        after_id: int | None,
    ) -> list[dict[str, Any]]:
        return await self._read(
            "legs", lambda s: q.legs(s, days, queues, agents, outcomes, limit, after_id)
        )

    async def state_changes(
        self, start: datetime, end: datetime, agents: Sequence[str]
    ) -> tuple[list[StateChange], dict[str, StateChange]]:
        return await self._read("states", lambda s: q.state_changes(s, start, end, agents))

    async def counted_events(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        return await self._read("counted", lambda s: q.counted_events(s, start, end))

    async def calls(self, start: datetime, end: datetime) -> list[tuple[str, datetime, str, str]]:
        return await self._read("calls", lambda s: q.calls(s, start, end))

    async def finished_since(
        self, since: datetime
    ) -> list[tuple[str, str, float, float, float, str]]:
        return await self._read("today", lambda s: q.finished_since(s, since))

    async def day_legs(self, day: date) -> list[Leg]:
        """Every leg of a local day (``report verify``)."""

        def read(s: Session) -> list[Leg]:
            rows = s.scalars(select(QueueLegRow).where(QueueLegRow.day == day.isoformat()))
            return [
                Leg(
                    r.call_id,
                    r.queue,
                    as_utc(r.entered_at),
                    r.outcome,
                    r.caller,
                    r.position,
                    r.wait,
                    r.talk,
                    r.wrap_up,
                    r.agent,
                    r.ended_by,
                    r.source,
                )
                for r in rows
            ]

        return await self._read("day_legs", read)
