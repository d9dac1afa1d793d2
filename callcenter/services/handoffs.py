"""Shift changes the customer never notices: the handoff when an agent goes, the reading
when one comes, and the desk between calls (rules in :mod:`callcenter.domain.handoffs`).

Every way of logging in or out (the desk, the phone's *75/*76, the API) goes through
:class:`~callcenter.services.agent_control.AgentControl`, which asks this service (its
``gate``) what the login means: in a team that requires reading, an agent with unread
handoffs joins their queues paused (``handoff-reading``) and is released by
:meth:`Handoffs.acknowledge` once nothing is left to read. Each step is logged.

Contract: a failure here never blocks a logout (the agent is out of the queues first).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.agents import AgentStateError, UnknownAgent
from callcenter.domain.handoffs import (
    HANDOFF_PAUSE,
    DeskTicket,
    HandedTicket,
    Shift,
    ShiftPolicy,
    TeamHandoffs,
    Workspace,
    due_in_shift,
    team_figures,
)
from callcenter.domain.promises import Promise
from callcenter.domain.tickets import OPEN_STATUSES, Agent
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)


class ShiftStore(Protocol):
    async def agent(self, extension: str) -> Agent | None: ...

    async def start(self, agent: Agent, now: datetime) -> Shift: ...

    async def current(self, extension: str) -> Shift | None: ...

    async def previous_start(self, extension: str, before: datetime) -> datetime | None: ...

    async def ready(self, shift_id: int, now: datetime) -> None: ...

    async def end(self, agent: Agent, now: datetime) -> tuple[Shift, list[HandedTicket]]: ...

    async def to_read(self, agent: Agent, since: datetime) -> list[HandedTicket]: ...

    async def to_note(self, extension: str) -> list[HandedTicket]: ...

    async def read(
        self, agent: Agent, ids: Sequence[int] | None, now: datetime
    ) -> list[HandedTicket]: ...

    async def desk(self, agent: Agent) -> tuple[list[DeskTicket], list[DeskTicket]]: ...

    async def handed(self, since: datetime, team: str | None = None) -> list[HandedTicket]: ...


class Release(Protocol):
    """app_queue: makes a held agent available (QueuePause Paused: false)."""

    async def pause(self, agent: str, paused: bool, reason: str = "") -> None: ...


@dataclasses.dataclass(frozen=True)
class Acknowledged:
    read: tuple[HandedTicket, ...]
    remaining: int
    released: bool  # the agent was held and is now available for calls


class Handoffs:
    def __init__(
        self,
        store: ShiftStore,
        policy: ShiftPolicy,
        clock: Clock,
        queues: Release,
        promises: Callable[[], Awaitable[list[Promise]]] | None = None,
        queues_of: Callable[[Agent], frozenset[str]] = lambda _agent: frozenset(),
    ) -> None:
        self._store = store
        self.policy = policy
        self._clock = clock
        self._queues = queues
        self._promises = promises
        self._queues_of = queues_of

    async def agent(self, extension: str) -> Agent | None:
        return await self._store.agent(extension)

    async def _agent(self, extension: str) -> Agent:
        agent = await self._store.agent(extension)
        if agent is None:
            raise UnknownAgent(f"agent {extension}: no such agent")
        return agent

    # -- the gate AgentControl asks ------------------------------------------------

    async def on_login(self, agent: Agent) -> str:
        """A shift starts: the pause reason to join the queues with ("": none)."""
        now = self._clock.now()
        shift = await self._store.start(agent, now)
        to_read = await self._unread(agent, shift)
        if self.policy.must_read(agent.team) and to_read:
            log.info(
                "agent %s: shift %d started, held: %d handoff(s) of team %s to read first",
                agent.extension,
                shift.id,
                len(to_read),
                agent.team,
            )
            return HANDOFF_PAUSE
        await self._store.ready(shift.id, now)
        log.info(
            "agent %s: shift %d started, ready (%d handoff(s) to read, reading %s)",
            agent.extension,
            shift.id,
            len(to_read),
            "required" if self.policy.must_read(agent.team) else "optional",
        )
        return ""

    async def on_logout(self, agent: Agent) -> list[HandedTicket]:
        """A shift ends: every open ticket of the agent is handed to their team."""
        shift, handed = await self._store.end(agent, self._clock.now())
        flagged = [h.ticket.number for h in handed if h.flagged]
        log.info(
            "agent %s: shift %d ended, %d ticket(s) handed to team %s, %d without a note%s",
            agent.extension,
            shift.id,
            len(handed),
            agent.team or "-",
            len(flagged),
            f" (flagged: {', '.join(f'#{n}' for n in flagged)})" if flagged else "",
        )
        return handed

    async def hold_reason(self, extension: str) -> str:
        """HANDOFF_PAUSE while the agent's shift waits on their reading, else ""."""
        agent = await self._store.agent(extension)
        if agent is None or not self.policy.must_read(agent.team):
            return ""
        shift = await self._store.current(extension)
        if shift is None or shift.ready_at is not None:
            return ""
        return HANDOFF_PAUSE if await self._unread(agent, shift) else ""

    async def check_unpause(self, extension: str) -> None:
        """Raises AgentStateError while the agent must read before taking calls."""
        if await self.hold_reason(extension):
            agent = await self._agent(extension)
            shift = await self._store.current(extension)
            n = len(await self._unread(agent, shift)) if shift else 0
            raise AgentStateError(
                f"agent {extension}: team {agent.team} reads its handoffs before taking calls;"
                f" {n} left to read"
            )

    async def _unread(self, agent: Agent, shift: Shift) -> list[HandedTicket]:
        previous = await self._store.previous_start(agent.extension, shift.started_at)
        return await self._store.to_read(agent, self.policy.read_since(previous, shift.started_at))

    # -- the desk --------------------------------------------------------------------

    async def workspace(self, extension: str) -> Workspace:
        agent = await self._agent(extension)
        now = self._clock.now()
        shift = await self._store.current(extension)
        if shift is not None:
            to_read = await self._unread(agent, shift)
        else:
            to_read = await self._store.to_read(agent, now - self.policy.lookback)
        mine, team = await self._store.desk(agent)
        to_note = await self._store.to_note(extension) if shift is None else []
        must = self.policy.must_read(agent.team)
        held = must and shift is not None and shift.ready_at is None and bool(to_read)
        return Workspace(
            agent=extension,
            team=agent.team,
            shift=shift,
            mine=tuple(mine),
            team_tickets=tuple(team),
            due=await self._due(agent, shift, mine, team, now),
            to_read=tuple(to_read),
            to_note=tuple(to_note),
            must_read=must,
            held=held,
        )

    async def _due(
        self,
        agent: Agent,
        shift: Shift | None,
        mine: Sequence[DeskTicket],
        team: Sequence[DeskTicket],
        now: datetime,
    ) -> tuple[Promise, ...]:
        """Promises due by the end of the shift: of the queues the agent serves, or on
        their or their team's tickets."""
        if self._promises is None:
            return ()
        until = (shift.started_at if shift else now) + self.policy.shift
        queues = self._queues_of(agent)
        tickets = {d.ticket.number for d in (*mine, *team)}
        ours = [
            p
            for p in await self._promises()
            if p.queue in queues or (p.ticket_number is not None and p.ticket_number in tickets)
        ]
        return due_in_shift(ours, until)

    async def to_note(self, extension: str) -> list[HandedTicket]:
        """What the agent's last logout left without a handoff note (still open)."""
        return await self._store.to_note(extension)

    async def acknowledge(self, extension: str, ids: Sequence[int] | None) -> Acknowledged:
        """The agent read these handoffs (None: all of them); a held agent with nothing
        left to read is made available."""
        agent = await self._agent(extension)
        now = self._clock.now()
        shift = await self._store.current(extension)
        if shift is None:
            raise AgentStateError(f"agent {extension}: not on shift; log in to read handoffs")
        pending = await self._unread(agent, shift)
        known = {h.id for h in pending}
        if ids is not None and (unknown := sorted(set(ids) - known)):
            raise AgentStateError(
                f"ids: handoff {unknown[0]} is not one agent {extension} has to read", "ids"
            )
        read = await self._store.read(agent, sorted(known) if ids is None else ids, now)
        remaining = await self._unread(agent, shift)
        log.info(
            "agent %s: read %d handoff(s) (%s), %d left",
            extension,
            len(read),
            ", ".join(f"#{h.ticket.number}" for h in read) or "none",
            len(remaining),
        )
        released = False
        if not remaining and shift.ready_at is None:
            await self._store.ready(shift.id, now)
            if self.policy.must_read(agent.team):
                await self._queues.pause(extension, False)
                released = True
                log.info("agent %s: handoffs read, available for calls", extension)
        return Acknowledged(tuple(read), len(remaining), released)

    # -- the board -------------------------------------------------------------------

    async def figures(self, since: datetime) -> list[TeamHandoffs]:
        return team_figures(await self._store.handed(since))

    async def flagged(self, since: datetime) -> list[HandedTicket]:
        """Open tickets handed over since ``since`` without a note, newest first."""
        handed = await self._store.handed(since)
        return [h for h in handed if h.flagged and h.ticket.status in OPEN_STATUSES]

    def now(self) -> datetime:
        return self._clock.now()

    def default_since(self) -> datetime:
        """The board's window: the last day."""
        return self._clock.now() - timedelta(hours=24)
