"""Each agent's state as the contact center sees it, moved by the rules of
:mod:`callcenter.domain.agents`, every transition logged and shown on the agent's desk page.

Events come from app_queue (ringing, answered, no answer, hung up, paused/unpaused —
also from the phone's feature codes, which never pass through us) and from our own login
and logout. Wrap-up ends on a timer. app_queue stays the truth: :meth:`AgentStates.sync`
takes its view (after every resync) and logs where ours had drifted. An event the rules
refuse is logged and changes nothing; the next sync puts the state right.

Contract: no method raises (a desk page that cannot be reached must not disturb anything).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta

from callcenter.domain.agents import (
    AgentEvent,
    AgentState,
    AgentStateError,
    AgentStatus,
    transition,
)
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    AgentRingStopped,
    MemberPaused,
    QueueEvent,
)
from callcenter.domain.queue_view import AgentPresence
from callcenter.services.screen_pop import AgentDesks, DeskMessage

log = logging.getLogger(__name__)

_FROM_VIEW = {
    "logged_out": AgentStatus.LOGGED_OUT,
    "available": AgentStatus.AVAILABLE,
    "unavailable": AgentStatus.AVAILABLE,  # logged in, phone not registered
    "ringing": AgentStatus.RINGING,
    "on_call": AgentStatus.ON_CALL,
    "wrap_up": AgentStatus.WRAP_UP,
    "paused": AgentStatus.PAUSED,
}


class AgentStates:
    def __init__(
        self,
        desks: AgentDesks,
        defs: Mapping[str, QueueDef],
        now: Callable[[], datetime],
        changed: Callable[[AgentState, AgentState, str], Awaitable[None]] | None = None,
    ) -> None:
        self._changed = changed  # the event log's writer: every transition kept
        self._desks = desks
        self._defs = dict(defs)
        self._now = now
        self._states: dict[str, AgentState] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[AgentState]] = set()
        self._unreachable: set[str] = set()  # logged in, their phone not registered

    def get(self, agent: str) -> AgentState:
        return self._states.get(agent, AgentState(agent))

    def counts(self) -> dict[str, int]:
        """How many agents are in each state (every state named, zero included)."""
        counts = {status.value: 0 for status in AgentStatus}
        for state in self._states.values():
            counts[state.status.value] += 1
        return counts

    def talking_for(self, agent: str) -> float | None:
        """Seconds the agent has been on their current call; None if not on one (or we
        only learnt it from a sync, which does not say since when)."""
        state = self._states.get(agent)
        if state is None or state.status is not AgentStatus.ON_CALL or state.since is None:
            return None
        return (self._now() - state.since).total_seconds()

    async def apply(
        self, agent: str, event: AgentEvent, reason: str = "", wrap_up: float = 0.0
    ) -> AgentState:
        """Move ``agent`` by ``event``; the state after it (unchanged if refused)."""
        before = self.get(agent)
        # app_queue reports a pause once per queue: the first report did it.
        still_wrapping = before.wrap_up_until is not None and before.wrap_up_until > self._now()
        unpaused = (AgentStatus.AVAILABLE,) + ((AgentStatus.WRAP_UP,) if still_wrapping else ())
        repeated = (event is AgentEvent.UNPAUSE and before.status in unpaused) or (
            event is AgentEvent.PAUSE
            and before.status is AgentStatus.PAUSED
            and before.pause_reason == reason
        )
        if repeated:
            return before
        try:
            after = transition(before, event, self._now(), reason, timedelta(seconds=wrap_up))
        except AgentStateError as exc:
            log.warning("%s; keeping %s until app_queue says otherwise", exc, before.status)
            return before
        await self._enter(before, after, event.value)
        return after

    async def handle(self, event: QueueEvent | MemberPaused) -> None:
        """app_queue's word about an agent (queue events that name none are ignored)."""
        try:
            if isinstance(event, AgentRinging):
                await self.apply(event.agent, AgentEvent.RING)
            elif isinstance(event, AgentAnswered):
                await self.apply(event.agent, AgentEvent.ANSWER)
            elif isinstance(event, AgentRingStopped):
                if self.get(event.agent).status is AgentStatus.RINGING:
                    await self.apply(event.agent, AgentEvent.NO_ANSWER)
            elif isinstance(event, AgentCallEnded):
                queue = self._defs.get(event.queue)
                wrap_up = float(queue.wrap_up) if queue else 0.0
                await self.apply(event.agent, AgentEvent.HANGUP, wrap_up=wrap_up)
            elif isinstance(event, MemberPaused):
                kind = AgentEvent.PAUSE if event.paused else AgentEvent.UNPAUSE
                if self.get(event.agent).status is not AgentStatus.LOGGED_OUT:
                    await self.apply(event.agent, kind, event.reason)
        except Exception:
            log.exception("agent state not updated for %s", type(event).__name__)

    def paused_for(self) -> list[tuple[str, str, float]]:
        """(agent, reason, seconds) of every agent paused now."""
        now = self._now()
        return [
            (a, s.pause_reason, (now - s.since).total_seconds())
            for a, s in self._states.items()
            if s.status is AgentStatus.PAUSED and s.since is not None
        ]

    def board_state(self, agent: str) -> str:
        """The agent's state in the board's word: an agent logged in whose phone is not
        registered is ``unavailable`` there, and so on the desk."""
        status = self.get(agent).status
        if status is AgentStatus.AVAILABLE and agent in self._unreachable:
            return "unavailable"
        return status.value

    async def reachable(self, agent: str, reachable: bool) -> None:
        """The agent's phone registered or went away: the desk says what the board says."""
        if reachable != (agent in self._unreachable):
            return
        (self._unreachable.discard if reachable else self._unreachable.add)(agent)
        log.info("agent %s: phone %s", agent, "reachable" if reachable else "unreachable")
        await self._publish(self.get(agent))

    async def sync(self, view: Iterable[AgentPresence]) -> None:
        """Adopt app_queue's view (the board's presences) where ours differs."""
        for presence in view:
            status = _FROM_VIEW.get(presence.state, AgentStatus.AVAILABLE)
            before = self.get(presence.agent)
            if presence.state != "logged_out":
                await self.reachable(presence.agent, presence.reachable)
            if before.status is status and before.pause_reason == presence.pause_reason:
                continue
            after = AgentState(
                presence.agent,
                status,
                None if status is AgentStatus.ON_CALL else self._now(),
                presence.pause_reason if status is AgentStatus.PAUSED else "",
                before.wrap_up_until if status is AgentStatus.WRAP_UP else None,
            )
            await self._enter(before, after, "app_queue")

    async def _enter(self, before: AgentState, after: AgentState, why: str) -> None:
        agent = after.extension
        self._states[agent] = after
        timer = self._timers.pop(agent, None)
        if timer is not None:
            timer.cancel()
        if after.status is AgentStatus.WRAP_UP and after.wrap_up_until is not None:
            delay = max(0.0, (after.wrap_up_until - self._now()).total_seconds())
            self._timers[agent] = asyncio.get_running_loop().call_later(
                delay, self._wrap_up_over, agent
            )
        reason = f" ({after.pause_reason})" if after.pause_reason else ""
        log.info("agent %s: %s → %s%s (%s)", agent, before.status, after.status, reason, why)
        if self._changed is not None:
            try:
                await self._changed(before, after, why)
            except Exception:
                log.exception("agent %s: the change was not logged", agent)
        await self._publish(after)

    async def _publish(self, state: AgentState) -> None:
        """The desk hears the agent's state in the board's word."""
        agent = state.extension
        try:
            word = self.board_state(agent)
            message = DeskMessage("presence", "", "", presence=word, reason=state.pause_reason)
            await self._desks.publish(agent, message)
        except Exception:
            log.exception("agent %s: the desk did not get the new state", agent)

    def _wrap_up_over(self, agent: str) -> None:
        self._timers.pop(agent, None)
        task = asyncio.ensure_future(self.apply(agent, AgentEvent.WRAP_UP_OVER))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
