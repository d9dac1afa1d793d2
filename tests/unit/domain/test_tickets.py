from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.tickets import (
    CallSummary,
    Direction,
    InteractionKind,
    TicketRuleError,
    TicketStatus,
    call_subject,
    check_status_change,
    is_first_response,
    joins_open_ticket,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_closed_is_final_but_solved_reopens() -> None:
    check_status_change(TicketStatus.SOLVED, TicketStatus.OPEN)
    check_status_change(TicketStatus.CLOSED, TicketStatus.CLOSED)
    with pytest.raises(TicketRuleError, match="status: ticket is closed; cannot move it to open"):
        check_status_change(TicketStatus.CLOSED, TicketStatus.OPEN)


@pytest.mark.parametrize(
    ("kind", "direction", "data", "answers"),
    [
        (InteractionKind.CHAT_MESSAGE, Direction.OUTBOUND, {}, True),
        (InteractionKind.CHAT_MESSAGE, Direction.INBOUND, {}, False),
        (InteractionKind.NOTE, Direction.OUTBOUND, {}, False),
        (InteractionKind.HANDOFF_NOTE, Direction.INTERNAL, {}, False),
        (InteractionKind.CALL, Direction.INBOUND, {"agent": "1001"}, True),
        (InteractionKind.CALL, Direction.INBOUND, {"agent": ""}, False),
    ],
)
def test_first_response(
    kind: InteractionKind, direction: Direction, data: dict[str, str], answers: bool
) -> None:
    assert is_first_response(kind, direction, data) is answers


def test_join_window() -> None:
    window = timedelta(hours=72)
    assert joins_open_ticket(NOW - timedelta(hours=72), NOW, window)
    assert not joins_open_ticket(NOW - timedelta(hours=72, seconds=1), NOW, window)


def test_call_subject_names_what_happened_and_who_called() -> None:
    summary = CallSummary("1.1", "1.1", "+79123456789", "7000", NOW, NOW, "queue", queue="sales")
    assert call_subject(summary) == "Call for sales from +79123456789"
    bare = dataclasses.replace(summary, caller="14155550100")  # as a trunk may send it
    assert call_subject(bare, "+14155550100") == "Call for sales from +14155550100"
    withheld = CallSummary("1.2", "1.2", "", "7000", NOW, NOW, "voicemail")
    assert call_subject(withheld) == "Voicemail from unknown caller"
