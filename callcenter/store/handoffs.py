"""Handoffs, the tickets each logout hands to a team, and who read them — on SQLAlchemy, one
transaction per use case (in the store's worker threads)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.handoffs import (
    DeskTicket,
    HandedTicket,
    Shift,
    needs_note,
)
from callcenter.domain.tickets import (
    Agent,
    Direction,
    InteractionKind,
)
from callcenter.store import ticket_mapping as m
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.handoff_queries import (
    HANDOFF_KINDS,
    OPEN_VALUES,
    desk_tickets,
    handed_many,
    latest_of,
    latest_per_ticket,
    open_shift,
    select_handoffs,
    select_tickets,
    shift_of,
)
from callcenter.store.models import (
    AgentRow,
    HandoffReadRow,
    InteractionRow,
    ShiftHandoffRow,
    ShiftRow,
    TicketRow,
)

DESK_LIMIT = 50


class SqlHandoffs:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    # -- agents and shifts ---------------------------------------------------------

    async def agent(self, extension: str) -> Agent | None:
        return await self._threads.run("handoffs.agent", self._agent, extension)

    def _agent(self, extension: str) -> Agent | None:
        with self._sessions() as s:
            row = s.scalar(select(AgentRow).where(AgentRow.extension == extension))
            return m.agent(row) if row is not None else None

    async def start(self, agent: Agent, now: datetime) -> Shift:
        """The agent's shift from ``now`` (their open one, if they never logged out)."""
        return await self._threads.run("handoffs.start", self._start, agent, now)

    def _start(self, agent: Agent, now: datetime) -> Shift:
        with self._sessions.begin() as s:
            row = open_shift(s, agent.extension)
            if row is None:
                row = ShiftRow(agent=agent.extension, team=agent.team, started_at=now)
                s.add(row)
                s.flush()
            return shift_of(row)

    async def current(self, extension: str) -> Shift | None:
        return await self._threads.run("handoffs.current", self._current, extension)

    def _current(self, extension: str) -> Shift | None:
        with self._sessions() as s:
            row = open_shift(s, extension)
            return shift_of(row) if row is not None else None

    async def previous_start(self, extension: str, before: datetime) -> datetime | None:
        """When the agent's last shift that began before ``before`` began (None: none)."""
        return await self._threads.run("handoffs.previous", self._previous_start, extension, before)

    def _previous_start(self, extension: str, before: datetime) -> datetime | None:
        with self._sessions() as s:
            start = s.scalar(
                select(func.max(ShiftRow.started_at)).where(
                    ShiftRow.agent == extension, ShiftRow.started_at < before
                )
            )
            return as_utc(start) if start is not None else None

    async def ready(self, shift_id: int, now: datetime) -> None:
        await self._threads.run("handoffs.ready", self._ready, shift_id, now)

    def _ready(self, shift_id: int, now: datetime) -> None:
        with self._sessions.begin() as s:
            row = s.get(ShiftRow, shift_id)
            if row is not None and row.ready_at is None:
                row.ready_at = now

    async def end(self, agent: Agent, now: datetime) -> tuple[Shift, list[HandedTicket]]:
        """End the agent's shift (one of no length if they had none open: logged in before
        shifts were kept) and hand each of their open tickets to their team."""
        return await self._threads.run("handoffs.end", self._end, agent, now)

    def _end(self, agent: Agent, now: datetime) -> tuple[Shift, list[HandedTicket]]:
        with self._sessions.begin() as s:
            shift = open_shift(s, agent.extension)
            if shift is None:
                shift = ShiftRow(agent=agent.extension, team=agent.team, started_at=now)
                s.add(shift)
            shift.ended_at = now
            s.flush()
            tickets = s.scalars(
                select_tickets()
                .join(TicketRow.assignee)
                .where(AgentRow.extension == agent.extension, TicketRow.status.in_(OPEN_VALUES))
                .order_by(TicketRow.id)
            ).all()
            ids = [t.id for t in tickets]
            notes = latest_of(s, ids, (InteractionKind.HANDOFF_NOTE.value,))
            activity: dict[int, datetime] = {
                ticket_id: at
                for ticket_id, at in s.execute(
                    select(InteractionRow.ticket_id, func.max(InteractionRow.occurred_at))
                    .where(
                        InteractionRow.ticket_id.in_(ids),
                        InteractionRow.kind.not_in(HANDOFF_KINDS),
                    )
                    .group_by(InteractionRow.ticket_id)
                )
            }
            rows = []
            for ticket in tickets:
                note = notes.get(ticket.id)
                last = as_utc(activity.get(ticket.id) or ticket.created_at)
                covered = note is not None and not needs_note(last, as_utc(note.occurred_at))
                rows.append(
                    ShiftHandoffRow(
                        shift_id=shift.id,
                        ticket_id=ticket.id,
                        team=agent.team,
                        from_agent=agent.extension,
                        handed_at=now,
                        note_id=note.id if covered and note is not None else None,
                    )
                )
            s.add_all(rows)
            s.flush()
            items = handed_many(s, rows, {t.id: t for t in tickets})
            return shift_of(shift), items

    # -- what to read, what to note ------------------------------------------------

    async def to_read(self, agent: Agent, since: datetime) -> list[HandedTicket]:
        return await self._threads.run("handoffs.to_read", self._to_read, agent, since)

    def _to_read(self, agent: Agent, since: datetime) -> list[HandedTicket]:
        """Open tickets handed to the agent's team by others since ``since`` and not read
        by them: the latest handover of each ticket, oldest first."""
        if not agent.team:
            return []
        with self._sessions() as s:
            read = select(HandoffReadRow.handoff_id).where(HandoffReadRow.agent == agent.extension)
            rows = s.scalars(
                select_handoffs()
                .where(
                    ShiftHandoffRow.team == agent.team,
                    ShiftHandoffRow.from_agent != agent.extension,
                    ShiftHandoffRow.handed_at >= since,
                    ShiftHandoffRow.id.not_in(read),
                )
                .order_by(ShiftHandoffRow.handed_at, ShiftHandoffRow.id)
            ).all()
            return latest_per_ticket(s, rows)

    async def to_note(self, extension: str) -> list[HandedTicket]:
        return await self._threads.run("handoffs.to_note", self._to_note, extension)

    def _to_note(self, extension: str) -> list[HandedTicket]:
        """What the agent's last ended shift handed over without a note (still open)."""
        with self._sessions() as s:
            last = s.scalar(
                select(ShiftRow)
                .where(ShiftRow.agent == extension, ShiftRow.ended_at.is_not(None))
                .order_by(ShiftRow.ended_at.desc(), ShiftRow.id.desc())
                .limit(1)
            )
            if last is None:
                return []
            rows = s.scalars(
                select_handoffs()
                .where(ShiftHandoffRow.shift_id == last.id, ShiftHandoffRow.note_id.is_(None))
                .order_by(ShiftHandoffRow.id)
            ).all()
            return handed_many(s, rows)

    async def read(
        self, agent: Agent, ids: Sequence[int] | None, now: datetime
    ) -> list[HandedTicket]:
        """Record that ``agent`` read these handed tickets of their team (None: all they
        have to read); each is noted on its ticket's timeline. Returns those recorded."""
        return await self._threads.run("handoffs.read", self._read, agent, ids, now)

    def _read(self, agent: Agent, ids: Sequence[int] | None, now: datetime) -> list[HandedTicket]:
        with self._sessions.begin() as s:
            query = select_handoffs().where(
                ShiftHandoffRow.team == agent.team, ShiftHandoffRow.from_agent != agent.extension
            )
            if ids is not None:
                query = query.where(ShiftHandoffRow.id.in_(list(ids)))
            already = select(HandoffReadRow.handoff_id).where(
                HandoffReadRow.agent == agent.extension
            )
            rows = s.scalars(query.where(ShiftHandoffRow.id.not_in(already))).all()
            # Each acknowledgement goes on its ticket's timeline as it is: not activity on
            # the ticket (its updated_at stays), not searchable text.
            customers = dict(
                s.execute(
                    select(TicketRow.id, TicketRow.customer_id).where(
                        TicketRow.id.in_([r.ticket_id for r in rows])
                    )
                ).all()
            )
            for row in rows:
                s.add(HandoffReadRow(handoff_id=row.id, agent=agent.extension, read_at=now))
                s.add(
                    InteractionRow(
                        ticket_id=row.ticket_id,
                        customer_id=customers.get(row.ticket_id),
                        kind=InteractionKind.HANDOFF_READ.value,
                        direction=Direction.INTERNAL.value,
                        occurred_at=now,
                        body=f"Handoff from {row.from_agent} read by {agent.extension}",
                        author=agent.extension,
                        source="shifts",
                        source_id=f"read:{row.id}:{agent.extension}",
                        linked_id="",
                        data={"handoff_id": row.id, "note_id": row.note_id, "team": row.team},
                    )
                )
            s.flush()
            return handed_many(s, rows)

    # -- the desk and the board ----------------------------------------------------

    async def desk(self, agent: Agent) -> tuple[list[DeskTicket], list[DeskTicket]]:
        """Open tickets assigned to the agent, and to the rest of their team."""
        return await self._threads.run("handoffs.desk", self._desk, agent)

    def _desk(self, agent: Agent) -> tuple[list[DeskTicket], list[DeskTicket]]:
        with self._sessions() as s:
            assigned = select_tickets().join(TicketRow.assignee)
            open_ = assigned.where(TicketRow.status.in_(OPEN_VALUES))
            order = (TicketRow.updated_at.desc(), TicketRow.id.desc())
            mine = s.scalars(
                open_.where(AgentRow.extension == agent.extension).order_by(*order)
            ).all()
            team = (
                s.scalars(
                    open_.where(AgentRow.team == agent.team, AgentRow.extension != agent.extension)
                    .order_by(*order)
                    .limit(DESK_LIMIT)
                ).all()
                if agent.team
                else []
            )
            return desk_tickets(s, mine[:DESK_LIMIT]), desk_tickets(s, team)

    async def handed(self, since: datetime, team: str | None = None) -> list[HandedTicket]:
        return await self._threads.run("handoffs.handed", self._handed_since, since, team)

    def _handed_since(self, since: datetime, team: str | None) -> list[HandedTicket]:
        """Every ticket handed over since ``since`` (the board's figures), newest first."""
        with self._sessions() as s:
            query = select_handoffs(open_only=False).where(ShiftHandoffRow.handed_at >= since)
            if team is not None:
                query = query.where(ShiftHandoffRow.team == team)
            rows = s.scalars(
                query.order_by(ShiftHandoffRow.handed_at.desc(), ShiftHandoffRow.id.desc())
            ).all()
            return handed_many(s, rows)
