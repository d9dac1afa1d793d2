"""Agents logging in and out, pausing (with a reason from the configured list), and the
supervisors' live view.

Who wants calls is kept in the store (``Agent.logged_in``); which queues that means comes
from the agent's skills and ``queues.yaml`` (:mod:`callcenter.domain.queue_membership`).
app_queue is the source of truth for members and pauses as they are *now*: a login becomes
QueueAdd per queue, a pause QueuePause, and the live view reads Asterisk back (QueueStatus),
so the board never shows a state Asterisk does not have. :meth:`AgentControl.resync` makes
Asterisk's members match the store again — after every AMI login (a restart of either side)
and now and then, for changes made behind our back.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from callcenter.domain.agents import AgentEvent, AgentStateError, AgentStatus, UnknownAgent
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_membership import Join, Leave, MemberChange, plan, wanted_queues
from callcenter.domain.queue_stats import QueueCall, QueueKpis, kpis
from callcenter.domain.queue_view import AgentPresence, QueueSnapshot, presences
from callcenter.domain.tickets import Agent
from callcenter.services.agent_states import AgentStates
from callcenter.services.ports import QueueControl, TelephonyError

log = logging.getLogger(__name__)


class AgentStore(Protocol):
    async def queue_calls_since(self, since: datetime) -> Mapping[str, Sequence[QueueCall]]: ...

    async def list_agents(self) -> list[Agent]: ...

    async def set_agent_login(self, extension: str, logged_in: bool) -> Agent | None: ...


class ShiftGate(Protocol):
    """What a login or logout means for the agent's shift (services.shifts)."""

    async def on_login(self, agent: Agent) -> str:
        """The pause reason to join the queues with ("": available at once)."""
        ...

    async def on_logout(self, agent: Agent) -> object: ...

    async def hold_reason(self, extension: str) -> str:
        """The pause reason the agent is held with now ("": not held)."""
        ...

    async def check_unpause(self, extension: str) -> None:
        """Raises AgentStateError while the agent may not take calls yet."""
        ...


@dataclasses.dataclass(frozen=True)
class LiveView:
    queues: list[QueueSnapshot]
    agents: list[AgentPresence]


