"""The NodeStore port on SQLAlchemy: ``nodes``, one row a daemon of the cluster.

Exactly once: a join bumps the row's epoch in one statement (the row is locked for the
update, so two processes joining as one node get two different epochs); a renewal and a
leave match (node, epoch), so a process whose epoch moved can neither renew nor end the
lease of the one that replaced it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.callbacks import CallbackState
from callcenter.domain.cluster import NodeClaims, NodeLease, NodeState, Owner
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallbackRow, NodeRow


class SqlNodes:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def join(
        self, node: str, queues: tuple[str, ...], now: datetime, until: datetime
    ) -> NodeLease:
        return await self._threads.run("nodes.join", self.join_sync, node, queues, now, until)

    def join_sync(
        self, node: str, queues: tuple[str, ...], now: datetime, until: datetime
    ) -> NodeLease:
        for _ in range(3):  # two first joins of one node at once: one inserts, one retries
            try:
                with self._sessions.begin() as s:
                    row = s.get(NodeRow, node, with_for_update=True)
                    fields = {
                        "state": NodeState.ACTIVE.value,
                        "started_at": now,
                        "beat_at": now,
                        "lease_until": until,
                        "queues": ",".join(queues),
                    }
                    if row is None:
                        row = NodeRow(id=node, epoch=1, **fields)
                        s.add(row)
                    else:
                        s.execute(
                            update(NodeRow)
                            .where(NodeRow.id == node)
                            .values(epoch=NodeRow.epoch + 1, **fields)
                            .execution_options(synchronize_session=False)
                        )
                        s.expire(row)
                    s.flush()
                    return _lease(s.get_one(NodeRow, node))
            except IntegrityError:
                continue
        raise RuntimeError(f"node {node}: could not join (its row kept changing)")

    async def beat(self, owner: Owner, now: datetime, until: datetime) -> bool:
        return await self._threads.run("nodes.beat", self._beat, owner, now, until)

    def _beat(self, owner: Owner, now: datetime, until: datetime) -> bool:
        with self._sessions.begin() as s:
            done = s.execute(
                update(NodeRow)
                .where(
                    NodeRow.id == owner.node,
                    NodeRow.epoch == owner.epoch,
                    NodeRow.state == NodeState.ACTIVE.value,
                )
                .values(beat_at=now, lease_until=until)
                .execution_options(synchronize_session=False)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    async def leave(self, owner: Owner, now: datetime) -> None:
        await self._threads.run("nodes.leave", self._leave, owner, now)

    def _leave(self, owner: Owner, now: datetime) -> None:
        with self._sessions.begin() as s:
            s.execute(
                update(NodeRow)
                .where(NodeRow.id == owner.node, NodeRow.epoch == owner.epoch)
                .values(state=NodeState.STOPPED.value, lease_until=now, beat_at=now)
                .execution_options(synchronize_session=False)
            )

    async def claims(self) -> list[NodeClaims]:
        return await self._threads.run("nodes.claims", self.claims_sync)

    def claims_sync(self) -> list[NodeClaims]:
        """Open callbacks held per node (waiting, dialing); unowned ones under ""."""
        held = (CallbackState.WAITING.value, CallbackState.DIALING.value)
        with self._sessions() as s:
            rows = s.execute(
                select(CallbackRow.owner_node, CallbackRow.state, func.count(CallbackRow.id))
                .where(CallbackRow.state.in_(held))
                .group_by(CallbackRow.owner_node, CallbackRow.state)
            ).all()
        counts: dict[str, dict[str, int]] = {}
        for node, state, n in rows:
            counts.setdefault(node, {})[state] = int(n)
        return [
            NodeClaims(node, c.get(held[0], 0), c.get(held[1], 0))
            for node, c in sorted(counts.items())
        ]

    async def nodes(self) -> list[NodeLease]:
        return await self._threads.run("nodes.list", self.nodes_sync)

    def nodes_sync(self) -> list[NodeLease]:
        with self._sessions() as s:
            return [_lease(r) for r in s.scalars(select(NodeRow).order_by(NodeRow.id))]


def _lease(row: NodeRow) -> NodeLease:
    return NodeLease(
        node=row.id,
        epoch=row.epoch,
        state=NodeState(row.state),
        started_at=as_utc(row.started_at),
        beat_at=as_utc(row.beat_at),
        lease_until=as_utc(row.lease_until),
        queues=tuple(q for q in row.queues.split(",") if q),
    )
