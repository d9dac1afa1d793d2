from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.handoffs import (
    HandedTicket,
    HandoffRead,
    ShiftPolicy,
    due_in_shift,
    needs_note,
    team_figures,
)
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.domain.tickets import (
    Channel,
    Direction,
    Interaction,
    InteractionKind,
    Priority,
    Ticket,
    TicketStatus,
)

T0 = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
TICKET = Ticket(7, "Parcel lost", TicketStatus.OPEN, Priority.NORMAL, Channel.PHONE, 1, T0, T0)
NOTE = Interaction(3, 7, 1, InteractionKind.HANDOFF_NOTE, Direction.INTERNAL, T0, "next: refund")


def _handed(i: int, team: str, note: bool, read_after: float | None = None) -> HandedTicket:
    reads = () if read_after is None else (HandoffRead("1002", T0 + timedelta(seconds=read_after)),)
    return HandedTicket(i, TICKET, team, "1001", T0, NOTE if note else None, reads)


def test_a_ticket_needs_a_note_unless_one_was_written_since_its_last_activity() -> None:
    assert needs_note(T0, None)
    assert needs_note(T0, T0 - timedelta(minutes=1))
    assert not needs_note(T0, T0)
    assert not needs_note(T0, T0 + timedelta(minutes=5))


def test_reading_is_required_only_of_the_named_teams() -> None:
    policy = ShiftPolicy(frozenset({"night"}))
    assert policy.must_read("night")
    assert not policy.must_read("day")
    assert not policy.must_read("")  # an agent of no team has nobody to hand to


def test_an_agent_reads_since_their_previous_shift_began_or_the_lookback() -> None:
    policy = ShiftPolicy(lookback=timedelta(hours=24))
    assert policy.read_since(T0 - timedelta(hours=15), T0) == T0 - timedelta(hours=15)
    assert policy.read_since(None, T0) == T0 - timedelta(hours=24)


def test_due_promises_come_at_risk_first_then_soonest_and_only_within_the_shift() -> None:
    def promise(i: int, minutes: int, state: PromiseState) -> Promise:
        due = T0 + timedelta(minutes=minutes)
        return Promise(i, PromiseKind.CALLBACK, i, "support", T0, due, state)

    later = promise(1, 30, PromiseState.OPEN)
    soon = promise(2, 10, PromiseState.OPEN)
    risky = promise(3, 60, PromiseState.AT_RISK)
    tomorrow = promise(4, 60 * 20, PromiseState.AT_RISK)
    assert due_in_shift([later, soon, risky, tomorrow], T0 + timedelta(hours=8)) == (
        risky,
        soon,
        later,
    )


def test_team_figures_count_notes_flags_and_the_wait_for_the_first_reader() -> None:
    items = [
        _handed(1, "night", True, read_after=600),
        _handed(2, "night", False, read_after=60),
        _handed(3, "night", False),
        _handed(4, "night", True),
        _handed(5, "day", True, read_after=30),
    ]
    day, night = team_figures(items)
    assert (night.team, night.crossing, night.noted, night.flagged) == ("night", 4, 2, 2)
    assert (night.acknowledged, night.unread_noted, night.unread_flagged) == (2, 1, 1)
    assert (night.ack_median, night.ack_max) == (330.0, 600.0)
    assert (day.crossing, day.acknowledged, day.ack_median) == (1, 1, 30.0)
    assert team_figures([]) == []
