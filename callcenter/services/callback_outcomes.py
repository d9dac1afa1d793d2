"""What a callback's end leaves behind: its promise closed (kept or broken, with the
slack; the event written in the same transaction) and the outcome as an interaction on
the asking call's ticket — which exists only once that call has ended."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from callcenter.domain.callbacks import Callback
from callcenter.domain.promises import Promise, PromiseKind, closing
from callcenter.domain.tickets import Direction, InteractionKind, NewInteraction
from callcenter.domain.webhooks import Event
from callcenter.services.announcer import Announcer
from callcenter.services.callback_ports import CallbackStore, CallbackTickets

log = logging.getLogger(__name__)


class CallbackOutcomes:
    def __init__(
        self,
        store: CallbackStore,
        tickets: CallbackTickets,
        on_event: Callable[[str, Mapping[str, Any]], None],
    ) -> None:
        self._store = store
        self._tickets = tickets
        self._on_event = on_event

    async def close_promise(self, cb: Callback, at: datetime, served: bool, outcome: str) -> None:
        promise = await self._store.promise_for(PromiseKind.CALLBACK, cb.id)
        if promise is None:
            return
        closed = closing(promise, at, served, outcome)
        changes: dict[str, Any] = {"state": closed.state, "closed_at": at, "outcome": outcome[:200]}
        if promise.ticket_number is None and (ticket := await self.ticket(cb)) is not None:
            changes["ticket_number"] = ticket
        closed_event: Announcer[Promise] = Announcer(
            lambda p: [Event(f"promise.{p.state.value}", {"promise": p})]
        )
        stored = await self._store.update_promise(promise.id, changes, closed_event)
        log.info(
            "promise %d (callback %d): %s, slack %+.0f s",
            stored.id,
            cb.id,
            stored.state,
            stored.slack or 0.0,
        )
        closed_event.tell(self._on_event)

    async def ticket(self, cb: Callback) -> int | None:
        """The callback's ticket: the asking call's lands on one only when it ends."""
        if cb.ticket_number is not None or not cb.call_id:
            return cb.ticket_number
        try:
            return await self._tickets.call_ticket(cb.call_id)
        except Exception:
            log.exception("callback %d: ticket of call %s not found", cb.id, cb.call_id)
            return None

    async def note(self, cb: Callback, body: str, talk: float) -> None:
        ticket = await self.ticket(cb)
        if ticket is None:
            log.warning("callback %d: on no ticket (call %s)", cb.id, cb.call_id or "none")
            return
        try:
            await self._tickets.append_interaction(
                ticket,
                NewInteraction(
                    kind=InteractionKind.CALLBACK,
                    direction=Direction.OUTBOUND,
                    body=body,
                    author=cb.agent,
                    source="asterisk",
                    source_id=cb.placeholder,
                    linked_id=cb.call_id,
                    data={
                        "callback_id": cb.id,
                        "number": cb.number,
                        "attempts": cb.attempts,
                        "outcome": cb.outcome,
                        "agent": cb.agent,
                        "talk": round(talk, 1),
                    },
                ),
            )
        except Exception:
            log.exception("callback %d: outcome not written to ticket %s", cb.id, cb.ticket_number)
