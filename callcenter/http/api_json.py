"""Domain objects → JSON-ready dicts (the shapes the OpenAPI document describes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callcenter.domain.surveys import shown
from callcenter.domain.tickets import (
    CallerHistory,
    Customer,
    Handoff,
    Interaction,
    Page,
    Ticket,
    TicketView,
)


def iso_time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def customer(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "contacts": [{"kind": p.kind.value, "value": p.value} for p in c.contacts],
        "created_at": iso_time(c.created_at),
        "merged_into": c.merged_into,
    }


def ticket(t: Ticket) -> dict[str, Any]:
    return {
        "number": t.number,
        "subject": t.subject,
        "status": t.status.value,
        "priority": t.priority.value,
        "channel": t.channel.value,
        "customer_id": t.customer_id,
        "queue": t.queue,
        "assignee": t.assignee,
        "tags": list(t.tags),
        "due_at": iso_time(t.due_at),
        "first_response_at": iso_time(t.first_response_at),
        "resolved_at": iso_time(t.resolved_at),
        "created_at": iso_time(t.created_at),
        "updated_at": iso_time(t.updated_at),
        "caller_ambiguous": t.caller_ambiguous,
    }


def interaction(i: Interaction) -> dict[str, Any]:
    return {
        "id": i.id,
        "ticket_number": i.ticket_number,
        "customer_id": i.customer_id,
        "kind": i.kind.value,
        "direction": i.direction.value,
        "occurred_at": iso_time(i.occurred_at),
        "body": i.body,
        "author": i.author,
        "source": i.source,
        "source_id": i.source_id,
        "linked_id": i.linked_id,
        "data": shown(i.data),  # a caller's survey only once a supervisor reviewed it
    }


def ticket_view(v: TicketView) -> dict[str, Any]:
    return {"ticket": ticket(v.ticket), "timeline": [interaction(i) for i in v.timeline]}


def handoff(h: Handoff) -> dict[str, Any]:
    return {"ticket": ticket(h.ticket), "note": interaction(h.note) if h.note else None}


def history(h: CallerHistory) -> dict[str, Any]:
    return {
        "phone": h.phone,
        "customer": customer(h.customer) if h.customer else None,
        "open_tickets": [ticket(t) for t in h.open_tickets],
        "recent": [interaction(i) for i in h.recent],
        "ambiguous": h.ambiguous,
        "candidates": list(h.candidates),
        "handoff_notes": [interaction(i) for i in h.handoff_notes],
    }


def page(p: Page[Any], item: Any) -> dict[str, Any]:
    return {"items": [item(i) for i in p.items], "next_cursor": p.next_cursor}
