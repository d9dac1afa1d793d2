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

from callcenter.app.assembly import SystemClock
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_events import member_paused
from callcenter.asterisk.ami_events import translate as translate_queue_event
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.config import Config
from callcenter.domain.cluster import node_addresses
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_events import AgentCallEnded
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
    ) -> None:
        self.enabled = len(node_addresses(config.cluster.nodes)) > 1
        self._ami = ami
        self._queues = queues
        self._every = 1.0
        self.holds_lease: Callable[[], bool] = lambda: True  # set by the cluster's wiring
        # Logins and logouts made on another node: the agents' set in the shared store,
        # and this node's member resync (set by the daemon's wiring).
        self.logged_in: Callable[[], Awaitable[frozenset[str]]] | None = None
        self.resync: Callable[[], Awaitable[None]] | None = None
        self._logged: tuple[frozenset[str], frozenset[str]] | None = None
        self.service = AgentPresence(
            SqlAgentHolds(sessions, threads),
            queues,
            config.cluster.node,
            lambda q: queue_defs[q].wrap_up if q in queue_defs else 0,
            SystemClock(),
        )
        self._tasks: set[asyncio.Task[None]] = set()
        if self.enabled:
            ami.on_event("QueueMemberPause", self._member_paused)
            ami.on_event("AgentComplete", self._agent_complete)

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

    def _member_paused(self, _manager: object, message: Mapping[str, str]) -> None:
        event = member_paused(dict(message))
        if event is not None:
            self._spawn(self.service.paused(event.agent, event.paused, event.reason))

    def _agent_complete(self, _manager: object, message: Mapping[str, str]) -> None:
        event = translate_queue_event(dict(message))
        if isinstance(event, AgentCallEnded) and event.agent.isdigit():
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
        if self.logged_in is None or self.resync is None:
            return
        now = (await self.logged_in(), await self._members())
        if now != self._logged:  # also the first look: what it saw may have moved since
            if self._logged is not None:
                log.info("agents logged in or queue members changed: resyncing the members")
            await self.resync()
            now = (await self.logged_in(), await self._members())
        self._logged = now

    async def _members(self) -> frozenset[str]:
        return frozenset(m.agent for s in await self._queues.status() for m in s.members)

    def tasks(self) -> list[asyncio.Task[None]]:
        if not self.enabled:
            return []
        return [asyncio.create_task(self._sync_forever(), name="presence-sync")]
