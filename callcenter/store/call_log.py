"""The CallLog port on SQLAlchemy: one short transaction per call event, idempotent.

Sync SQLAlchemy runs in a worker thread so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.calls import CallOutcome, CallRecord, CallState, IvrResult
from callcenter.store.models import CallRow


class SqlCallLog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    async def call_started(self, record: CallRecord) -> None:
        await asyncio.to_thread(self._started, record)

    def _started(self, r: CallRecord) -> None:
        try:
            with self._sessions.begin() as s:
                known = s.scalar(select(CallRow).where(CallRow.call_id == r.call_id))
                if known is not None:
                    if known.state == CallState.ENDED.value:  # back from a queue
                        known.state, known.outcome, known.ended_at = r.state.value, None, None
                    return
                s.add(
                    CallRow(
                        call_id=r.call_id,
                        linked_id=r.linked_id,
                        caller=r.caller,
                        dialed=r.dialed,
                        state=r.state.value,
                        digits=r.digits,
                        outcome=None,
                        started_at=r.started_at,
                    )
                )
        except IntegrityError:
            pass  # a concurrent insert of the same call won on the unique key: same row

    async def digit_pressed(self, call_id: str, digit: str) -> None:
        await asyncio.to_thread(self._digit, call_id, digit)

    def _digit(self, call_id: str, digit: str) -> None:
        with self._sessions.begin() as s:
            row = _existing(s, call_id)
            row.digits = (row.digits + digit)[-256:]

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None:
        await asyncio.to_thread(self._ended, call_id, outcome, at)

    def _ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None:
        with self._sessions.begin() as s:
            row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
            if row is None or row.state == CallState.ENDED.value:
                return  # replayed or unknown: nothing to change
            row.state, row.outcome, row.ended_at = CallState.ENDED.value, outcome.value, at

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None:
        await asyncio.to_thread(self._ivr, call_id, result)

    def _ivr(self, call_id: str, result: IvrResult) -> None:
        with self._sessions.begin() as s:
            row = _existing(s, call_id)
            row.flow = result.flow[:120]
            # A call resumed after a queue timeout continues its path.
            row.ivr_path = [*(row.ivr_path or []), *result.path]
            row.outcome_detail = result.detail[:120]

    async def recent_ended(self, limit: int) -> list[CallRecord]:
        """The latest ``limit`` ended calls, newest first."""
        return await asyncio.to_thread(self._recent_ended, limit)

    def _recent_ended(self, limit: int) -> list[CallRecord]:
        with self._sessions() as s:
            query = select(CallRow).where(CallRow.state == CallState.ENDED.value)
            rows = s.scalars(query.order_by(CallRow.id.desc()).limit(limit))
            return [_to_domain(r) for r in rows]

    async def get(self, call_id: str) -> CallRecord | None:
        return await asyncio.to_thread(self._get, call_id)

    def _get(self, call_id: str) -> CallRecord | None:
        with self._sessions() as s:
            row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
            return None if row is None else _to_domain(row)

    async def recent(self, limit: int = 50) -> list[CallRecord]:
        return await asyncio.to_thread(self._recent, limit)

    def _recent(self, limit: int) -> list[CallRecord]:
        with self._sessions() as s:
            rows = s.scalars(select(CallRow).order_by(CallRow.id.desc()).limit(limit))
            return [_to_domain(r) for r in rows]


def _existing(s: Session, call_id: str) -> CallRow:
    row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
    if row is None:
        raise LookupError(f"no call {call_id!r} in the call log")
    return row


def _to_domain(row: CallRow) -> CallRecord:
    return CallRecord(
        call_id=row.call_id,
        linked_id=row.linked_id,
        caller=row.caller,
        dialed=row.dialed,
        started_at=_utc(row.started_at) or row.started_at,
        state=CallState(row.state),
        digits=row.digits,
        outcome=CallOutcome(row.outcome) if row.outcome else None,
        ended_at=_utc(row.ended_at),
        flow=row.flow or "",
        ivr_path=tuple(row.ivr_path or ()),
        outcome_detail=row.outcome_detail or "",
    )


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