class AgentControl:
    def __init__(
        self,
        queues: QueueControl,
        store: AgentStore,
        queue_defs: Mapping[str, QueueDef],
        pause_reasons: Sequence[str],
        service_level_seconds: float = 20.0,
        states: AgentStates | None = None,
        gate: ShiftGate | None = None,
        today: Callable[[], Awaitable[Mapping[str, QueueKpis]]] | None = None,
    ) -> None:
        self._today = today  # the event log's figures (the same as reports'), if kept
        self._queues = queues
        self._store = store
        self._defs = dict(queue_defs)
        self.pause_reasons = tuple(pause_reasons)
        self._threshold = service_level_seconds
        self.states = states
        self.gate = gate

    @property
    def queue_defs(self) -> Mapping[str, QueueDef]:
        """The queues as configured (queues.yaml): the directory's page shows them."""
        return self._defs

    async def agents(self) -> list[Agent]:
        return await self._store.list_agents()

    def use_gate(self, gate: ShiftGate) -> None:
        """Every login and logout passes ``gate`` from now on (the handoffs' rules)."""
        self.gate = gate

    # -- login / logout --------------------------------------------------------------

    async def login(self, agent: str) -> dict[str, int]:
        """The agent joins the queues their skills match; returns queue → penalty.
        Raises AgentStateError (no such agent, or no queue wants their skills)."""
        known = await self._agent(agent)
        wanted = wanted_queues(known.skills, self._defs)
        if not wanted:
            skills = ", ".join(known.skills) or "none"
            raise AgentStateError(f"agent {agent}: no queue wants their skills ({skills})")
        await self._store.set_agent_login(agent, True)
        hold = await self.gate.on_login(known) if self.gate else ""
        await self._apply(agent, wanted, await self._queues.status(), hold)
        log.info(
            "agent %s: logged in to %s%s",
            agent,
            _queues(wanted),
            f", held ({hold})" if hold else "",
        )
        if self.states and self.states.get(agent).status is AgentStatus.LOGGED_OUT:
            await self.states.apply(agent, AgentEvent.LOGIN)
        return wanted

    async def logout(self, agent: str) -> None:
        """Out of every queue; refused (AgentStateError) while the agent is on a call —
        never for what they leave behind (their tickets are handed to the team)."""
        known = await self._agent(agent)
        if self.states and self.states.get(agent).status is AgentStatus.ON_CALL:
            raise AgentStateError(f"agent {agent}: cannot log out while on a call")
        await self._store.set_agent_login(agent, False)
        await self._apply(agent, {}, await self._queues.status())
        log.info("agent %s: logged out of every queue", agent)
        if self.gate is not None:
            try:
                await self.gate.on_logout(known)
            except Exception:
                log.exception("agent %s: logged out, but their tickets were not handed over", agent)
        if self.states and self.states.get(agent).status is not AgentStatus.LOGGED_OUT:
            await self.states.apply(agent, AgentEvent.LOGOUT)

    async def phone_request(self, agent: str, request: str) -> str:
        """A feature code dialled on the agent's phone: ``login`` or ``logout``. Returns what
        the phone should hear: the request's name when done, else ``error``."""
        try:
            if request == "login":
                await self.login(agent)
            elif request == "logout":
                await self.logout(agent)
            else:
                raise AgentStateError(f"agent {agent}: unknown request {request!r}")
        except (AgentStateError, TelephonyError) as exc:
            log.warning("agent %s: %s from the phone refused: %s", agent, request, exc)
            return "error"
        return request

    async def _agent(self, agent: str) -> Agent:
        for known in await self._store.list_agents():
            if known.extension == agent:
                return known
        raise UnknownAgent(f"agent {agent}: no such agent")

    async def resync(self) -> list[MemberChange]:
        """Make app_queue's dynamic members match the store: logged-in agents in the queues
        their skills match, at the right penalty; nobody else. Returns what was changed."""
        snapshots = await self._queues.status()
        agents = {a.extension: a for a in await self._store.list_agents()}
        members = _memberships(snapshots, self._defs)
        changes: list[MemberChange] = []
        for ext in sorted(set(agents) | set(members)):
            agent = agents.get(ext)
            wanted = wanted_queues(agent.skills, self._defs) if agent and agent.logged_in else {}
            hold = await self.gate.hold_reason(ext) if self.gate and wanted else ""
            changes += await self._apply(ext, wanted, snapshots, hold)
        log.info(
            "queue members resynced with Asterisk: %d agents, %d change(s)%s",
            len(agents),
            len(changes),
            "".join(f"; {c}" for c in changes),
        )
        return changes

    async def _apply(
        self,
        agent: str,
        wanted: Mapping[str, int],
        snapshots: Sequence[QueueSnapshot],
        hold: str = "",
    ) -> list[MemberChange]:
        """Join, leave, re-penalise. ``hold``: a pause reason the agent must join with
        (they are offered no call between joining and being paused)."""
        actual = _memberships(snapshots, self._defs).get(agent, {})
        # A paused agent stays paused in the queues they join (same reason).
        pause = next(
            (m for s in snapshots for m in s.members if m.agent == agent and m.paused), None
        )
        changes = plan(agent, wanted, actual)
        reason = pause.pause_reason if pause else hold
        for change in changes:
            if isinstance(change, Join):
                await self._queues.join(agent, change.queue, change.penalty, bool(reason), reason)
            elif isinstance(change, Leave):
                await self._queues.leave(agent, change.queue)
            else:
                await self._queues.set_penalty(agent, change.queue, change.penalty)
        if hold and pause is None and actual and wanted:  # already in queues, available
            await self._queues.pause(agent, True, hold)
        return changes

    # -- pause -----------------------------------------------------------------------

    async def pause(self, agent: str, reason: str) -> None:
        if reason not in self.pause_reasons:
            allowed = ", ".join(self.pause_reasons)
            raise AgentStateError(f"reason: {reason!r} is not one of {allowed}", "reason")
        await self._logged_in(agent)
        await self._queues.pause(agent, True, reason)
        log.info("agent %s: paused (%s)", agent, reason)

    async def unpause(self, agent: str) -> None:
        """Available again; refused (AgentStateError) while their shift is held."""
        await self._logged_in(agent)
        if self.gate is not None:
            await self.gate.check_unpause(agent)
        await self._queues.pause(agent, False)
        log.info("agent %s: available", agent)

    async def _logged_in(self, agent: str) -> Agent:
        """The agent, known and logged in — checked before anything is sent to Asterisk
        (UnknownAgent: 404; logged out: AgentStateError, 409)."""
        known = await self._agent(agent)
        if not known.logged_in:
            raise AgentStateError(f"agent {agent}: logged out; log in before pausing")
        return known

    # -- live view -------------------------------------------------------------------

    async def presences(self, now: float | None = None) -> list[AgentPresence]:
        """Every agent's state across queues, as app_queue has it now."""
        now = time.time() if now is None else now
        snapshots = [self._with_wrap_up(s, now) for s in await self._queues.status()]
        agents = await self._store.list_agents()
        return presences(((a.extension, a.name, a.logged_in) for a in agents), snapshots)

    async def live(self, since: datetime, now: float | None = None) -> LiveView:
        """Every queue now, with today's figures (calls that ended since ``since``), and
        every agent's state across queues. ``now``: epoch seconds (for wrap-up)."""
        now = time.time() if now is None else now
        snapshots = [self._with_wrap_up(s, now) for s in await self._queues.status()]
        if self._today is not None:
            today = dict(await self._today())
        else:
            calls = await self._store.queue_calls_since(since)
            today = {q: kpis(c, self._threshold) for q, c in calls.items()}
        agents = await self._store.list_agents()
        return LiveView(
            queues=[
                dataclasses.replace(s, kpis=today.get(s.queue) or kpis((), self._threshold))
                for s in snapshots
            ],
            agents=presences(((a.extension, a.name, a.logged_in) for a in agents), snapshots),
        )

    def _with_wrap_up(self, snapshot: QueueSnapshot, now: float) -> QueueSnapshot:
        queue = self._defs.get(snapshot.queue)
        if queue is None or not queue.wrap_up:
            return snapshot
        members = tuple(
            dataclasses.replace(m, in_wrap_up=0 < now - m.last_call < queue.wrap_up)
            if m.last_call
            else m
            for m in snapshot.members
        )
        return dataclasses.replace(snapshot, members=members)


def _memberships(
    snapshots: Sequence[QueueSnapshot], defs: Mapping[str, QueueDef]
) -> dict[str, dict[str, int]]:
    """agent → queue → penalty, for dynamic members of our queues (static members of the
    fallback queue are queues.conf's business)."""
    out: dict[str, dict[str, int]] = {}
    for snapshot in snapshots:
        if snapshot.queue not in defs:
            continue
        for member in snapshot.members:
            if member.dynamic:
                out.setdefault(member.agent, {})[snapshot.queue] = member.penalty
    return out


def _queues(wanted: Mapping[str, int]) -> str:
    return ", ".join(f"{q} (penalty {p})" for q, p in sorted(wanted.items()))
