"""Wiring of this daemon's cluster membership: the ``nodes`` store, the lease and its
heartbeat, what a join adopts (this node's own open claims take its new epoch), and the
cluster view the API, the page and the CLI show. (Composition root.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.config import Config
from callcenter.domain.cluster import ClusterView, LeasePolicy, Owner
from callcenter.http import api_cluster
from callcenter.http.api_cluster import CLUSTER
from callcenter.http.cluster_page import CLUSTER_PAGE
from callcenter.services.cluster import Membership
from callcenter.store.cluster import SqlNodes
from callcenter.store.db_threads import DbThreads

log = logging.getLogger(__name__)


class ClusterWiring:
    def __init__(self, config: Config, sessions: sessionmaker[Session], threads: DbThreads) -> None:
        c = config.cluster
        self.store = SqlNodes(sessions, threads)
        self._adopters: list[Callable[[Owner], Awaitable[int]]] = []
        self.membership = Membership(
            self.store,
            c.node,
            c.queues,
            LeasePolicy(timedelta(seconds=c.lease_seconds)),
            SystemClock(),
            on_join=self._joined,
        )

    def owner(self) -> Owner | None:
        """This node's claim while it holds its lease (what claims and the gate check)."""
        return self.membership.current()

    def holds_lease(self) -> bool:
        """Whether this node may take new work (webhook deliveries, transcriptions)."""
        return self.membership.current() is not None

    def adopt_with(self, adopt: Callable[[Owner], Awaitable[int]]) -> None:
        """Run ``adopt`` at every join (a feature's own open claims take the new epoch)."""
        self._adopters.append(adopt)

    async def _joined(self, owner: Owner) -> None:
        for adopt in self._adopters:
            n = await adopt(owner)
            if n:
                log.info("node %s: %d open claim(s) of this node now under its epoch", owner, n)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self.membership.run(), name="cluster-heartbeat")]


class ClusterStatus:
    """The cluster as the API, the page and the CLI show it: the membership's nodes with
    the callbacks taken over and the calls lost with failed nodes."""

    def __init__(
        self, cluster: ClusterWiring, taken_over: Callable[[], int], lost: Callable[[], int]
    ) -> None:
        self._cluster, self._taken_over, self._lost = cluster, taken_over, lost

    async def view(self) -> ClusterView:
        return await self._cluster.membership.view(self._taken_over(), self._lost())


def _plug_membership(parts: Parts, plug: Plug) -> None:
    cluster = ClusterWiring(parts[slots.CONFIG], parts[slots.SESSIONS], parts[slots.DB_THREADS])
    parts.provide(slots.MEMBERSHIP, cluster)
    plug.run(cluster.tasks)


def _plug_view(parts: Parts, plug: Plug) -> None:
    callbacks, lost = parts[slots.CALLBACKS], parts[slots.LOST_CALLS]
    view = ClusterStatus(
        parts[slots.MEMBERSHIP], lambda: callbacks.sweeper.taken_over, lambda: lost.service.lost
    )
    plug.serve(CLUSTER, view)


MEMBERSHIP = Feature(
    "membership",
    needs=(slots.CONFIG, slots.SESSIONS, slots.DB_THREADS),
    provides=(slots.MEMBERSHIP,),
    build=_plug_membership,
)
FEATURE = Feature(
    "cluster",
    needs=(slots.MEMBERSHIP, slots.CALLBACKS, slots.LOST_CALLS),
    provides=(),
    build=_plug_view,
    routes=tuple(api_cluster.ROUTES),
    pages=(CLUSTER_PAGE,),
)
