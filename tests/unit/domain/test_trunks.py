"""The trunks' board: registration states change only on news, a trunk by address is
always up, refusals are kept newest first and counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.trunks import (
    BY_ADDRESS,
    UNKNOWN,
    NumberRefused,
    RegistrationSeen,
    TrunkBoard,
    TrunkFailover,
    TrunkLine,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LINES = [
    TrunkLine("carrier", "sip.example.net", True, "sip:u@sip.example.net"),
    TrunkLine("backup", "203.0.113.9", False),
]


def test_a_registering_trunk_is_unknown_then_follows_asterisk() -> None:
    board = TrunkBoard(LINES, T0)
    states = {s.name: s for s in board.states()}
    assert (states["carrier"].status, states["backup"].status) == (UNKNOWN, BY_ADDRESS)
    assert not board.healthy()
    later = T0 + timedelta(seconds=5)
    state, was = board.seen(RegistrationSeen("sip:u@sip.example.net", "registered"), later) or (
        None,
        "",
    )
    assert state is not None
    assert (state.status, state.since, was) == ("registered", later, UNKNOWN)
    assert board.healthy()
    # The same news again changes nothing (nothing to log); a poll by name does too.
    assert board.seen(RegistrationSeen("", "registered", "carrier"), later) is None
    change = board.seen(RegistrationSeen("", "rejected", "carrier"), later)
    assert change is not None
    assert not board.healthy()


def test_news_of_others_and_of_trunks_by_address_are_ignored() -> None:
    board = TrunkBoard(LINES, T0)
    assert board.seen(RegistrationSeen("sip:x@elsewhere", "registered"), T0) is None
    assert board.seen(RegistrationSeen("", "rejected", "backup"), T0) is None


def test_when_ami_is_lost_registrations_are_unknown_again() -> None:
    board = TrunkBoard(LINES, T0)
    board.seen(RegistrationSeen("", "registered", "carrier"), T0)
    (changed,) = board.lost(T0)
    assert changed[0].status == UNKNOWN


def test_refusals_are_kept_newest_first_and_counted() -> None:
    board = TrunkBoard(LINES, T0, keep=2)
    for n in range(3):
        board.refuse(NumberRefused(f"7495{n}", "79161234567", "carrier"), T0 + timedelta(n))
    assert [r.number for r in board.refusals] == ["74952", "74951"]
    assert board.refused == 3


def test_failovers_are_counted_per_trunk() -> None:
    board = TrunkBoard(LINES, T0)
    board.failed_over(TrunkFailover("carrier", "CONGESTION"))
    board.failed_over(TrunkFailover("nosuch", "CONGESTION"))
    assert {s.name: s.failovers for s in board.states()} == {"carrier": 1, "backup": 0}
