"""Calls and voicemails onto tickets, inside the ticket store's transaction: the caller
matched to a customer (a new one if unknown, none if ambiguous or withheld), the contact
joining their open ticket active within the window, else opening one; idempotent on the
call's Uniqueid or the message's key."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from callcenter.domain.contacts import (
    ContactKind,
    ContactPoint,
    caller_number,
)
from callcenter.domain.tickets import (
    CallSummary,
    Channel,
    Direction,
    Interaction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
    TicketRuleError,
    VoicemailSummary,
    call_subject,
    joins_open_ticket,
    voicemail_subject,
)
from callcenter.store.customer_repo import CustomerRepo
from callcenter.store.history_query import open_tickets
from callcenter.store.outbox import Announce, write_events
from callcenter.store.ticket_repo import TicketRepo

log = logging.getLogger(__name__)


class CallTickets:
    def __init__(self, region: str, window: timedelta, now: Callable[[], datetime]) -> None:
        self.region = region
        self._window = window
        self._now = now

    def record_call(
        self,
        c: CustomerRepo,
        t: TicketRepo,
        call: CallSummary,
        announce: Announce[Interaction] | None = None,
    ) -> Interaction:
        known = t.by_source("asterisk", call.call_id)
        if known is not None:
            return known  # replayed: the call is on its ticket already
        now = self._now()
        _number, ids, joined = self._caller_ticket(
            c, t, call.caller, lambda n: call_subject(call, n), call.queue, now
        )
        data = {
            "dialed": call.dialed,
            "caller_id": call.caller,
            "outcome": call.outcome,
            "queue": call.queue,
            "detail": call.detail,
            "flow": call.flow,
            "ivr_path": [dict(step) for step in call.ivr_path],
            "started_at": call.started_at.isoformat(),
            "ended_at": call.ended_at.isoformat(),
            "duration": round((call.ended_at - call.started_at).total_seconds(), 3),
            "wait": None,
            "talk": None,
            "agent": "",
            "recording": None,
            "transcript": None,
            "candidates": list(ids) if len(ids) > 1 else [],
        }
        interaction, _created = t.append(
            joined,
            NewInteraction(
                kind=InteractionKind.CALL,
                direction=Direction.INBOUND,
                source="asterisk",
                source_id=call.call_id,
                linked_id=call.linked_id,
                occurred_at=call.started_at,
                data=data,
            ),
            now,
        )
        if announce is not None:
            write_events(c.s, announce(interaction))
        return interaction

    def record_voicemail(
        self, c: CustomerRepo, t: TicketRepo, message: VoicemailSummary
    ) -> Interaction:
        known = t.by_source("voicemail", message.key)
        if known is not None:
            return known
        now = self._now()
        _number, ids, joined = self._caller_ticket(
            c, t, message.caller, lambda n: voicemail_subject(message, n), message.queue, now
        )
        interaction, _created = t.append(
            joined,
            NewInteraction(
                kind=InteractionKind.VOICEMAIL,
                direction=Direction.INBOUND,
                source="voicemail",
                source_id=message.key,
                linked_id=message.call_id,
                occurred_at=message.received_at,
                data={**message.data, "candidates": list(ids) if len(ids) > 1 else []},
            ),
            now,
        )
        return interaction

    def _caller_ticket(
        self,
        c: CustomerRepo,
        t: TicketRepo,
        caller: str,
        subject: Callable[[str | None], str],
        queue: str,
        now: datetime,
    ) -> tuple[str | None, list[int], int]:
        """The caller's customer (a new one if unknown, none if ambiguous or withheld) and
        the ticket a contact from them joins: their open ticket active within the window,
        else a new one. Returns (E.164 number, matching customers, ticket number)."""
        number = caller_number(caller, self.region)
        ids = c.match_phone(number) if number else []
        customer_id: int | None = ids[0] if len(ids) == 1 else None
        if number and not ids:
            try:
                customer_id = c.create(
                    NewCustomer(f"Caller {number}", (ContactPoint(ContactKind.PHONE, number),)),
                    now,
                ).id
            except TicketRuleError:
                # Another call from this new number created the customer a moment ago
                # (SQLite reads outside a write lock): it is that customer.
                ids = c.match_phone(number)
                customer_id = ids[0] if len(ids) == 1 else None
        joined = None
        if customer_id is not None:
            joined = next(
                (
                    open_ticket.number
                    for open_ticket in open_tickets(c.s.connection(), customer_id)
                    if joins_open_ticket(open_ticket.updated_at, now, self._window)
                ),
                None,
            )
        if joined is None:
            new = NewTicket(subject(number), customer_id, channel=Channel.PHONE, queue=queue)
            joined = t.create(new, now, ambiguous=len(ids) > 1).id
            if len(ids) > 1:
                log.warning(
                    "caller %s matches customers %s: ticket %d flagged", number, ids, joined
                )
        return number, ids, joined
