"""The CallLog port on SQLAlchemy: one short transaction per call event, idempotent.

Sync SQLAlchemy runs in the store's worker threads (:class:`DbThreads`). Each change is
an op (a function of a session), so the write-behind log can apply many in one
transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.calls import CallOutcome, CallRecord, CallState, IvrResult
from callcenter.domain.event_log import LoggedEvent
from callcenter.store.db_threads import DbThreads
from callcenter.store.event_log import log_events
from callcenter.store.models import CallRow

# One change to the call log, applied inside a transaction (several may share one).
CallLogOp = Callable[[Session], None]


def started_op(r: CallRecord, node: str = "", logged: bool = True) -> CallLogOp:
    """``node``: this daemon's node id (whose Asterisk has the call)."""

    def apply(s: Session) -> None:
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
                node=node or r.node,
            )
        )
        s.flush()  # a unique-key clash shows here, on this op, not at commit
        if logged:
            data = {"dialled": r.dialed, "caller": r.caller}
            log_events(s, [LoggedEvent("call.entered", r.started_at, r.call_id, data=data)])

    return apply


def hung_up_op(call_id: str, at: datetime) -> CallLogOp:
    """The caller's channel ended (AMI Hangup): the call is no longer on its node. The
    first report wins; one for a channel that is no call of ours changes nothing."""

    def apply(s: Session) -> None:
        s.execute(
            update(CallRow)
            .where(CallRow.call_id == call_id, CallRow.hung_up_at.is_(None))
            .values(hung_up_at=at)
        )

    return apply


def digit_op(call_id: str, digit: str) -> CallLogOp:
    def apply(s: Session) -> None:
        row = _existing(s, call_id)
        row.digits = (row.digits + digit)[-256:]

    return apply


def ended_op(call_id: str, outcome: CallOutcome, at: datetime) -> CallLogOp:
    def apply(s: Session) -> None:
        row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
        if row is None or row.state == CallState.ENDED.value:
            return  # replayed or unknown: nothing to change
        row.state, row.outcome, row.ended_at = CallState.ENDED.value, outcome.value, at

    return apply


def ivr_op(call_id: str, result: IvrResult, logged: bool = True) -> CallLogOp:
    def apply(s: Session) -> None:
        row = _existing(s, call_id)
        row.flow = result.flow[:120]
        # A call resumed after a queue timeout continues its path.
        row.ivr_path = [*(row.ivr_path or []), *result.path]
        row.outcome_detail = result.detail[:120]
        if result.language:
            row.language = result.language[:10]
        if logged:
            data = {
                "flow": result.flow,
                "path": list(result.path),
                "language": result.language,
                "outcome": CallOutcome(result.outcome).value,
                "detail": result.detail,
            }
            at = datetime.now(UTC)
            event = LoggedEvent(
                "ivr.finished",
                at,
                call_id,
                data=data,
                key=f"ivr.finished:{call_id}:{len(row.ivr_path)}",
            )
            log_events(s, [event])

    return apply


class SqlCallLog:
    """Each write is its own transaction, awaited (the CLI, tests, replays). The daemon
    wraps it in :class:`callcenter.store.call_log_writer.WriteBehindCallLog`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        threads: DbThreads | None = None,
        node: str = "",
        logged: bool = True,
    ) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)
        self.node = node  # written on every call this daemon starts
        self.logged = logged  # calls' events go to the event log too ([reports] event_log)

    def apply(self, ops: Sequence[CallLogOp]) -> None:
        """All of ``ops``, in order, in one transaction (synchronously)."""
        with self._sessions.begin() as s:
            for op in ops:
                op(s)

    async def _write(self, name: str, op: CallLogOp) -> None:
        # A concurrent insert of the same call won on the unique key: the row is there.
        with contextlib.suppress(IntegrityError):
            await self._threads.run(f"call_log.{name}", self.apply, [op])

    async def call_started(self, record: CallRecord) -> None:
        await self._write("started", started_op(record, self.node, self.logged))

    async def hung_up(self, call_id: str, at: datetime) -> None:
        await self._write("hung_up", hung_up_op(call_id, at))

    async def digit_pressed(self, call_id: str, digit: str) -> None:
        await self._write("digit", digit_op(call_id, digit))

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None:
        await self._write("ended", ended_op(call_id, outcome, at))

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None:
        await self._write("ivr", ivr_op(call_id, result, self.logged))

    async def recent_ended(self, limit: int) -> list[CallRecord]:
        """The latest ``limit`` ended calls, newest first."""
        return await self._threads.run("call_log.recent_ended", self._recent_ended, limit)

    def _recent_ended(self, limit: int) -> list[CallRecord]:
        with self._sessions() as s:
            query = select(CallRow).where(CallRow.state == CallState.ENDED.value)
            rows = s.scalars(query.order_by(CallRow.id.desc()).limit(limit))
            return [to_domain(r) for r in rows]

    async def get(self, call_id: str) -> CallRecord | None:
        return await self._threads.run("call_log.get", self._get, call_id)

    def _get(self, call_id: str) -> CallRecord | None:
        with self._sessions() as s:
            row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
            return None if row is None else to_domain(row)

    async def recent(self, limit: int = 50) -> list[CallRecord]:
        return await self._threads.run("call_log.recent", self._recent, limit)

    def _recent(self, limit: int) -> list[CallRecord]:
        with self._sessions() as s:
            rows = s.scalars(select(CallRow).order_by(CallRow.id.desc()).limit(limit))
            return [to_domain(r) for r in rows]


def _existing(s: Session, call_id: str) -> CallRow:
    row = s.scalar(select(CallRow).where(CallRow.call_id == call_id))
    if row is None:
        raise LookupError(f"no call {call_id!r} in the call log")
    return row


def to_domain(row: CallRow) -> CallRecord:
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
        node=row.node or "",
        hung_up_at=_utc(row.hung_up_at),
        lost=row.lost or "",
    )


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
