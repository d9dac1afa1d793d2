"""Claims on callbacks across daemons: which node's placeholder holds an attempt, and the
dial gate that lets only that node, at the epoch it claimed with, dial the customer.

Exactly once: every claim and take is one conditional UPDATE on (state, attempts, owner,
fence), in a transaction that reads with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
daemons never pick one row) — and the condition itself holds on SQLite too. A node whose
epoch moved (it joined again) or whose claim was taken over matches nothing: its late
take dials nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.callbacks import Callback, CallbackState, StaleCallback
from callcenter.domain.cluster import NodeState, Owner
from callcenter.store.db import as_utc
from callcenter.store.models import CallbackRow, NodeRow

_WAITING = CallbackState.WAITING.value
_HELD = (CallbackState.WAITING.value, CallbackState.DIALING.value)


class CallbackClaims:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        owner: Callable[[], Owner | None] | None,
        queues: tuple[str, ...],
    ) -> None:
        self._sessions = sessions
        self._owner = owner
        self._queues = queues

    def me(self) -> Owner | None:
        """This node's claim; raises StaleCallback while a cluster node holds no lease."""
        if self._owner is None:
            return None
        owner = self._owner()
        if owner is None:
            raise StaleCallback("this node holds no lease: it claims nothing")
        return owner

    def claim_fields(self) -> tuple[str, int]:
        me = self.me()
        return (me.node, me.epoch) if me else ("", 0)

    def claim_fields_or_none(self) -> tuple[str, int]:
        """For a request (never refused): held by no node while this one has no lease —
        a node with a lease takes it over (:meth:`reclaim`, :meth:`adopt`)."""
        try:
            return self.claim_fields()
        except StaleCallback:
            return ("", 0)

    def mine(self) -> str | None:
        """The node id whose claims this store reads as its own (None: no cluster)."""
        owner = self._owner() if self._owner is not None else None
        return owner.node if owner is not None else None

    def _my_queues(self) -> list[ColumnElement[bool]]:
        return [CallbackRow.queue.in_(self._queues)] if self._queues else []

    def claim_due(self, now: datetime, limit: int) -> list[Callback]:
        try:
            node, fence = self.claim_fields()
        except StaleCallback:
            return []
        with self._sessions.begin() as s:
            query = select(CallbackRow.id, CallbackRow.attempts).where(
                CallbackRow.state == CallbackState.RETRY.value,
                CallbackRow.next_attempt_at <= now,
                *self._my_queues(),
            )
            picked = s.execute(
                query.order_by(CallbackRow.joined_at).limit(limit).with_for_update(skip_locked=True)
            ).all()
            claimed = [
                callback_id
                for callback_id, attempts in picked
                # Conditional: of concurrent claimers only one matches (SQLite too).
                if _set(
                    s,
                    (
                        CallbackRow.id == callback_id,
                        CallbackRow.state == CallbackState.RETRY.value,
                        CallbackRow.attempts == attempts,
                    ),
                    state=_WAITING,
                    attempts=attempts + 1,
                    next_attempt_at=None,
                    owner_node=node,
                    fence=fence,
                )
            ]
            return _read(s, claimed)

    def take(self, callback_id: int, attempt: int, agent: str) -> Callback:
        me = self.me()
        with self._sessions.begin() as s:
            where = [
                CallbackRow.id == callback_id,
                CallbackRow.state == _WAITING,
                CallbackRow.attempts == attempt,
            ]
            if me is not None:
                where += [CallbackRow.owner_node == me.node, CallbackRow.fence == me.epoch]
            # app_queue's AgentConnect may have named the agent first: kept unless given.
            named = {"agent": agent} if agent else {}
            if not _set(s, tuple(where), state=CallbackState.DIALING.value, **named):
                row = s.get(CallbackRow, callback_id)
                held = (
                    f"{row.state} attempt {row.attempts} by {row.owner_node or '-'}@{row.fence}"
                    if row is not None
                    else "no such callback"
                )
                mine = f", not {me}" if me is not None else ""
                raise StaleCallback(f"callback {callback_id} attempt {attempt}: {held}{mine}")
            return _read(s, [callback_id])[0]

    def reclaim(self, now: datetime, limit: int) -> list[Callback]:
        try:
            me = self.me()
        except StaleCallback:
            return []
        if me is None:
            return []
        lapsed = select(NodeRow.id).where(
            or_(NodeRow.state != NodeState.ACTIVE.value, NodeRow.lease_until <= now)
        )
        with self._sessions.begin() as s:
            query = select(CallbackRow.id, CallbackRow.attempts, CallbackRow.owner_node).where(
                CallbackRow.state == _WAITING,
                CallbackRow.owner_node != me.node,
                or_(CallbackRow.owner_node.in_(lapsed), CallbackRow.owner_node == ""),
                *self._my_queues(),
            )
            picked = s.execute(
                query.order_by(CallbackRow.joined_at).limit(limit).with_for_update(skip_locked=True)
            ).all()
            taken = [
                callback_id
                for callback_id, attempts, was in picked
                if _set(
                    s,
                    (
                        CallbackRow.id == callback_id,
                        CallbackRow.state == _WAITING,
                        CallbackRow.attempts == attempts,
                        CallbackRow.owner_node == was,
                    ),
                    owner_node=me.node,
                    fence=me.epoch,
                )
            ]
            return _read(s, taken)

    def adopt(self, owner: Owner) -> int:
        with self._sessions.begin() as s:
            done = s.execute(
                update(CallbackRow)
                .where(
                    CallbackRow.state.in_(_HELD),
                    or_(
                        CallbackRow.owner_node == owner.node,
                        # Claimed before there were nodes (or by a store outside a daemon).
                        and_(CallbackRow.owner_node == "", CallbackRow.state == _WAITING),
                    ),
                )
                .values(owner_node=owner.node, fence=owner.epoch)
                .execution_options(synchronize_session=False)
            )
            return int(done.rowcount)  # type: ignore[attr-defined]


def _set(s: Session, where: tuple[object, ...], **values: object) -> bool:
    done = s.execute(
        update(CallbackRow)
        .where(*where)  # type: ignore[arg-type]
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _read(s: Session, ids: list[int]) -> list[Callback]:
    if not ids:
        return []
    rows = s.scalars(select(CallbackRow).where(CallbackRow.id.in_(ids))).all()
    return [callback_of(r) for r in sorted(rows, key=lambda r: r.joined_at)]


def callback_of(row: CallbackRow) -> Callback:
    return Callback(
        id=row.id,
        queue=row.queue,
        number=row.number,
        state=CallbackState(row.state),
        requested_at=as_utc(row.requested_at),
        joined_at=as_utc(row.joined_at),
        priority=row.priority,
        call_id=row.call_id,
        ticket_number=row.ticket_id,
        customer_id=row.customer_id,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        next_attempt_at=optional_utc(row.next_attempt_at),
        agent=row.agent,
        outcome=row.outcome,
        reason=row.reason,
        source=row.source,
        owner_node=row.owner_node,
        fence=row.fence,
    )


def optional_utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None
