"""The toll-fraud guard's audit on SQLAlchemy: one row per decision, accepted or refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.callbacks import OPEN_STATES
from callcenter.domain.dial_guard import DialRecord, Rule
from callcenter.domain.tickets import Page
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallbackRow, DialRequestRow


class SqlDialAudit:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def record(self, record: DialRecord) -> DialRecord:
        return await self._threads.run("dial_guard.record", self._record, record)

    def _record(self, r: DialRecord) -> DialRecord:
        with self._sessions.begin() as s:
            row = DialRequestRow(
                at=r.at,
                source=r.source[:8],
                widget=r.widget[:80],
                client=r.client[:64],
                origin=r.origin[:200],
                number=r.number[:40],
                rule=r.rule.value if r.rule is not None else "",
                message=r.message[:300],
                callback_id=r.callback_id,
                user_agent=r.user_agent[:200],
            )
            s.add(row)
            s.flush()
            return _record(row)

    async def page(self, refused: bool | None, limit: int, before: int | None) -> Page[DialRecord]:
        return await self._threads.run("dial_guard.page", self.page_sync, refused, limit, before)

    def page_sync(self, refused: bool | None, limit: int, before: int | None) -> Page[DialRecord]:
        """Newest first; ``refused``: only refused (True) or accepted (False) ones."""
        query = select(DialRequestRow).order_by(DialRequestRow.id.desc()).limit(limit + 1)
        if refused is not None:
            query = query.where(DialRequestRow.rule != "" if refused else DialRequestRow.rule == "")
        if before is not None:
            query = query.where(DialRequestRow.id < before)
        with self._sessions() as s:
            rows = [_record(r) for r in s.scalars(query)]
        items = tuple(rows[:limit])
        return Page(items, str(items[-1].id) if len(rows) > limit and items else None)

    async def counts(self, since: datetime) -> dict[str, int]:
        return await self._threads.run("dial_guard.counts", self.counts_sync, since)

    def counts_sync(self, since: datetime) -> dict[str, int]:
        """Decisions since ``since`` by rule ("" = accepted)."""
        query = (
            select(DialRequestRow.rule, func.count())
            .where(DialRequestRow.at >= since)
            .group_by(DialRequestRow.rule)
        )
        with self._sessions() as s:
            return {rule: int(n) for rule, n in s.execute(query)}


class SqlPendingNumbers:
    """The guard's view of open callbacks: where a number already waits."""

    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def open_queues(self, number: str) -> list[str]:
        return await self._threads.run("dial_guard.pending", self._open_queues, number)

    def _open_queues(self, number: str) -> list[str]:
        query = select(CallbackRow.queue).where(
            CallbackRow.number == number, CallbackRow.state.in_([s.value for s in OPEN_STATES])
        )
        with self._sessions() as s:
            return sorted(set(s.scalars(query)))


def _record(row: DialRequestRow) -> DialRecord:
    return DialRecord(
        id=row.id,
        at=as_utc(row.at),
        source=row.source,
        number=row.number,
        rule=Rule(row.rule) if row.rule else None,
        message=row.message,
        widget=row.widget,
        client=row.client,
        origin=row.origin,
        user_agent=row.user_agent,
        callback_id=row.callback_id,
    )
