"""The queries the handoffs' store is made of: tickets and handoffs of a shift, the latest
handoff per ticket, an agent's desk."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, selectinload

from callcenter.domain.handoffs import (
    DeskTicket,
    HandedTicket,
    HandoffRead,
    Shift,
)
from callcenter.domain.tickets import (
    OPEN_STATUSES,
    InteractionKind,
)
from callcenter.store import ticket_mapping as m
from callcenter.store.db import as_utc
from callcenter.store.models import (
    HandoffReadRow,
    InteractionRow,
    ShiftHandoffRow,
    ShiftRow,
    TicketRow,
)

HANDOFF_KINDS = (InteractionKind.HANDOFF_NOTE.value, InteractionKind.HANDOFF_READ.value)


OPEN_VALUES = [s.value for s in OPEN_STATUSES]


def select_tickets() -> Select[TicketRow]:
    return select(TicketRow).options(selectinload(TicketRow.tags), selectinload(TicketRow.assignee))


def select_handoffs(open_only: bool = True) -> Select[ShiftHandoffRow]:
    query = select(ShiftHandoffRow).join(TicketRow, TicketRow.id == ShiftHandoffRow.ticket_id)
    return query.where(TicketRow.status.in_(OPEN_VALUES)) if open_only else query


def open_shift(s: Session, extension: str) -> ShiftRow | None:
    return s.scalar(
        select(ShiftRow)
        .where(ShiftRow.agent == extension, ShiftRow.ended_at.is_(None))
        .order_by(ShiftRow.started_at.desc(), ShiftRow.id.desc())
        .limit(1)
    )


def latest_of(
    s: Session, ticket_ids: Sequence[int], kinds: Sequence[str] | None = None
) -> dict[int, InteractionRow]:
    """The latest interaction of each ticket (of ``kinds``; None: any but acknowledgements),
    in one query."""
    if not ticket_ids:
        return {}
    where: list[ColumnElement[bool]] = [InteractionRow.ticket_id.in_(list(ticket_ids))]
    if kinds is not None:
        where.append(InteractionRow.kind.in_(list(kinds)))
    else:
        where.append(InteractionRow.kind != InteractionKind.HANDOFF_READ.value)
    rank = (
        func.row_number()
        .over(
            partition_by=InteractionRow.ticket_id,
            order_by=(InteractionRow.occurred_at.desc(), InteractionRow.id.desc()),
        )
        .label("rank")
    )
    ranked = select(InteractionRow.id, rank).where(*where).subquery()
    rows = s.scalars(
        select(InteractionRow)
        .join(ranked, ranked.c.id == InteractionRow.id)
        .where(ranked.c.rank == 1)
    )
    return {r.ticket_id: r for r in rows}


def desk_tickets(s: Session, tickets: Sequence[TicketRow]) -> list[DeskTicket]:
    ids = [t.id for t in tickets]
    latest = latest_of(s, ids)
    notes = latest_of(s, ids, (InteractionKind.HANDOFF_NOTE.value,))
    return [
        DeskTicket(
            m.ticket(t),
            m.interaction(latest[t.id]) if t.id in latest else None,
            m.interaction(notes[t.id]) if t.id in notes else None,
        )
        for t in tickets
    ]


def latest_per_ticket(s: Session, rows: Sequence[ShiftHandoffRow]) -> list[HandedTicket]:
    latest: dict[int, ShiftHandoffRow] = {}
    for row in rows:
        latest[row.ticket_id] = row  # rows come oldest first: the last one wins
    return handed_many(s, sorted(latest.values(), key=lambda r: (r.handed_at, r.id)))


def handed_many(
    s: Session, rows: Sequence[ShiftHandoffRow], tickets: dict[int, TicketRow] | None = None
) -> list[HandedTicket]:
    """Handed tickets with their ticket, note and reads: three queries for any number."""
    if not rows:
        return []
    tickets = dict(tickets or {})
    missing = [r.ticket_id for r in rows if r.ticket_id not in tickets]
    if missing:
        found = s.scalars(select_tickets().where(TicketRow.id.in_(missing)))
        tickets.update((t.id, t) for t in found)
    note_ids = [r.note_id for r in rows if r.note_id is not None]
    notes = (
        {n.id: n for n in s.scalars(select(InteractionRow).where(InteractionRow.id.in_(note_ids)))}
        if note_ids
        else {}
    )
    reads: dict[int, list[HandoffRead]] = {}
    for r in s.scalars(
        select(HandoffReadRow)
        .where(HandoffReadRow.handoff_id.in_([row.id for row in rows]))
        .order_by(HandoffReadRow.read_at, HandoffReadRow.id)
    ):
        reads.setdefault(r.handoff_id, []).append(HandoffRead(r.agent, as_utc(r.read_at)))
    return [
        HandedTicket(
            id=row.id,
            ticket=m.ticket(tickets[row.ticket_id]),
            team=row.team,
            from_agent=row.from_agent,
            handed_at=as_utc(row.handed_at),
            note=m.interaction(notes[row.note_id]) if row.note_id in notes else None,
            reads=tuple(reads.get(row.id, ())),
        )
        for row in rows
    ]


def shift_of(row: ShiftRow) -> Shift:
    return Shift(
        id=row.id,
        agent=row.agent,
        team=row.team,
        started_at=as_utc(row.started_at),
        ended_at=as_utc(row.ended_at) if row.ended_at is not None else None,
        ready_at=as_utc(row.ready_at) if row.ready_at is not None else None,
    )
