"""Callback rules: numbers that may be dialled, the caller's place, retries, transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import (
    Callback,
    CallbackError,
    CallbackState,
    NumberPolicy,
    dialable,
    next_attempt,
    parse_placeholder,
    position_for,
    transition,
)

RU = NumberPolicy(region="RU", countries=frozenset({"RU"}), deny=frozenset({"+74951112233"}))
MOSCOW = ZoneInfo("Europe/Moscow")
OFFICE = Calendar(
    "Europe/Moscow",
    {d: ((9 * 60, 17 * 60),) for d in ("mon", "tue", "wed", "thu", "fri")},
    frozenset(),
)


def callback(**changes: object) -> Callback:
    base = {
        "id": 12,
        "queue": "support",
        "number": "+79161234567",
        "state": CallbackState.WAITING,
        "requested_at": datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
        "joined_at": datetime(2026, 12, 7, 9, 58, tzinfo=UTC),
        "attempts": 1,
    }
    return Callback(**(base | changes))  # type: ignore[arg-type]


def test_a_mobile_and_a_fixed_line_are_dialable_in_e164() -> None:
    assert dialable("8 916 123-45-67", RU) == "+79161234567"
    assert dialable("+7 (495) 123-45-67", RU) == "+74951234567"


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "not a phone number"),
        ("12;Dial(evil)", "not a phone number"),
        ("+7 123", "not a valid number"),
        ("+7 809 123-45-67", "premium_rate"),  # Russian premium rate
        ("+44 20 7946 0018", "in GB"),
        ("+74951112233", "deny list"),
    ],
)
def test_every_refusal_names_its_rule(raw: str, rule: str) -> None:
    with pytest.raises(CallbackError, match=rule) as info:
        dialable(raw, RU, field="callback.number")
    assert "callback.number" in str(info.value)


def test_the_placeholder_keeps_the_place_behind_earlier_callers_only() -> None:
    # Callers now in the queue: (seconds waited, priority)
    waiting = [(300.0, 0), (200.0, 0), (60.0, 0), (30.0, 5)]
    assert position_for(120.0, 0, waiting) == 4  # behind 300, 200 and the priority-5 caller
    assert position_for(500.0, 0, waiting) == 2  # only the higher priority is ahead
    assert position_for(10.0, 0, []) == 1


def test_retries_back_off_and_wait_for_business_hours() -> None:
    friday_close = datetime(2026, 12, 4, 16, 59, tzinfo=MOSCOW)
    at = next_attempt(callback(attempts=1), friday_close, timedelta(minutes=2), OFFICE)
    assert at == datetime(2026, 12, 7, 9, 0, tzinfo=MOSCOW)
    monday = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    assert next_attempt(callback(attempts=3), monday, timedelta(minutes=2), OFFICE) == (
        monday + timedelta(minutes=8)
    )


def test_transitions_follow_the_diagram() -> None:
    dialing = transition(callback(), CallbackState.DIALING, agent="1001")
    assert dialing.agent == "1001"
    with pytest.raises(CallbackError, match="cannot go from dialing to cancelled"):
        transition(dialing, CallbackState.CANCELLED)
    with pytest.raises(CallbackError, match="completed"):
        transition(callback(state=CallbackState.COMPLETED), CallbackState.RETRY)


def test_placeholder_ids_name_the_callback_and_the_attempt() -> None:
    cb = callback(attempts=2)
    assert cb.placeholder == "cb12-2"
    assert parse_placeholder("cb12-2") == (12, 2)
    assert parse_placeholder("Local/cb12-2") is None
