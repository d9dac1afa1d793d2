"""Screen pop: when app_queue rings an agent, their desk page learns who is calling —
before they pick up — and follows the call through answer and hang-up.

Contract: :meth:`ScreenPop.handle` never raises (a page that cannot be reached must not
disturb the call); each pop is logged with its latency from the AMI event; one agent's
messages reach their page in the order the AMI events came (each event is handled in a task
of its own, and a slow ticket lookup for "answered" must not let "ended" overtake it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

from callcenter.domain.contacts import InvalidContact
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentEvent,
    AgentRinging,
    AgentRingStopped,
    CallerAbandoned,
    QueueEvent,
)
from callcenter.domain.tickets import CallerHistory
from callcenter.logs import call_id_var
from callcenter.services.lanes import Lanes
from callcenter.services.ports import CallLog, TicketStore

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Pop:
    """What the agent's page shows while the phone rings."""

    call_id: str
    queue: str
    caller: str
    history: CallerHistory | None  # None: the caller id is no phone number (withheld)
    ivr_path: tuple[Mapping[str, str], ...]
    flow: str


@dataclasses.dataclass(frozen=True)
class DeskMessage:
    """One message to an agent's desk: ``kind`` is ringing, answered, ring_stopped, ended,
    presence or transcript (a live line, in ``line``); ``pop`` comes with ringing;
    ``ticket`` (the call's ticket number) with answered and ended when the call is on one;
    ``presence`` (the agent's state, e.g. paused, and ``reason``) with presence."""

    kind: str
    call_id: str
    queue: str
    pop: Pop | None = None
    ticket: int | None = None
    times: Mapping[str, float] = dataclasses.field(default_factory=dict)
    presence: str = ""
    reason: str = ""
    # transcript: a live line (speaker, text, final, start, end seconds into the stream)
    line: Mapping[str, object] | None = None


class AgentDesks(Protocol):
    """Agents' open desk pages (the HTTP edge's websockets)."""

    async def publish(self, agent: str, message: DeskMessage) -> int:
        """Send to every page open for ``agent``; returns how many got it."""
        ...

    def pages(self, agent: str) -> int:
        """How many desk pages ``agent`` has open now."""
        ...


class CallTickets(Protocol):
    async def call_ticket(self, call_id: str) -> int | None: ...


class ScreenPop:
    def __init__(
        self, tickets: TicketStore, call_tickets: CallTickets, call_log: CallLog, desks: AgentDesks
    ) -> None:
        self._tickets = tickets
        self._call_tickets = call_tickets
        self._calls = call_log
        self._desks = desks
        self._lanes = Lanes()

    async def handle(self, event: QueueEvent, received: float | None = None) -> None:
        """``received``: ``time.monotonic()`` when the AMI event arrived (for latency).

        Start these in the order the events came: each agent's are then carried out one
        after the other, in that order."""
        if isinstance(event, AgentEvent) and not self._desks.pages(event.agent):
            # Nobody to show it to: no lookups (two store reads per agent rung, the caller's
            # history the heavier; a queue ringing all its free agents multiplies them).
            return
        token = call_id_var.set(event.call_id)
        try:
            key = event.agent if isinstance(event, AgentEvent) else f"call:{event.call_id}"
            when = received if received is not None else time.monotonic()
            await self._lanes.run(key, self._handle(event, when))
        except Exception:
            log.exception("screen pop failed for %s", type(event).__name__)
        finally:
            call_id_var.reset(token)

    async def _history(self, caller: str) -> CallerHistory | None:
        try:
            return await self._tickets.lookup(phone=caller)
        except InvalidContact:
            return None

    async def _call_ticket(self, call_id: str) -> int | None:
        # The page must leave "on call" even when the store is busy: no ticket number then.
        try:
            return await self._call_tickets.call_ticket(call_id)
        except Exception:
            log.exception("could not look up the call's ticket")
            return None

    async def _handle(self, event: QueueEvent, received: float) -> None:
        if isinstance(event, AgentRinging):
            pop = await self.pop(event)
            reached = await self._desks.publish(
                event.agent, DeskMessage("ringing", event.call_id, event.queue, pop=pop)
            )
            log.info(
                "screen pop to %s (%d page(s)) %.1f ms after AgentCalled",
                event.agent,
                reached,
                (time.monotonic() - received) * 1000,
            )
        elif isinstance(event, AgentAnswered | AgentCallEnded):
            # Both name the call's ticket: on answer the one to work on, at the end the
            # one wrap-up writes to.
            ticket = await self._call_ticket(event.call_id)
            if isinstance(event, AgentAnswered):
                kind, times = "answered", {"hold": event.hold_time, "ring": event.ring_time}
            else:
                kind, times = "ended", {"hold": event.hold_time, "talk": event.talk_time}
            await self._desks.publish(
                event.agent,
                DeskMessage(kind, event.call_id, event.queue, ticket=ticket, times=times),
            )
        elif isinstance(event, AgentRingStopped):
            await self._desks.publish(
                event.agent, DeskMessage("ring_stopped", event.call_id, event.queue)
            )
        elif isinstance(event, CallerAbandoned):
            log.info("caller abandoned %s after %.0f s", event.queue, event.hold_time)

    async def pop(self, event: AgentRinging) -> Pop:
        # The call's IVR path and the caller's history side by side (two database threads):
        # the pop waits for the slower, not for both in turn.
        record, history = await asyncio.gather(
            self._calls.get(event.call_id), self._history(event.caller)
        )
        return Pop(
            call_id=event.call_id,
            queue=event.queue,
            caller=event.caller,
            history=history,
            ivr_path=record.ivr_path if record else (),
            flow=record.flow if record else "",
        )


def desk_json(message: DeskMessage, to_json: Any) -> dict[str, Any]:
    """Helper for edges: the message as JSON-ready dict (``to_json`` serialises history)."""
    out: dict[str, Any] = {
        "kind": message.kind,
        "call_id": message.call_id,
        "queue": message.queue,
        "ticket": message.ticket,
        "times": dict(message.times),
    }
    if message.presence:
        out["presence"] = {"state": message.presence, "reason": message.reason}
    if message.line is not None:
        out["line"] = dict(message.line)
    if message.pop is not None:
        p = message.pop
        out["pop"] = {
            "caller": p.caller,
            "history": to_json(p.history) if p.history else None,
            "ivr_path": [dict(step) for step in p.ivr_path],
            "flow": p.flow,
        }
    return out
