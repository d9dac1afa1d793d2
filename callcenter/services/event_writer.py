"""What the daemon sees happen, written to the event log: app_queue's events and agents'
state changes become :class:`LoggedEvent` and are appended in the order they came, many
to a transaction (one writer task: a call's answer is never written after its end).

Contract: :meth:`EventWriter.add` never blocks nor raises; a batch that cannot be written
is retried (its keys make a retry idempotent) and logged, never dropped silently while
the writer runs; :meth:`close` writes what is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.domain.agents import AgentState
from callcenter.domain.event_log import LoggedEvent
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    AgentRingStopped,
    CallerAbandoned,
    CallerLeftQueue,
    CallerQueued,
)
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)
BATCH = 500


class EventLogPort(Protocol):
    async def append(self, events: Sequence[LoggedEvent]) -> int: ...


def logged(event: object, at: datetime) -> LoggedEvent | None:
    """A typed queue event as the log keeps it (None: not one the log keeps)."""
    if isinstance(event, CallerQueued):
        data = {"position": event.position, "caller": event.caller}
        return LoggedEvent("call.queued", at, event.call_id, event.queue, "", data)
    if isinstance(event, AgentRinging):
        return LoggedEvent("agent.rung", at, event.call_id, event.queue, event.agent)
    if isinstance(event, AgentRingStopped):
        return LoggedEvent("agent.not_answered", at, event.call_id, event.queue, event.agent)
    if isinstance(event, AgentAnswered):
        data = {"wait": event.hold_time, "ring": event.ring_time}
        return LoggedEvent("call.answered", at, event.call_id, event.queue, event.agent, data)
    if isinstance(event, AgentCallEnded):
        ended_by = "transfer" if event.ended_by == "transfer" else event.ended_by
        data = {"wait": event.hold_time, "talk": event.talk_time, "ended_by": ended_by}
        return LoggedEvent("call.completed", at, event.call_id, event.queue, event.agent, data)
    if isinstance(event, CallerAbandoned):
        data = {"position": event.position, "wait": event.hold_time}
        return LoggedEvent("call.abandoned", at, event.call_id, event.queue, "", data)
    if isinstance(event, CallerLeftQueue):
        data = {"status": event.status, "wait": event.wait}
        return LoggedEvent("call.overflowed", at, event.call_id, event.queue, "", data)
    return None


def state_change(before: AgentState, after: AgentState, why: str, at: datetime) -> LoggedEvent:
    """An agent's state change (login, logout, pause with its reason, wrap-up…)."""
    seconds = (at - before.since).total_seconds() if before.since else 0.0
    data = {
        "from": before.status.value,
        "to": after.status.value,
        "reason": after.pause_reason,
        "why": why,
        "seconds": round(max(0.0, seconds), 3),
    }
    return LoggedEvent("agent.state", at, "", "", after.extension, data)


class EventWriter:
    def __init__(self, log_port: EventLogPort, clock: Clock) -> None:
        self._port = log_port
        self._clock = clock
        self._pending: asyncio.Queue[LoggedEvent] = asyncio.Queue()
        self.written = 0

    def add(self, event: LoggedEvent | None) -> None:
        if event is not None:
            self._pending.put_nowait(event)

    def queue_event(self, event: object, _received: float) -> None:
        """An AMI router handler: the event as it arrived, stamped now."""
        self.add(logged(event, self._clock.now()))

    async def agent_changed(self, before: AgentState, after: AgentState, why: str) -> None:
        self.add(state_change(before, after, why, self._clock.now()))

    async def run(self) -> None:
        while True:
            batch = [await self._pending.get()]
            while len(batch) < BATCH and not self._pending.empty():
                batch.append(self._pending.get_nowait())
            await self._write(batch)

    async def _write(self, batch: list[LoggedEvent]) -> None:
        delay = 0.5
        while True:
            try:
                self.written += await self._port.append(batch)
                return
            except Exception:
                log.exception("event log: %d events not written; retrying", len(batch))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def close(self) -> None:
        """Write what is still pending (the daemon is stopping)."""
        batch: list[LoggedEvent] = []
        while not self._pending.empty():
            batch.append(self._pending.get_nowait())
        if batch:
            try:
                self.written += await self._port.append(batch)
            except Exception:
                log.exception("event log: %d events lost at stop", len(batch))
