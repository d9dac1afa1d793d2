"""Wiring of agents' presence across the nodes of a cluster: app_queue's pause events and
ended queue calls (AMI) written to the shared rows, and the rows of the other nodes
applied to this node's Asterisk every second. Off on a single node (nothing to share).
(Composition root.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.config import Config
from callcenter.domain.cluster import node_addresses
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_events import AgentCallEnded, MemberPaused
from callcenter.services.presence import AgentPresence
from callcenter.store.db_threads import DbThreads
from callcenter.store.presence import SqlAgentHolds

log = logging.getLogger(__name__)


class PresenceWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ami: AmiClient,
        queues: AmiQueues,
        queue_defs: Mapping[str, QueueDef],
        holds_lease: Callable[[], bool],
        logged_in: Callable[[], Awaitable[frozenset[str]]],
        resync: Callable[[], Awaitable[None]],
    ) -> None:
        """``holds_lease``: the cluster's membership; ``logged_in`` and ``resync``: the
        logins made on another node (the agents' set in the shared store) and this node's
        member resync."""
        self.enabled = len(node_addresses(config.cluster.nodes)) > 1
        self._ami = ami
        self._queues = queues
        self._every = 1.0
        self.holds_lease = holds_lease
        self.logged_in, self.resync = logged_in, resync
        self._logged: tuple[frozenset[str], frozenset[str]] | None = None
        self.service = AgentPresence(
            SqlAgentHolds(sessions, threads),
            queues,
            config.cluster.node,
            lambda q: queue_defs[q].wrap_up if q in queue_defs else 0,
            SystemClock(),
        )
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(self._guarded(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guarded(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("agent presence not written")

    def member_paused(self, event: MemberPaused, _received: float) -> None:
        self._spawn(self.service.paused(event.agent, event.paused, event.reason))

    def agent_call_ended(self, event: AgentCallEnded, _received: float) -> None:
        if event.agent.isdigit():
            self._spawn(self.service.call_ended(event.agent, event.queue))

    async def ami_login(self) -> None:
        """Asterisk may have restarted: everything of the other nodes is applied again."""
        self.service.forget()

    async def _sync_forever(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            if not self._ami.connected or not self.holds_lease():
                continue
            try:
                await self._follow_logins()
                await self.service.sync()
            except Exception:
                log.exception("agent presence not synced; next try in %.0f s", self._every)

    async def _follow_logins(self) -> None:
        """A login or logout made through another node: app_queue here follows at once.
        Resynced when the logged-in set in the store, or this Asterisk's members, differ
        from what they were after the last resync (a logout here undone elsewhere before
        the next look leaves the store's set as it was, but not the members)."""
        logged = await self.logged_in()
        now = (logged, await self._members())
        if now != self._logged:  # also the first look: what it saw may have moved since
            if self._logged is not None:
                log.info("agents logged in or queue members changed: resyncing the members")
            await self.resync()
            # Kept: the logins the resync was asked to follow, not a second read — a login
            # another node commits while the resync runs is then a difference next time
            # (read again here, it was taken as followed and never applied).
            now = (logged, await self._members())
        self._logged = now

    async def _members(self) -> frozenset[str]:
        return frozenset(m.agent for s in await self._queues.status() for m in s.members)

    def tasks(self) -> list[asyncio.Task[None]]:
        if not self.enabled:
            return []
        return [asyncio.create_task(self._sync_forever(), name="presence-sync")]


def _plug(parts: Parts, plug: Plug) -> None:
    agents, cluster, tickets = parts[slots.AGENTS], parts[slots.MEMBERSHIP], parts[slots.TICKETS]

    async def logged_in() -> frozenset[str]:
        return frozenset(a.extension for a in await tickets.list_agents() if a.logged_in)

    presence = PresenceWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.AMI],
        agents.ami_queues,
        agents.queue_defs,
        cluster.holds_lease,
        logged_in,
        agents.resync_members,
    )
    if presence.enabled:
        plug.on_ami(MemberPaused, presence.member_paused)
        plug.on_ami(AgentCallEnded, presence.agent_call_ended)
    plug.after_ami_login(presence.ami_login)
    plug.run(presence.tasks)


FEATURE = Feature(
    "presence",
    needs=(slots.AGENTS, slots.MEMBERSHIP, slots.TICKETS),
    provides=(),
    build=_plug,
)
