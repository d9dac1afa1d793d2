"""Agents' pause and wrap-up made one across the nodes (see domain/presence.py).

Contract:
- :meth:`AgentPresence.paused` (app_queue paused or unpaused an agent here — the API, a
  phone's feature code, a held shift) and :meth:`call_ended` (a queue call ended here:
  its queue's wrap-up starts) write the agent's shared row; what this node applied for
  another (:data:`REMOTE` reasons) is not written back.
- :meth:`sync` (every second) makes this node's Asterisk show every agent's row: paused
  while paused anywhere, or while wrapping up a call of another node; only a change is
  sent (app_queue's QueuePause), and all is sent again after :meth:`forget` (a new AMI
  login: Asterisk may have restarted). A failed QueuePause is tried again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.presence import REMOTE, AgentHold, Wanted, is_remote, wanted_here
from callcenter.services.ports import Clock, TelephonyError

log = logging.getLogger(__name__)


class HoldStore(Protocol):
    async def pause(
        self, agent: str, paused: bool, reason: str, node: str, now: datetime
    ) -> bool: ...
    async def wrap(self, agent: str, until: datetime, node: str, now: datetime) -> bool: ...
    async def holds(self) -> list[AgentHold]: ...


class Pauser(Protocol):
    async def pause(self, agent: str, paused: bool, reason: str = "") -> None: ...


class AgentPresence:
    def __init__(
        self,
        store: HoldStore,
        queues: Pauser,
        node: str,
        wrap_up_of: Callable[[str], int],
        clock: Clock,
    ) -> None:
        self._store = store
        self._queues = queues
        self.node = node
        self._wrap_up_of = wrap_up_of
        self._clock = clock
        self._applied: dict[str, Wanted] = {}  # what this node applied for others
        self._seen: dict[str, AgentHold] = {}  # each agent's row at the last sync
        self._primed = False  # a sync ran since the start (or the last forget)

    async def paused(self, agent: str, paused: bool, reason: str) -> None:
        if is_remote(reason):
            return
        if await self._store.pause(agent, paused, reason, self.node, self._clock.now()):
            log.info(
                "agent %s: %s on node %s (%s)",
                agent,
                "paused" if paused else "unpaused",
                self.node,
                reason or "-",
            )
        self._applied.pop(agent, None)  # what this node shows for them is its own doing

    async def call_ended(self, agent: str, queue: str) -> None:
        seconds = self._wrap_up_of(queue)
        if seconds <= 0:
            return
        now = self._clock.now()
        await self._store.wrap(agent, now + timedelta(seconds=seconds), self.node, now)

    def forget(self) -> None:
        self._applied.clear()
        self._seen.clear()
        self._primed = False

    async def sync(self) -> int:
        """Apply the other nodes' rows here; returns how many QueuePause were sent."""
        now, sent = self._clock.now(), 0
        # After the first sync since a start, a row not seen before is news too.
        unseen = AgentHold("") if self._primed else None
        for hold in await self._store.holds():
            seen, self._seen[hold.agent] = self._seen.get(hold.agent, unseen), hold
            wanted = self._wanted(hold, now)
            if wanted is None or not self._should_send(wanted, hold, seen):
                continue
            try:
                await self._queues.pause(hold.agent, wanted.paused, wanted.reason)
            except TelephonyError as exc:
                log.warning("agent %s: pause not applied on %s (%s)", hold.agent, self.node, exc)
                self._seen.pop(hold.agent, None)  # try again next time
                continue
            self._applied[hold.agent] = wanted
            sent += 1
            state = "paused" if wanted.paused else "unpaused"
            log.info("agent %s on node %s: %s (%s)", hold.agent, self.node, state, wanted.reason)
        self._primed = True
        return sent

    def _wanted(self, hold: AgentHold, now: datetime) -> Wanted | None:
        wanted = wanted_here(hold, self.node, now)
        if wanted is not None:
            return wanted
        # Our own row: app_queue here shows it — but a wrap-up of another node we applied,
        # over now, ends in our own state.
        before = self._applied.get(hold.agent)
        if before is not None and before.reason.startswith(f"{REMOTE}wrap-up"):
            return Wanted(hold.paused, hold.reason if hold.paused else "")
        self._applied.pop(hold.agent, None)
        return None

    def _should_send(self, wanted: Wanted, hold: AgentHold, seen: AgentHold | None) -> bool:
        before = self._applied.get(hold.agent)
        if before == wanted:
            return False
        if wanted.paused or (before is not None and before.paused):
            return True  # a pause to apply, or one of ours to undo
        # An unpause made elsewhere: sent when it is news, not at first sight (after a
        # start, app_queue's own state here — a shift's hold, say — is left as it is).
        return seen is not None and seen != hold
