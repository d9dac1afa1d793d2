"""Queue calls on the ticket: when app_queue reports how a call ended — answered by an
agent (wait and talk), abandoned (how long they waited), or left unanswered to overflow
(timed out, queue full, no agents) — the call's interaction gets those figures. Keyed by the
caller's Uniqueid: a replayed event rewrites the same fields. A call that overflows and is
answered in the next queue keeps ``left_queue``/``left_status`` of the queue it left.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    CallerAbandoned,
    CallerLeftQueue,
    QueueEvent,
)
from callcenter.logs import call_id_var

log = logging.getLogger(__name__)


class CallUpdates(Protocol):
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any: ...


class QueueCallRecorder:
    def __init__(self, store: CallUpdates) -> None:
        self._store = store

    async def handle(self, event: QueueEvent) -> None:
        changes: dict[str, Any]
        if isinstance(event, AgentAnswered):
            changes = {"queue": event.queue, "agent": event.agent, "wait": event.hold_time}
        elif isinstance(event, AgentCallEnded):
            changes = {
                "queue": event.queue,
                "agent": event.agent,
                "wait": event.hold_time,
                "talk": event.talk_time,
                "queue_outcome": "answered",
                "ended_by": event.ended_by,
            }
        elif isinstance(event, CallerLeftQueue):
            changes = {
                "queue": event.queue,
                "wait": event.wait,
                "queue_outcome": event.status,
                "left_queue": event.queue,
                "left_status": event.status,
            }
        elif isinstance(event, CallerAbandoned):
            changes = {
                "queue": event.queue,
                "wait": event.hold_time,
                "queue_outcome": "abandoned",
                "position": event.position,
            }
        else:
            return
        token = call_id_var.set(event.call_id)
        try:
            if await self._store.update_call(event.call_id, changes) is None:
                log.warning("queue %s: call not on a ticket; %s", event.queue, changes)
        except Exception:
            log.exception("could not record the queue call")
        finally:
            call_id_var.reset(token)
