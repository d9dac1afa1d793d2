"""This daemon's membership of the cluster: join (a new epoch), heartbeat, lapse, leave.

Contract:
- :meth:`Membership.join` bumps this node's epoch in the store and makes the node active
  with a lease; claims made from then on carry (node, epoch) — :meth:`current`.
- :meth:`beat` renews the lease, fenced on the epoch. When the store refuses (another
  process joined as this node: its epoch moved) or cannot be reached until the lease has
  run out, the node goes ``lapsed``: :meth:`current` is None, so nothing new is claimed
  or let dial, and the next beat joins again with a new epoch (what was claimed under the
  old one and taken over meanwhile stays refused to us).
- A node whose Asterisk is gone (:attr:`healthy` says so: neither AMI nor SIP answers)
  is no node: its next beat lapses it and hands the lease back at once, so the others
  take over its work and its calls (lost with it); it joins again, with a new epoch, once
  its Asterisk is back.
- :meth:`leave` (a clean stop) ends the lease at once, so the others take over without
  waiting for it to run out.
Every transition is logged with the node and epoch.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from callcenter.domain.cluster import (
    ClusterView,
    LeasePolicy,
    NodeClaims,
    NodeLease,
    NodeState,
    Owner,
    transition,
)
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)


class NodeStore(Protocol):
    async def join(
        self, node: str, queues: tuple[str, ...], now: datetime, until: datetime
    ) -> NodeLease: ...
    async def beat(self, owner: Owner, now: datetime, until: datetime) -> bool: ...
    async def leave(self, owner: Owner, now: datetime) -> None: ...
    async def nodes(self) -> list[NodeLease]: ...
    async def claims(self) -> list[NodeClaims]: ...


class Membership:
    def __init__(
        self,
        store: NodeStore,
        node: str,
        queues: tuple[str, ...],
        policy: LeasePolicy,
        clock: Clock,
        on_join: Callable[[Owner], Awaitable[None]] | None = None,
    ) -> None:
        self._store = store
        self.node = node
        self.queues = queues
        self._policy = policy
        self._clock = clock
        self._on_join = on_join
        self.state = NodeState.STARTING
        self._owner: Owner | None = None
        self._until: datetime | None = None
        self.joins = 0  # how many times this process joined (1 + rejoins after a lapse)
        self.healthy: Callable[[], Awaitable[bool]] = _always

    def watch_health(self, healthy: Callable[[], Awaitable[bool]]) -> None:
        """A node whose ``healthy`` says no lapses and hands its lease back (lost calls'
        probe: neither AMI nor SIP answers)."""
        self.healthy = healthy

    @property
    def beat_every(self) -> float:
        return self._policy.beat_every

    def current(self) -> Owner | None:
        """(node, epoch) while this node holds its lease; None otherwise (take no work)."""
        if self.state is not NodeState.ACTIVE or self._until is None:
            return None
        if self._clock.now() >= self._until:
            self._lapse("lease ran out before it was renewed")
            return None
        return self._owner

    def _move(self, new: NodeState, why: str) -> None:
        old, self.state = self.state, transition(self.state, new)
        log.info("node %s (epoch %s): %s -> %s (%s)", self.node, self._epoch(), old, new, why)

    def _epoch(self) -> str:
        return str(self._owner.epoch) if self._owner else "-"

    def _lapse(self, why: str) -> None:
        if self.state is NodeState.ACTIVE:
            self._move(NodeState.LAPSED, why)

    async def join(self) -> Owner:
        now = self._clock.now()
        lease = await self._store.join(self.node, self.queues, now, self._policy.until(now))
        self._owner, self._until = Owner(lease.node, lease.epoch), lease.lease_until
        self.joins += 1
        self._move(NodeState.ACTIVE, f"joined, lease until {lease.lease_until:%H:%M:%S}")
        if self._on_join is not None:
            await self._on_join(self._owner)
        return self._owner

    async def beat(self) -> bool:
        """Renew (or, lapsed, join again). True while the node holds its lease."""
        if self.state is NodeState.STOPPED:
            return False
        try:
            if not await self.healthy():
                await self._give_up()
                return False
            if self.state is not NodeState.ACTIVE or self._owner is None:
                await self.join()
                return True
            now = self._clock.now()
            until = self._policy.until(now)
            if await self._store.beat(self._owner, now, until):
                if now < (self._until or now):
                    self._until = until
                    return True
                self._lapse("renewed only after the lease had run out")
                return False
            self._lapse("the store refused the renewal: another process joined as this node")
            return False
        except Exception as exc:  # the database is away: the lease runs out by itself
            log.warning("node %s: heartbeat failed (%s)", self.node, exc)
            self.current()
            return self.state is NodeState.ACTIVE

    async def _give_up(self) -> None:
        """Our Asterisk is gone: lapse, and hand the lease back so nobody waits for it."""
        if self.state is not NodeState.ACTIVE or self._owner is None:
            return
        self._lapse("its Asterisk answers neither AMI nor SIP")
        await self._store.leave(self._owner, self._clock.now())

    async def run(self) -> None:
        """Heartbeat forever, every lease / 3."""
        while self.state is not NodeState.STOPPED:
            await asyncio.sleep(self._policy.beat_every)
            await self.beat()

    async def leave(self) -> None:
        owner = self._owner
        if self.state is not NodeState.STOPPED:
            self._move(NodeState.STOPPED, "stopping")
        if owner is not None:
            try:
                await self._store.leave(owner, self._clock.now())
            except Exception as exc:
                log.warning("node %s: lease not handed back (%s): it runs out", self.node, exc)

    async def view(self, taken_over: int = 0, lost_calls: int = 0) -> ClusterView:
        """Every node's lease and claims, as this node sees them now."""
        nodes, claims = await self._store.nodes(), await self._store.claims()
        return ClusterView(
            me=self.node,
            state=self.state,
            epoch=self._owner.epoch if self._owner else None,
            nodes=tuple(nodes),
            claims=tuple(claims),
            now=self._clock.now(),
            taken_over=taken_over,
            lost_calls=lost_calls,
        )


async def _always() -> bool:
    return True
