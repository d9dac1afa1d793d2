"""The promises' rows: the promise of each callback (or voicemail) read, closed and
listed, and the counts behind the promises page. A mixin of
:class:`~callcenter.store.callbacks.SqlCallbacks`, which writes a promise in the same
transaction as its callback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.callbacks import OPEN_STATES
from callcenter.domain.promises import Promise, PromiseFilter, PromiseKind, PromiseState
from callcenter.domain.tickets import Page
from callcenter.store.callback_claims import optional_utc
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallbackRow, PromiseRow
from callcenter.store.outbox import Announce, write_events

_OPEN = tuple(s.value for s in OPEN_STATES)
_OPEN_PROMISE = (PromiseState.OPEN.value, PromiseState.AT_RISK.value)


class PromiseRows:
    _sessions: sessionmaker[Session]
    _threads: DbThreads

    # -- promises ---------------------------------------------------------------------
    async def promise_for(self, kind: PromiseKind, subject_id: int) -> Promise | None:
        return await self._threads.run("promises.get", self._promise_for, kind, subject_id)

    def _promise_for(self, kind: PromiseKind, subject_id: int) -> Promise | None:
        with self._sessions() as s:
            row = s.scalar(
                select(PromiseRow).where(
                    PromiseRow.kind == kind.value, PromiseRow.subject_id == subject_id
                )
            )
            return promise_of(row) if row is not None else None

    async def update_promise(
        self, promise_id: int, changes: dict[str, Any], announce: Announce[Promise] | None = None
    ) -> Promise:
        """Set fields of an open promise (a closed one is returned unchanged: its outcome
        is final, and nothing is announced). ``due_at`` is never among them."""
        if "due_at" in changes:
            raise ValueError("a promise's due time never changes")
        return await self._threads.run(
            "promises.update", self._update_promise, promise_id, changes, announce
        )

    def _update_promise(
        self, promise_id: int, changes: dict[str, Any], announce: Announce[Promise] | None = None
    ) -> Promise:
        with self._sessions.begin() as s:
            row = s.get(PromiseRow, promise_id, with_for_update=True)
            if row is None:
                raise LookupError(f"promise {promise_id}: no such promise")
            if changes.get("state") is PromiseState.AT_RISK and row.state == "at_risk":
                # Escalated already (another node's projection got there first): once.
                changes = {k: v for k, v in changes.items() if k not in ("state", "escalated_at")}
                announce = None
            if row.state in (PromiseState.OPEN.value, PromiseState.AT_RISK.value):
                for name, value in changes.items():
                    if isinstance(value, PromiseState):
                        value = value.value
                    setattr(row, "ticket_id" if name == "ticket_number" else name, value)
                s.flush()
                if announce is not None:
                    write_events(s, announce(promise_of(row)))
            return promise_of(row)

    async def repromise(
        self,
        promise_id: int,
        due_at: datetime,
        earliest_at: datetime | None,
        at: datetime,
        announce: Announce[Promise] | None = None,
    ) -> Promise:
        """A new time told before the old one passed: ``due_at`` moves (the first told time
        is kept in ``first_due_at``), the promise is open again. Once per promise: a
        re-promised or closed one is returned unchanged, nothing announced."""
        return await self._threads.run(
            "promises.repromise", self._repromise, promise_id, due_at, earliest_at, at, announce
        )

    def _repromise(
        self,
        promise_id: int,
        due_at: datetime,
        earliest_at: datetime | None,
        at: datetime,
        announce: Announce[Promise] | None,
    ) -> Promise:
        with self._sessions.begin() as s:
            row = s.get(PromiseRow, promise_id, with_for_update=True)
            if row is None:
                raise LookupError(f"promise {promise_id}: no such promise")
            if row.state in _OPEN_PROMISE and row.repromised_at is None:
                row.first_due_at, row.due_at = row.due_at, due_at
                row.earliest_at, row.repromised_at = earliest_at, at
                row.state = PromiseState.OPEN.value
                s.flush()
                if announce is not None:
                    write_events(s, announce(promise_of(row)))
            return promise_of(row)

    async def open_promises(self) -> list[Promise]:
        return await self._threads.run("promises.open", self._open_promises)

    def _open_promises(self) -> list[Promise]:
        with self._sessions() as s:
            rows = s.scalars(
                select(PromiseRow)
                .where(PromiseRow.state.in_((PromiseState.OPEN.value, PromiseState.AT_RISK.value)))
                .order_by(PromiseRow.due_at)
            )
            return [promise_of(r) for r in rows]

    async def promises(self, where: PromiseFilter, limit: int, before: int | None) -> Page[Promise]:
        return await self._threads.run("promises.search", self._promises, where, limit, before)

    def _promises(self, where: PromiseFilter, limit: int, before: int | None) -> Page[Promise]:
        query = _promise_query(where)
        if before is not None:
            query = query.where(PromiseRow.id < before)
        with self._sessions() as s:
            rows = list(s.scalars(query.order_by(PromiseRow.id.desc()).limit(limit + 1)))
        items = tuple(promise_of(r) for r in rows[:limit])
        return Page(items, str(items[-1].id) if len(rows) > limit and items else None)

    async def promise_counts(self, since: datetime, until: datetime) -> list[Promise]:
        """Every promise made in [since, until): the board's figures are drawn from them."""
        return await self._threads.run("promises.counts", self._counts, since, until)

    def _counts(self, since: datetime, until: datetime) -> list[Promise]:
        with self._sessions() as s:
            where = PromiseFilter(since=since, until=until)
            query = _promise_query(where).order_by(PromiseRow.id).limit(10000)
            return [promise_of(r) for r in s.scalars(query)]

    async def count_open(self) -> int:
        return await self._threads.run("callbacks.count_open", self._count_open)

    def _count_open(self) -> int:
        with self._sessions() as s:
            return int(
                s.scalar(select(func.count(CallbackRow.id)).where(CallbackRow.state.in_(_OPEN)))
                or 0
            )


def _promise_query(where: PromiseFilter) -> Select[PromiseRow]:
    query = select(PromiseRow)
    if where.state is not None:
        query = query.where(PromiseRow.state == where.state.value)
    if where.queue:
        query = query.where(PromiseRow.queue == where.queue)
    if where.since is not None:
        query = query.where(PromiseRow.made_at >= where.since)
    if where.until is not None:
        query = query.where(PromiseRow.made_at < where.until)
    return query


def promise_of(row: PromiseRow) -> Promise:
    return Promise(
        id=row.id,
        kind=PromiseKind(row.kind),
        subject_id=row.subject_id,
        queue=row.queue,
        made_at=as_utc(row.made_at),
        due_at=as_utc(row.due_at),
        state=PromiseState(row.state),
        projected_at=optional_utc(row.projected_at),
        ticket_number=row.ticket_id,
        closed_at=optional_utc(row.closed_at),
        outcome=row.outcome,
        escalated_at=optional_utc(row.escalated_at),
        expected_at=optional_utc(row.expected_at),
        earliest_at=optional_utc(row.earliest_at),
        basis=row.basis or "",
        first_due_at=optional_utc(row.first_due_at),
        repromised_at=optional_utc(row.repromised_at),
    )
