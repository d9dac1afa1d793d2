"""Handoffs and handoffs on the real store (SQLite and PostgreSQL), through the service:
the logout hands over and flags, a later note clears the flag, the incoming agent of the
team reads, and a held agent is released only when nothing is left to read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.agents import AgentStateError
from callcenter.domain.handoffs import HANDOFF_PAUSE, ShiftPolicy
from callcenter.domain.tickets import (
    Agent,
    Direction,
    InteractionKind,
    NewInteraction,
    NewTicket,
    TicketChanges,
    TicketStatus,
)
from callcenter.services.handoffs import Handoffs
from callcenter.store.db import make_sessions
from callcenter.store.handoffs import SqlHandoffs
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.fakes import MemoryQueues


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


OLGA = Agent(0, "Olga", "1001", ("support",), "night")
IVAN = Agent(0, "Ivan", "1002", ("support",), "night")
DAY = Agent(0, "Dana", "1003", ("support",), "day")


async def _agent(shifts: Handoffs, extension: str) -> Agent:
    agent = await shifts.agent(extension)
    assert agent is not None
    return agent


@pytest.fixture
async def world(db_engine: Engine) -> tuple[SqlTicketStore, Handoffs, Clock, MemoryQueues]:
    sessions = make_sessions(db_engine)
    clock = Clock()
    tickets = SqlTicketStore(sessions, "RU", timedelta(hours=72), now=clock.now)
    for agent in (OLGA, IVAN, DAY):
        await tickets.save_agent(agent)
    queues = MemoryQueues(("support",))
    policy = ShiftPolicy(frozenset({"night"}))
    return tickets, Handoffs(SqlHandoffs(sessions), policy, clock, queues), clock, queues


async def _ticket(tickets: SqlTicketStore, subject: str, assignee: str) -> int:
    t = await tickets.create_ticket(NewTicket(subject, assignee=assignee))
    await tickets.append_interaction(
        t.number, NewInteraction(InteractionKind.NOTE, Direction.INTERNAL, "called the depot")
    )
    return t.number


async def _note(tickets: SqlTicketStore, number: int, body: str) -> None:
    note = NewInteraction(InteractionKind.HANDOFF_NOTE, Direction.INTERNAL, body, "1001")
    await tickets.append_interaction(number, note)


async def test_a_logout_hands_the_open_tickets_over_and_flags_those_without_a_note(
    world: tuple[SqlTicketStore, Handoffs, Clock, MemoryQueues],
) -> None:
    tickets, shifts, clock, _queues = world
    assert await shifts.on_login(await _agent(shifts, "1001")) == ""  # nothing to read
    noted = await _ticket(tickets, "Parcel lost <b>now</b>", "1001")
    bare = await _ticket(tickets, "Refund", "1001")
    solved = await _ticket(tickets, "Done already", "1001")
    await tickets.update_ticket(solved, TicketChanges(status=TicketStatus.SOLVED))
    clock.at += timedelta(minutes=5)
    await _note(tickets, noted, "courier calls her back at 18:00")

    clock.at += timedelta(hours=8)
    handed = await shifts.on_logout(await _agent(shifts, "1001"))
    assert sorted((h.ticket.number, h.flagged) for h in handed) == [(noted, False), (bare, True)]
    assert [h.ticket.number for h in await shifts.to_note("1001")] == [bare]
    since = clock.at - timedelta(hours=1)
    assert [h.ticket.number for h in await shifts.flagged(since)] == [bare]

    # A note written after the logout covers the flag.
    await _note(tickets, bare, "refund approved, customer not told yet")
    assert await shifts.to_note("1001") == []
    assert await shifts.flagged(since) == []
    (night,) = await shifts.figures(since)
    assert (night.team, night.crossing, night.noted, night.flagged) == ("night", 2, 2, 0)


async def test_the_incoming_agent_of_a_reading_team_is_held_until_they_have_read(
    world: tuple[SqlTicketStore, Handoffs, Clock, MemoryQueues],
) -> None:
    tickets, shifts, clock, queues = world
    first = await _ticket(tickets, "Parcel lost", "1001")
    second = await _ticket(tickets, "Refund", "1001")
    await _note(tickets, first, "courier calls her back at 18:00")
    await shifts.on_logout(await _agent(shifts, "1001"))
    clock.at += timedelta(hours=1)

    ivan = await _agent(shifts, "1002")
    assert await shifts.on_login(ivan) == HANDOFF_PAUSE
    assert await shifts.hold_reason("1002") == HANDOFF_PAUSE
    with pytest.raises(AgentStateError, match="2 left to read"):
        await shifts.check_unpause("1002")
    desk = await shifts.workspace("1002")
    assert desk.held
    assert desk.must_read
    assert [h.ticket.number for h in desk.to_read] == [first, second]
    assert desk.to_read[0].note is not None
    assert desk.to_read[1].flagged
    assert [d.ticket.number for d in desk.team_tickets] == [second, first]  # Olga's, newest

    # Someone of another team is shown nothing of the night team's.
    assert (await shifts.workspace("1003")).to_read == ()
    assert await shifts.on_login(await _agent(shifts, "1003")) == ""
    with pytest.raises(AgentStateError, match="is not one agent 1003 has to read"):
        await shifts.acknowledge("1003", [desk.to_read[0].id])

    clock.at += timedelta(minutes=2)
    one = await shifts.acknowledge("1002", [desk.to_read[0].id])
    assert (one.remaining, one.released) == (1, False)
    assert queues.actions == []  # still held
    rest = await shifts.acknowledge("1002", None)
    assert (rest.remaining, rest.released) == (0, True)
    assert queues.actions == [("pause", "1002", "False", "")]
    assert await shifts.hold_reason("1002") == ""
    await shifts.check_unpause("1002")

    # Each acknowledgement is on its ticket's timeline.
    view = await tickets.get_ticket(first)
    reads = [i for i in view.timeline if i.kind is InteractionKind.HANDOFF_READ]
    assert [(r.author, r.body) for r in reads] == [("1002", "Handoff from 1001 read by 1002")]
    (night,) = await shifts.figures(clock.at - timedelta(hours=3))
    assert (night.acknowledged, night.ack_median) == (2, 3720.0)

    # The next shift reads only what was handed since this one began, and not read.
    await shifts.on_logout(ivan)
    clock.at += timedelta(hours=10)
    assert await shifts.on_login(ivan) == ""  # he read all of it
