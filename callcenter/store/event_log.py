"""The event log on SQLAlchemy: events appended (a key already written is skipped: the
same change told twice is one row) and the queue legs they move, in one transaction. Other
stores log their changes' events inside their own transactions with :func:`log_events`.

Appends of one process take turns (the live writer and a rebuild from the queue_log after
an AMI login may carry the same call: both would insert its leg). One that still meets a
row another process committed meanwhile (a unique key) is run once more, and then finds
it: measured in the soak, a rebuild after an Asterisk restart was refused whole
(``uq_queue_legs_call_id``) and the gap's events were never imported."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.event_log import AMI_KINDS, LEG_KINDS, Leg, LoggedEvent, leg_after
from callcenter.domain.reports import slot_of
from callcenter.domain.webhooks import jsonable
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import EventLogRow, QueueLegRow

log = logging.getLogger(__name__)


def log_events(s: Session, events: Iterable[LoggedEvent]) -> list[LoggedEvent]:
    """Append ``events`` whose keys are new (inside the caller's transaction); the new."""
    events = list(events)
    if not events:
        return []
    keys = [e.key for e in events]
    known = set(s.scalars(select(EventLogRow.key).where(EventLogRow.key.in_(keys))))
    new = []
    for e in events:
        if e.key in known:
            continue
        known.add(e.key)
        s.add(
            EventLogRow(
                at=e.at,
                kind=e.kind,
                call_id=e.call_id[:64],
                queue=e.queue[:64],
                agent=e.agent[:32],
                data=jsonable(dict(e.data)),
                source=e.source,
                key=e.key,
            )
        )
        new.append(e)
    return new


def _leg(row: QueueLegRow) -> Leg:
    return Leg(
        row.call_id,
        row.queue,
        as_utc(row.entered_at),
        row.outcome,
        row.caller,
        row.position,
        row.wait,
        row.talk,
        row.wrap_up,
        row.agent,
        row.ended_by,
        row.source,
    )


def _move_leg(s: Session, e: LoggedEvent, zone: tzinfo | None) -> None:
    row = s.scalar(
        select(QueueLegRow).where(QueueLegRow.call_id == e.call_id, QueueLegRow.queue == e.queue)
    )
    after = leg_after(None if row is None else _leg(row), e)
    if after is None:
        return
    if row is None:
        day, slot = slot_of(after.entered_at.astimezone(zone))
        row = QueueLegRow(call_id=after.call_id[:64], queue=after.queue[:64], day=day.isoformat())
        row.slot, row.source = slot, after.source
        s.add(row)
    row.entered_at, row.outcome, row.caller = after.entered_at, after.outcome, after.caller[:80]
    row.position, row.wait, row.talk = after.position, after.wait, after.talk
    row.wrap_up, row.agent, row.ended_by = after.wrap_up, after.agent[:32], after.ended_by[:12]
    s.flush()


def _wrap_up_done(s: Session, e: LoggedEvent) -> None:
    """An agent left wrap-up: its length goes on their latest answered leg."""
    if e.data.get("from") != "wrap_up" or not e.agent:
        return
    latest = s.scalar(
        select(QueueLegRow.id)
        .where(QueueLegRow.agent == e.agent, QueueLegRow.outcome == "answered")
        .order_by(QueueLegRow.entered_at.desc())
        .limit(1)
    )
    if latest is not None:
        seconds = float(e.data.get("seconds", 0) or 0)
        s.execute(update(QueueLegRow).where(QueueLegRow.id == latest).values(wrap_up=seconds))


class SqlEventLog:
    """Appends (each call's events in order) and the log's own questions; reports read
    through :mod:`callcenter.store.report_queries`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        threads: DbThreads | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)
        self.zone = zone  # the centre's: a leg's local day and quarter-hour
        self._turn = asyncio.Lock()

    def append_sync(self, events: Sequence[LoggedEvent]) -> int:
        """Events and the legs they move, in one transaction; how many were new."""
        with self._sessions.begin() as s:
            new = log_events(s, events)
            for e in new:
                _move_leg(s, e, self.zone)
                if e.kind == "agent.state":
                    _wrap_up_done(s, e)
            return len(new)

    async def append(self, events: Sequence[LoggedEvent]) -> int:
        async with self._turn:
            try:
                return await self._threads.run("event_log.append", self.append_sync, events)
            except IntegrityError as exc:
                log.warning(
                    "event log: a leg was written meanwhile (%s); appending again", exc.orig
                )
                return await self._threads.run("event_log.append", self.append_sync, events)

    def latest_sync(self, source: str) -> datetime | None:
        with self._sessions() as s:
            at = s.scalar(
                select(func.max(EventLogRow.at)).where(
                    EventLogRow.source == source, EventLogRow.kind.in_(AMI_KINDS)
                )
            )
            return None if at is None else as_utc(at)

    async def latest(self, source: str) -> datetime | None:
        """When the newest of app_queue's events from ``source`` happened (None: none yet):
        what the daemon last heard from Asterisk."""
        return await self._threads.run("event_log.latest", self.latest_sync, source)

    def known_calls_sync(self, call_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        with self._sessions() as s:
            for i in range(0, len(call_ids), 500):
                chunk = call_ids[i : i + 500]
                out.update(
                    s.scalars(
                        select(EventLogRow.call_id)
                        .where(EventLogRow.call_id.in_(chunk), EventLogRow.kind.in_(LEG_KINDS))
                        .distinct()
                    )
                )
        return out

    async def known_calls(self, call_ids: Sequence[str]) -> set[str]:
        """Which of ``call_ids`` the log has queue events of."""
        return await self._threads.run("event_log.known", self.known_calls_sync, call_ids)

    def events_sync(self, call_id: str) -> list[dict[str, Any]]:
        with self._sessions() as s:
            rows = s.scalars(
                select(EventLogRow).where(EventLogRow.call_id == call_id).order_by(EventLogRow.id)
            )
            return [
                {
                    "at": as_utc(r.at),
                    "kind": r.kind,
                    "queue": r.queue,
                    "agent": r.agent,
                    "data": r.data,
                    "source": r.source,
                }
                for r in rows
            ]

    async def events(self, call_id: str) -> list[dict[str, Any]]:
        """A call's events, in the order they were logged."""
        return await self._threads.run("event_log.events", self.events_sync, call_id)
