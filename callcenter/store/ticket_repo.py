"""Tickets, their timeline and handoff notes inside one session (the caller owns the
transaction). Rules come from ``callcenter.domain.tickets``; this module applies them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload

from callcenter.domain.tickets import (
    OPEN_STATUSES,
    Direction,
    Handoff,
    Interaction,
    InteractionKind,
    NewInteraction,
    NewTicket,
    NotFound,
    Page,
    Ticket,
    TicketChanges,
    TicketRuleError,
    TicketStatus,
    TicketView,
    check_status_change,
    is_first_response,
)
from callcenter.store import ticket_mapping as m
from callcenter.store.customer_repo import CustomerRepo
from callcenter.store.models import (
    AgentRow,
    InteractionRow,
    ShiftHandoffRow,
    TagRow,
    TicketRow,
)
from callcenter.store.search import index_interaction
from callcenter.store.ticket_tags import tag_rows, tags_put

TIMELINE_LIMIT = 500


def _ticket_query() -> Select[TicketRow]:
    return select(TicketRow).options(selectinload(TicketRow.tags), selectinload(TicketRow.assignee))


class TicketRepo:
    def __init__(self, session: Session, customers: CustomerRepo) -> None:
        self.s = session
        self.customers = customers

    def row(self, number: int) -> TicketRow:
        row: TicketRow | None = self.s.scalar(_ticket_query().where(TicketRow.id == number))
        if row is None:
            raise NotFound(f"ticket: no ticket {number}")
        return row

    def agent(self, extension: str, field: str = "assignee") -> AgentRow:
        row = self.s.scalar(select(AgentRow).where(AgentRow.extension == extension))
        if row is None:
            raise TicketRuleError(field, f"no agent with extension {extension!r}")
        return row

    def tags(self, names: Sequence[str], kept: Collection[str] = ()) -> list[TagRow]:
        return tag_rows(self.s, names, kept)

    def create(self, new: NewTicket, now: datetime, ambiguous: bool = False) -> TicketRow:
        if new.customer_id is not None:
            self.customers.live_row(new.customer_id)
        row = TicketRow(
            subject=new.subject,
            status=TicketStatus.NEW.value,
            priority=new.priority.value,
            channel=new.channel.value,
            customer_id=new.customer_id,
            queue=new.queue,
            assignee=self.agent(new.assignee) if new.assignee else None,
            created_at=now,
            updated_at=now,
            due_at=new.due_at,
            caller_ambiguous=ambiguous,
        )
        row.tags = self.tags(new.tags)
        self.s.add(row)
        self.s.flush()
        tags_put(self.s, row, [t.name for t in row.tags], now)
        return row

    def update(self, number: int, changes: TicketChanges, now: datetime) -> Ticket:
        row = self.row(number)
        if changes.status is not None:
            current = TicketStatus(row.status)
            check_status_change(current, changes.status)
            row.status = changes.status.value
            if changes.status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
                row.resolved_at = row.resolved_at or now
            else:
                row.resolved_at = None
        if changes.priority is not None:
            row.priority = changes.priority.value
        if changes.assignee is not None:
            row.assignee = self.agent(changes.assignee) if changes.assignee else None
        if changes.tags is not None:
            before = {t.name for t in row.tags}
            row.tags = self.tags(changes.tags, kept=before)
            tags_put(self.s, row, [t.name for t in row.tags if t.name not in before], now)
        if changes.customer_id is not None:
            customer = self.customers.live_row(changes.customer_id)
            row.customer_id = customer.id
            row.caller_ambiguous = False  # a human has decided who called
            self.s.flush()
            self.s.execute(
                update(InteractionRow)
                .where(InteractionRow.ticket_id == row.id)
                .values(customer_id=customer.id)
            )
        if changes.subject is not None:
            row.subject = changes.subject
        if changes.due_at is not None:
            row.due_at = changes.due_at
        row.updated_at = now
        self.s.flush()
        return m.ticket(row)

    def list_page(
        self,
        limit: int,
        cursor: str | None,
        status: Sequence[TicketStatus] = (),
        customer_id: int | None = None,
        assignee: str | None = None,
        tag: str | None = None,
        queue: str | None = None,
    ) -> Page[Ticket]:
        query = _ticket_query()
        if status:
            query = query.where(TicketRow.status.in_([s.value for s in status]))
        if customer_id is not None:
            query = query.where(TicketRow.customer_id == customer_id)
        if assignee is not None:
            query = query.join(TicketRow.assignee).where(AgentRow.extension == assignee)
        if tag is not None:
            query = query.where(TicketRow.tags.any(TagRow.name == tag.lower()))
        if queue is not None:
            query = query.where(TicketRow.queue == queue)
        after = m.decode_cursor(cursor)
        if after is not None:
            query = query.where(TicketRow.id < after)
        rows = list(self.s.scalars(query.order_by(TicketRow.id.desc()).limit(limit + 1)))
        items = tuple(m.ticket(r) for r in rows[:limit])
        more = len(rows) > limit
        return Page(items, m.encode_cursor(items[-1].number) if more else None)

    def view(self, number: int) -> TicketView:
        row = self.row(number)
        timeline = self.s.scalars(
            select(InteractionRow)
            .where(InteractionRow.ticket_id == number)
            .order_by(InteractionRow.occurred_at, InteractionRow.id)
            .limit(TIMELINE_LIMIT)
        )
        return TicketView(m.ticket(row), tuple(m.interaction(i) for i in timeline))

    def append(self, number: int, new: NewInteraction, now: datetime) -> tuple[Interaction, bool]:
        """Add to the timeline; an interaction whose (source, source_id) is already stored
        on this ticket is returned as it is, with ``False`` (nothing created). The ticket
        must exist (NotFound); one stored on another ticket is refused, naming it."""
        ticket = self.row(number)
        existing = self.by_source(new.source, new.source_id)
        if existing is not None:
            if existing.ticket_number != number:
                raise TicketRuleError(
                    "source_id",
                    f"({new.source}, {new.source_id}) is already on ticket "
                    f"{existing.ticket_number}",
                )
            return existing, False
        if ticket.status == TicketStatus.CLOSED.value:
            raise TicketRuleError("ticket", f"ticket {number} is closed; open a new one")
        at = new.occurred_at or now
        row = InteractionRow(
            ticket_id=ticket.id,
            customer_id=ticket.customer_id,
            kind=new.kind.value,
            direction=new.direction.value,
            occurred_at=at,
            body=new.body,
            author=new.author,
            source=new.source,
            source_id=new.source_id or None,
            linked_id=new.linked_id,
            data=dict(new.data),
        )
        self.s.add(row)
        index_interaction(self.s, row)
        if ticket.first_response_at is None and is_first_response(
            new.kind, new.direction, new.data
        ):
            ticket.first_response_at = at
        if new.direction is Direction.INBOUND and ticket.status == TicketStatus.SOLVED.value:
            ticket.status, ticket.resolved_at = TicketStatus.OPEN.value, None  # customer is back
        ticket.updated_at = now
        self.s.flush()
        if new.kind is InteractionKind.HANDOFF_NOTE:
            # A note written after the logout covers what that logout flagged.
            self.s.execute(
                update(ShiftHandoffRow)
                .where(ShiftHandoffRow.ticket_id == ticket.id, ShiftHandoffRow.note_id.is_(None))
                .values(note_id=row.id)
            )
        return m.interaction(row), True

    def by_source(self, source: str, source_id: str) -> Interaction | None:
        if not source_id:
            return None
        row = self.s.scalar(
            select(InteractionRow).where(
                InteractionRow.source == source, InteractionRow.source_id == source_id
            )
        )
        return None if row is None else m.interaction(row)

    def update_call(
        self, call_id: str, changes: dict[str, Any], now: datetime
    ) -> Interaction | None:
        """Merge ``changes`` into the call interaction's data (queue outcome, wait, talk,
        agent); an answered call is the ticket's first response if none came before."""
        return self.update_data("asterisk", call_id, changes, now)

    def update_data(
        self, source: str, source_id: str, changes: dict[str, Any], now: datetime
    ) -> Interaction | None:
        """Merge ``changes`` into the data of the interaction imported as (source,
        source_id); None when there is none. A new transcript is searchable at once."""
        row = self.s.scalar(
            select(InteractionRow).where(
                InteractionRow.source == source, InteractionRow.source_id == source_id
            )
        )
        if row is None:
            return None
        row.data = {**(row.data or {}), **changes}
        if "transcript" in changes:
            index_interaction(self.s, row)
        ticket = self.row(row.ticket_id)
        if changes.get("agent") and ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.updated_at = now
        self.s.flush()
        return m.interaction(row)

    def handoffs(self, limit: int, cursor: str | None) -> Page[Handoff]:
        """Open tickets with the latest handoff note of each (None if it has none)."""
        page = self.list_page(limit, cursor, status=sorted(OPEN_STATUSES))
        items = []
        for t in page.items:
            note = self.s.scalar(
                select(InteractionRow)
                .where(
                    InteractionRow.ticket_id == t.number,
                    InteractionRow.kind == InteractionKind.HANDOFF_NOTE.value,
                )
                .order_by(InteractionRow.occurred_at.desc(), InteractionRow.id.desc())
                .limit(1)
            )
            items.append(Handoff(t, m.interaction(note) if note else None))
        return Page(tuple(items), page.next_cursor)
