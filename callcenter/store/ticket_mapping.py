"""Rows ⇄ domain objects, and the opaque cursors of paginated lists."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, datetime

from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import (
    Agent,
    Channel,
    Customer,
    Direction,
    Interaction,
    InteractionKind,
    Priority,
    Ticket,
    TicketRuleError,
    TicketStatus,
)
from callcenter.store.db import as_utc
from callcenter.store.models import (
    AgentRow,
    ContactPointRow,
    CustomerRow,
    InteractionRow,
    TicketRow,
)


def utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def customer(row: CustomerRow, contacts: Sequence[ContactPointRow] | None = None) -> Customer:
    points = row.contacts if contacts is None else contacts
    return Customer(
        id=row.id,
        name=row.name,
        contacts=tuple(ContactPoint(ContactKind(c.kind), c.value) for c in points),
        created_at=as_utc(row.created_at),
        merged_into=row.merged_into_id,
    )


def agent(row: AgentRow) -> Agent:
    return Agent(row.id, row.name, row.extension, tuple(row.skills or ()), row.team, row.logged_in)


def ticket(
    row: TicketRow, assignee: str | None = None, tags: tuple[str, ...] | None = None
) -> Ticket:
    """From an ORM row, or from a Core row with ``assignee`` and ``tags`` given."""
    if assignee is None:
        assignee = row.assignee.extension if row.assignee else ""
    if tags is None:
        tags = tuple(t.name for t in row.tags)
    return Ticket(
        number=row.id,
        subject=row.subject,
        status=TicketStatus(row.status),
        priority=Priority(row.priority),
        channel=Channel(row.channel),
        customer_id=row.customer_id,
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
        queue=row.queue,
        assignee=assignee,
        tags=tags,
        due_at=utc(row.due_at),
        first_response_at=utc(row.first_response_at),
        resolved_at=utc(row.resolved_at),
        caller_ambiguous=row.caller_ambiguous,
    )


def interaction(row: InteractionRow) -> Interaction:
    return Interaction(
        id=row.id,
        ticket_number=row.ticket_id,
        customer_id=row.customer_id,
        kind=InteractionKind(row.kind),
        direction=Direction(row.direction),
        occurred_at=as_utc(row.occurred_at),
        body=row.body,
        author=row.author,
        source=row.source,
        source_id=row.source_id or "",
        linked_id=row.linked_id,
        data=dict(row.data or {}),
    )


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id to continue below, or None for the first page; a forged cursor is an error."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "id" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise TicketRuleError("cursor", "not a cursor this API gave out")
