"""Queue calls on the ticket: when app_queue reports how a call ended — answered by an
agent (wait and talk), abandoned (how long they waited), or left unanswered to overflow
(timed out, queue full, no agents) — the call's interaction gets those figures. Keyed by the
caller's Uniqueid: a replayed event rewrites the same fields. A call that overflows and is
answered in the next queue keeps ``left_queue``/``left_status`` of the queue it left.

The interaction is written when the call ends, and app_queue's last word (AgentComplete)
races that: figures for a call not yet on its ticket are held and written when the call
lands there (``call.ended``). Looked at once more after holding them, so a call landing
between the two looks is not missed; writing the same figures twice changes nothing.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
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

UNIQUEID = re.compile(r"\d+\.\d+$")  # a channel's Uniqueid (a node's name may prefix it)
HELD_CALLS = 1000  # calls whose figures wait for their ticket; beyond, the oldest are dropped


class CallUpdates(Protocol):
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any: ...


class QueueCallRecorder:
    def __init__(self, store: CallUpdates, held_calls: int = HELD_CALLS) -> None:
        self._store = store
        self._held: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._held_calls = held_calls

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
            await self._write(event.call_id, changes)
        except Exception:
            log.exception("could not record the queue call")
        finally:
            call_id_var.reset(token)

    async def _write(self, call_id: str, changes: dict[str, Any]) -> None:
        if call_id in self._held:  # not on its ticket yet: keep the order of the figures
            self._hold(call_id, changes)
            return
        if await self._store.update_call(call_id, changes) is not None:
            return
        if not UNIQUEID.search(call_id):  # a callback's placeholder: never on a ticket
            log.debug("queue figures of %s kept nowhere: %s", call_id, changes)
            return
        self._hold(call_id, changes)
        held = self._held.get(call_id)
        if held is not None and await self._store.update_call(call_id, held) is not None:
            self._held.pop(call_id, None)  # it landed meanwhile
            return
        log.info("queue figures held until the call is on its ticket: %s", changes)

    def _hold(self, call_id: str, changes: dict[str, Any]) -> None:
        self._held[call_id] = {**self._held.get(call_id, {}), **changes}
        while len(self._held) > self._held_calls:
            dropped, figures = self._held.popitem(last=False)
            log.warning(
                "call %s never reached its ticket; queue figures lost: %s", dropped, figures
            )

    async def call_on_ticket(self, event: Mapping[str, Any]) -> None:
        """``call.ended``: the call's interaction is written; the figures held go there."""
        call_id = str(event.get("call_id", ""))
        held = self._held.pop(call_id, None)
        if held is None:
            return
        token = call_id_var.set(call_id)
        try:
            if await self._store.update_call(call_id, held) is None:
                log.warning("queue figures of a call not on its ticket after all: %s", held)
            else:
                log.info("queue figures held for the call written: %s", held)
        finally:
            call_id_var.reset(token)
