"""Calls that died with their node: which calls a node's Asterisk still had, each one
recorded lost exactly once across the daemons.

Contract:
- :meth:`SqlLostCalls.open_on` lists a node's calls whose caller has not hung up (as far
  as the call log knows: AMI's Hangup writes ``hung_up_at``).
- :func:`lose_call`, inside a transaction (the callback offered for the call is written
  in the same one), marks one call lost: a conditional UPDATE on "not hung up yet", so of
  two survivors racing one changes the row and the other sees no row. A call still in the
  IVR ends there with outcome ``lost``. :meth:`SqlLostCalls.lose` does the same on its own
  (a caller no callback may dial).
- :meth:`SqlLostCalls.settle` closes the calls of a node its Asterisk no longer has (their
  hangup was missed while the daemon was away): hung up, not lost. Only calls started
  before Asterisk's channels were listed are looked at.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.calls import CallOutcome, CallRecord, CallState
from callcenter.store.call_log import to_domain
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallbackRow, CallRow


def lose_call(s: Session, call_id: str, at: datetime, reason: str) -> bool:
    """Mark ``call_id`` lost (``reason``) unless it hung up or was lost already."""
    claimed = s.execute(
        update(CallRow)
        .where(CallRow.call_id == call_id, CallRow.hung_up_at.is_(None))
        .values(hung_up_at=at, lost=reason[:80])
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    s.execute(
        update(CallRow)
        .where(CallRow.call_id == call_id, CallRow.state == CallState.IVR.value)
        .values(
            state=CallState.ENDED.value,
            outcome=CallOutcome.LOST.value,
            ended_at=at,
            outcome_detail=reason[:120],
        )
    )
    return True


class SqlLostCalls:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def open_on(self, node: str, limit: int = 500) -> list[CallRecord]:
        """``node``'s calls still on it, oldest first."""
        return await self._threads.run("lost_calls.open_on", self._open_on, node, limit)

    def _open_on(self, node: str, limit: int) -> list[CallRecord]:
        with self._sessions() as s:
            rows = s.scalars(
                select(CallRow)
                .where(CallRow.node == node, CallRow.hung_up_at.is_(None))
                .order_by(CallRow.id)
                .limit(limit)
            )
            return [to_domain(r) for r in rows]

    async def lose(self, call_id: str, at: datetime, reason: str) -> bool:
        return await self._threads.run("lost_calls.lose", self._lose, call_id, at, reason)

    def _lose(self, call_id: str, at: datetime, reason: str) -> bool:
        with self._sessions.begin() as s:
            return lose_call(s, call_id, at, reason)

    async def settle(self, node: str, present: set[str], listed_at: datetime) -> int:
        """Close ``node``'s open calls that Asterisk did not list at ``listed_at``."""
        return await self._threads.run("lost_calls.settle", self._settle, node, present, listed_at)

    def _settle(self, node: str, present: set[str], listed_at: datetime) -> int:
        with self._sessions.begin() as s:
            gone = [
                call_id
                for call_id in s.scalars(
                    select(CallRow.call_id).where(
                        CallRow.node == node,
                        CallRow.hung_up_at.is_(None),
                        CallRow.started_at < listed_at,
                    )
                )
                if call_id not in present
            ]
            for start in range(0, len(gone), 500):
                s.execute(
                    update(CallRow)
                    .where(CallRow.call_id.in_(gone[start : start + 500]))
                    .where(CallRow.hung_up_at.is_(None))
                    .values(hung_up_at=listed_at)
                )
            return len(gone)

    def lost_of(self, node: str, limit: int = 100) -> list[tuple[CallRecord, int | None]]:
        """``node``'s calls recorded lost, newest first, each with the callback offered
        for it (None: none, or merged into the caller's open one)."""
        with self._sessions() as s:
            rows = s.execute(
                select(CallRow, CallbackRow.id)
                .outerjoin(CallbackRow, CallbackRow.call_id == CallRow.call_id)
                .where(CallRow.node == node, CallRow.lost != "")
                .order_by(CallRow.id.desc())
                .limit(limit)
            )
            return [(to_domain(call), callback) for call, callback in rows]
