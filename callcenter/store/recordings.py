"""The RecordingStore port on SQLAlchemy: recordings keyed by Asterisk's Uniqueid, the audit
of who listened, and legal holds on tickets. One transaction per use case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.recordings import (
    Listen,
    Pause,
    Recording,
    RecordingFilter,
    RecordingState,
)
from callcenter.domain.tickets import Page
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import LegalHoldRow, RecordingListenRow, RecordingRow


class SqlRecordings:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    # -- recordings -------------------------------------------------------------------
    async def started(self, call_id: str, path: str, at: datetime, queue: str) -> Recording:
        """The recording of ``call_id`` (created if new; an existing one is unchanged)."""
        return await self._threads.run(
            "recordings.started", self.started_sync, call_id, path, at, queue
        )

    def started_sync(self, call_id: str, path: str, at: datetime, queue: str) -> Recording:
        with self._sessions.begin() as s:
            row = s.scalar(select(RecordingRow).where(RecordingRow.call_id == call_id))
            if row is None:
                row = RecordingRow(
                    call_id=call_id,
                    path=path,
                    state=RecordingState.RECORDING.value,
                    started_at=at,
                    queue=queue,
                    pauses=[],
                )
                s.add(row)
                s.flush()
            return _to_domain(row)

    async def update(self, call_id: str, changes: dict[str, Any]) -> Recording | None:
        """Set fields of the recording of ``call_id`` (None if there is none)."""
        return await self._threads.run("recordings.update", self._update, call_id, changes)

    def _update(self, call_id: str, changes: dict[str, Any]) -> Recording | None:
        with self._sessions.begin() as s:
            row = s.scalar(select(RecordingRow).where(RecordingRow.call_id == call_id))
            if row is None:
                return None
            for name, value in changes.items():
                if name == "pauses":
                    value = [_pause_json(p) for p in value]
                elif name == "state":
                    value = RecordingState(value).value
                elif name == "ticket_number":
                    name = "ticket_id"
                setattr(row, name, value)
            return _to_domain(row)

    async def get(self, recording_id: int) -> Recording | None:
        return await self._threads.run("recordings.get", self.get_sync, recording_id)

    def get_sync(self, recording_id: int) -> Recording | None:
        with self._sessions() as s:
            row = s.get(RecordingRow, recording_id)
            return _to_domain(row) if row is not None else None

    async def by_call(self, call_id: str) -> Recording | None:
        return await self._threads.run("recordings.by_call", self._by_call, call_id)

    def _by_call(self, call_id: str) -> Recording | None:
        with self._sessions() as s:
            row = s.scalar(select(RecordingRow).where(RecordingRow.call_id == call_id))
            return _to_domain(row) if row is not None else None

    async def in_state(self, state: RecordingState, limit: int = 1000) -> list[Recording]:
        return await self._threads.run("recordings.in_state", self._in_state, state, limit)

    def _in_state(self, state: RecordingState, limit: int) -> list[Recording]:
        with self._sessions() as s:
            rows = s.scalars(
                select(RecordingRow)
                .where(RecordingRow.state == state.value)
                .order_by(RecordingRow.id)
                .limit(limit)
            )
            return [_to_domain(r) for r in rows]

    async def search(
        self, where: RecordingFilter, limit: int, before: int | None
    ) -> Page[Recording]:
        """Newest first, ``limit`` a page; ``before`` is the last id of the page before."""
        return await self._threads.run("recordings.search", self.search_sync, where, limit, before)

    def search_sync(
        self, where: RecordingFilter, limit: int, before: int | None
    ) -> Page[Recording]:
        query = select(RecordingRow)
        if where.queue:
            query = query.where(RecordingRow.queue == where.queue)
        if where.agent:
            query = query.where(RecordingRow.agent == where.agent)
        if where.customer_id is not None:
            query = query.where(RecordingRow.customer_id == where.customer_id)
        if where.ticket_number is not None:
            query = query.where(RecordingRow.ticket_id == where.ticket_number)
        if where.state is not None:
            query = query.where(RecordingRow.state == where.state.value)
        if where.kind:
            query = query.where(RecordingRow.kind == where.kind)
        if where.since is not None:
            query = query.where(RecordingRow.started_at >= where.since)
        if where.until is not None:
            query = query.where(RecordingRow.started_at < where.until)
        if before is not None:
            query = query.where(RecordingRow.id < before)
        with self._sessions() as s:
            rows = list(s.scalars(query.order_by(RecordingRow.id.desc()).limit(limit + 1)))
        items = tuple(_to_domain(r) for r in rows[:limit])
        more = len(rows) > limit
        return Page(items, str(items[-1].id) if more and items else None)

    async def due(self, now: datetime, limit: int = 500) -> list[Recording]:
        """Past their retention date, not deleted yet, their ticket not on legal hold."""
        return await self._threads.run("recordings.due", self._due, now, limit)

    def _due(self, now: datetime, limit: int) -> list[Recording]:
        held = select(LegalHoldRow.ticket_id)
        query = (
            select(RecordingRow)
            .where(
                RecordingRow.retain_until.is_not(None),
                RecordingRow.retain_until <= now,
                RecordingRow.state.in_(
                    (RecordingState.COMPLETE.value, RecordingState.MISSING.value)
                ),
                (RecordingRow.ticket_id.is_(None)) | (RecordingRow.ticket_id.not_in(held)),
            )
            .order_by(RecordingRow.id)
            .limit(limit)
        )
        with self._sessions() as s:
            return [_to_domain(r) for r in s.scalars(query)]

    async def unlinked(self, ended_since: datetime, limit: int = 100) -> list[Recording]:
        """Ended (complete or missing) since ``ended_since`` and on no ticket yet."""
        return await self._threads.run("recordings.unlinked", self._unlinked, ended_since, limit)

    def _unlinked(self, ended_since: datetime, limit: int) -> list[Recording]:
        query = (
            select(RecordingRow)
            .where(
                RecordingRow.ticket_id.is_(None),
                RecordingRow.ended_at >= ended_since,
                RecordingRow.state.in_(
                    (RecordingState.COMPLETE.value, RecordingState.MISSING.value)
                ),
            )
            .order_by(RecordingRow.id)
            .limit(limit)
        )
        with self._sessions() as s:
            return [_to_domain(r) for r in s.scalars(query)]

    # -- audit ------------------------------------------------------------------------
    async def audit(self, recording_id: int, listen: Listen) -> None:
        await self._threads.run("recordings.audit", self._audit, recording_id, listen)

    def _audit(self, recording_id: int, listen: Listen) -> None:
        with self._sessions.begin() as s:
            s.add(
                RecordingListenRow(
                    recording_id=recording_id,
                    who=listen.who[:120],
                    role=listen.role,
                    address=listen.address[:64],
                    at=listen.at,
                    allowed=listen.allowed,
                )
            )

    async def listens(self, recording_id: int, limit: int = 200) -> list[Listen]:
        return await self._threads.run("recordings.listens", self._listens, recording_id, limit)

    def _listens(self, recording_id: int, limit: int) -> list[Listen]:
        with self._sessions() as s:
            rows = s.scalars(
                select(RecordingListenRow)
                .where(RecordingListenRow.recording_id == recording_id)
                .order_by(RecordingListenRow.id.desc())
                .limit(limit)
            )
            return [Listen(r.who, r.role, r.address, as_utc(r.at), r.allowed) for r in rows]

    # -- legal holds ------------------------------------------------------------------
    async def hold(self, ticket_number: int, reason: str, by: str, at: datetime) -> bool:
        """Put a ticket on legal hold; False if it already was."""
        return await self._threads.run(
            "recordings.hold", self.hold_sync, ticket_number, reason, by, at
        )

    def hold_sync(self, ticket_number: int, reason: str, by: str, at: datetime) -> bool:
        with self._sessions.begin() as s:
            if s.scalar(select(LegalHoldRow).where(LegalHoldRow.ticket_id == ticket_number)):
                return False
            s.add(LegalHoldRow(ticket_id=ticket_number, reason=reason[:300], by=by[:120], at=at))
            return True

    async def release(self, ticket_number: int) -> bool:
        return await self._threads.run("recordings.release", self.release_sync, ticket_number)

    def release_sync(self, ticket_number: int) -> bool:
        with self._sessions.begin() as s:
            row = s.scalar(select(LegalHoldRow).where(LegalHoldRow.ticket_id == ticket_number))
            if row is None:
                return False
            s.delete(row)
            return True

    async def on_hold(self, ticket_number: int) -> bool:
        return await self._threads.run("recordings.on_hold", self._on_hold, ticket_number)

    def _on_hold(self, ticket_number: int) -> bool:
        with self._sessions() as s:
            query = select(LegalHoldRow.id).where(LegalHoldRow.ticket_id == ticket_number)
            return s.scalar(query) is not None


def _pause_json(p: Pause) -> dict[str, Any]:
    return {"start": p.start, "end": p.end, "by": p.by}


def _pauses(raw: Sequence[dict[str, Any]] | None) -> tuple[Pause, ...]:
    return tuple(
        Pause(float(p["start"]), None if p.get("end") is None else float(p["end"]), p.get("by", ""))
        for p in raw or ()
    )


def _to_domain(row: RecordingRow) -> Recording:
    return Recording(
        id=row.id,
        call_id=row.call_id,
        path=row.path,
        state=RecordingState(row.state),
        started_at=as_utc(row.started_at),
        ended_at=as_utc(row.ended_at) if row.ended_at else None,
        duration=row.duration or 0.0,
        bytes=row.bytes or 0,
        sha256=row.sha256 or "",
        channels=row.channels or 2,
        queue=row.queue or "",
        agent=row.agent or "",
        ticket_number=row.ticket_id,
        customer_id=row.customer_id,
        pauses=_pauses(row.pauses),
        retain_until=as_utc(row.retain_until) if row.retain_until else None,
        problem=row.problem or "",
        kind=row.kind or "call",
    )
