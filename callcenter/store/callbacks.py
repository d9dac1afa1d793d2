"""The CallbackStore port on SQLAlchemy: callback requests, their claims, and the promises
told to callers. One transaction per use case.

Exactly once: a callback changes state only by compare-and-set on (state, attempts), in
a transaction that locks its row (``FOR UPDATE``; claims of due retries ``SKIP LOCKED``
so two daemons sharing one PostgreSQL never take the same one). SQLite: one daemon.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.callbacks import (
    OPEN_STATES,
    CallAlreadyClosed,
    Callback,
    CallbackState,
    NewCallback,
    StaleCallback,
)
from callcenter.domain.cluster import Owner
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.domain.tickets import Page
from callcenter.store.callback_claims import CallbackClaims, callback_of
from callcenter.store.db_threads import DbThreads
from callcenter.store.lost_calls import lose_call
from callcenter.store.models import CallbackRow, PromiseRow
from callcenter.store.outbox import Announce, write_events
from callcenter.store.promise_rows import PromiseRows, promise_of

_OPEN = tuple(s.value for s in OPEN_STATES)


class SqlCallbacks(PromiseRows):
    def __init__(
        self,
        sessions: sessionmaker[Session],
        threads: DbThreads | None = None,
        owner: Callable[[], Owner | None] | None = None,
        queues: tuple[str, ...] = (),
    ) -> None:
        """``owner``: this node's claim (None while it holds no lease); not given: a store
        used outside a daemon (CLI, tests), whose claims carry no node."""
        self._sessions = sessions
        self._threads = threads or DbThreads(1)
        self._owner = owner
        self._claims = CallbackClaims(sessions, owner, queues)

    async def request(
        self, new: NewCallback, announce: Announce[tuple[Callback, Promise]] | None = None
    ) -> tuple[Callback, Promise, bool]:
        """A new callback (waiting, attempt 1 claimed; scheduled: a retry due at its first
        attempt, attempt 0) with its promise — or, when the
        number already has an open one in this queue, that one and its promise unchanged
        (third item False: merged). ``announce``: the events of a new one, written in the
        same transaction."""
        return await self._threads.run("callbacks.request", self.request_sync, new, announce)

    def request_sync(
        self, new: NewCallback, announce: Announce[tuple[Callback, Promise]] | None = None
    ) -> tuple[Callback, Promise, bool]:
        conflict: IntegrityError | None = None
        for _ in range(3):  # a concurrent request for the same number: read theirs
            try:
                with self._sessions.begin() as s:
                    # A callback for a call its node lost: offered by whoever records the
                    # loss (once, across daemons), in the same transaction.
                    if new.lost_call and not lose_call(
                        s, new.lost_call, new.requested_at, new.reason
                    ):
                        raise CallAlreadyClosed(f"call {new.lost_call}: hung up or lost already")
                    existing = s.scalar(_open_for(new.queue, new.number).with_for_update())
                    if existing is not None:
                        return (
                            callback_of(existing),
                            promise_of(_promise_row(s, existing.id)),
                            False,
                        )
                    row = self._new_row(new)
                    s.add(row)
                    s.flush()
                    promise = PromiseRow(
                        kind=PromiseKind.CALLBACK.value,
                        subject_id=row.id,
                        queue=new.queue,
                        made_at=new.requested_at,
                        due_at=new.due_at,
                        expected_at=new.expected_at,
                        earliest_at=new.earliest_at,
                        basis=new.basis,
                        state=PromiseState.OPEN.value,
                        ticket_id=new.ticket_number,
                    )
                    s.add(promise)
                    s.flush()
                    made = callback_of(row), promise_of(promise)
                    if announce is not None:
                        write_events(s, announce(made))
                    return *made, True
            except IntegrityError as exc:  # the open-request index (or a bad ticket)
                conflict = exc
        raise RuntimeError(
            f"callback for {new.number} in {new.queue}: not stored ({conflict})"
        ) from conflict

    def _new_row(self, new: NewCallback) -> CallbackRow:
        scheduled = new.first_attempt_at is not None
        row = CallbackRow(
            queue=new.queue,
            number=new.number,
            state=(CallbackState.RETRY if scheduled else CallbackState.WAITING).value,
            requested_at=new.requested_at,
            joined_at=new.joined_at,
            priority=new.priority,
            call_id=new.call_id,
            ticket_id=new.ticket_number,
            customer_id=new.customer_id,
            attempts=0 if scheduled else 1,
            next_attempt_at=new.first_attempt_at,
            max_attempts=new.max_attempts,
            reason=new.reason[:300],
            source=new.source,
        )
        if not scheduled:  # placed by this node at once
            row.owner_node, row.fence = self._claims.claim_fields_or_none()
        return row

    async def get(self, callback_id: int) -> Callback | None:
        return await self._threads.run("callbacks.get", self._get, callback_id)

    def _get(self, callback_id: int) -> Callback | None:
        with self._sessions() as s:
            row = s.get(CallbackRow, callback_id)
            return callback_of(row) if row is not None else None

    async def change(
        self,
        callback_id: int,
        expect: Sequence[CallbackState],
        attempt: int | None,
        changes: dict[str, Any],
        announce: Announce[Callback] | None = None,
    ) -> Callback:
        """Set fields if the callback is in one of ``expect`` (and at ``attempt``, when
        given); else StaleCallback (someone else — a retry, another daemon — moved it).
        ``announce``: the change's events, written in the same transaction."""
        return await self._threads.run(
            "callbacks.change", self._change, callback_id, expect, attempt, changes, announce
        )

    def _change(
        self,
        callback_id: int,
        expect: Sequence[CallbackState],
        attempt: int | None,
        changes: dict[str, Any],
        announce: Announce[Callback] | None = None,
    ) -> Callback:
        values = {
            ("ticket_id" if name == "ticket_number" else name): (
                value.value if isinstance(value, CallbackState) else value
            )
            for name, value in changes.items()
        }
        with self._sessions.begin() as s:
            row = s.get(CallbackRow, callback_id, with_for_update=True)
            if row is None:
                raise StaleCallback(f"callback {callback_id}: no such callback")
            if row.state not in {e.value for e in expect} or (
                attempt is not None and row.attempts != attempt
            ):
                raise StaleCallback(
                    f"callback {callback_id}: {row.state} attempt {row.attempts}, expected"
                    f" {'/'.join(e.value for e in expect)}"
                    + (f" attempt {attempt}" if attempt is not None else "")
                )
            # Compare-and-set in the statement itself: SQLite has no FOR UPDATE, so a
            # concurrent change between our read and this write makes it match nothing.
            done = s.execute(
                update(CallbackRow)
                .where(
                    CallbackRow.id == callback_id,
                    CallbackRow.state == row.state,
                    CallbackRow.attempts == row.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise StaleCallback(f"callback {callback_id}: changed by someone else meanwhile")
            s.expire(row)
            changed = callback_of(s.get_one(CallbackRow, callback_id))
            if announce is not None:
                write_events(s, announce(changed))
            return changed

    async def claim_due(self, now: datetime, limit: int = 20) -> list[Callback]:
        """Retries due by ``now`` (of this node's queues), moved to waiting with the next
        attempt claimed by this node — each by exactly one caller of this method,
        whichever daemon it runs in; nothing while this node holds no lease."""
        return await self._threads.run("callbacks.claim_due", self._claims.claim_due, now, limit)

    async def take(self, callback_id: int, attempt: int, agent: str) -> Callback:
        """The dial gate: waiting -> dialing for ``attempt``, only for the node (at the
        epoch) that claimed it. StaleCallback otherwise: that placeholder dials nobody."""
        return await self._threads.run(
            "callbacks.take", self._claims.take, callback_id, attempt, agent
        )

    async def reclaim(self, now: datetime, limit: int = 50) -> list[Callback]:
        """Waiting callbacks of this node's queues claimed by a node whose lease lapsed:
        now this node's (same attempt), to be placed here."""
        return await self._threads.run("callbacks.reclaim", self._claims.reclaim, now, limit)

    async def adopt(self, owner: Owner) -> int:
        """At a join: this node's own open claims (and unowned ones) take its new epoch."""
        return await self._threads.run("callbacks.adopt", self._claims.adopt, owner)

    async def in_states(
        self, states: Sequence[CallbackState], mine_only: bool = False
    ) -> list[Callback]:
        """Callbacks in ``states``; ``mine_only``: those this node claimed (a cluster)."""
        return await self._threads.run("callbacks.in_states", self._in_states, states, mine_only)

    def _in_states(self, states: Sequence[CallbackState], mine_only: bool) -> list[Callback]:
        query = select(CallbackRow).where(CallbackRow.state.in_([x.value for x in states]))
        mine = self._claims.mine() if mine_only else None
        if mine is not None:  # a cluster node sees to its own claims (and unclaimed ones)
            query = query.where(CallbackRow.owner_node.in_((mine, "")))
        with self._sessions() as s:
            rows = s.scalars(query.order_by(CallbackRow.joined_at))
            return [callback_of(r) for r in rows]

    async def search(
        self, state: CallbackState | None, queue: str, limit: int, before: int | None
    ) -> Page[Callback]:
        return await self._threads.run(
            "callbacks.search", self._search, state, queue, limit, before
        )

    def _search(
        self, state: CallbackState | None, queue: str, limit: int, before: int | None
    ) -> Page[Callback]:
        query = select(CallbackRow)
        if state is not None:
            query = query.where(CallbackRow.state == state.value)
        if queue:
            query = query.where(CallbackRow.queue == queue)
        if before is not None:
            query = query.where(CallbackRow.id < before)
        with self._sessions() as s:
            rows = list(s.scalars(query.order_by(CallbackRow.id.desc()).limit(limit + 1)))
        items = tuple(callback_of(r) for r in rows[:limit])
        return Page(items, str(items[-1].id) if len(rows) > limit and items else None)


def _open_for(queue: str, number: str) -> Select[CallbackRow]:
    return select(CallbackRow).where(
        CallbackRow.queue == queue, CallbackRow.number == number, CallbackRow.state.in_(_OPEN)
    )


def _promise_row(s: Session, callback_id: int) -> PromiseRow:
    row = s.scalar(
        select(PromiseRow).where(
            PromiseRow.kind == PromiseKind.CALLBACK.value, PromiseRow.subject_id == callback_id
        )
    )
    if row is None:
        raise LookupError(f"callback {callback_id} has no promise")
    return row
