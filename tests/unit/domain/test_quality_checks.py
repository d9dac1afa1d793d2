"""Checks a call passes without a person, from its timed transcript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.domain.quality_checks import (
    closing,
    greeting,
    held_seconds,
    hold,
    run_checks,
    silence,
    talk_over,
)


def said(speaker: str, start: float, end: float, text: str) -> dict[str, Any]:
    return {"speaker": speaker, "start": start, "end": end, "text": text}


CALL = [
    said("agent", 0.5, 3.0, "Good morning, this is Anna, how can I help"),
    said("caller", 3.2, 8.0, "my parcel is late"),
    said("agent", 8.5, 20.0, "let me look at it"),
    said("caller", 19.0, 22.0, "thanks"),  # 1 s over the agent
    said("agent", 22.5, 28.0, "is there anything else I can help you with"),
]


def test_a_good_call_passes_every_check() -> None:
    checks = run_checks(CALL, 30.0, "Anna Petrova", held=3.0)
    assert {name: c.passed for name, c in checks.items()} == {
        "hold": True, "greeting": True, "closing": True, "silence": True, "talk_over": True,
    }  # fmt: skip
    assert "anything else" in checks["closing"].found


def test_no_name_no_greeting_no_closing() -> None:
    assert not greeting(CALL, "Boris").passed  # greeted, but not with their name
    assert not greeting([said("agent", 0, 2, "yes")], "").passed
    assert greeting([said("agent", 0, 2, "Здравствуйте, меня зовут Анна")], "Анна").passed
    assert not closing(CALL[:3]).passed


def test_silence_and_talk_over_shares() -> None:
    assert not silence([said("agent", 0, 5, "hello")], 60.0).passed  # 92 % silent
    over = [said("agent", 0, 10, "a"), said("caller", 2, 9, "b")]
    assert not talk_over(over, 10.0).passed  # 70 % both at once
    assert "70%" in talk_over(over, 10.0).found


def test_hold_seconds_from_the_calls_hold_events() -> None:
    start = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    end = start + timedelta(seconds=100)
    at = [start + timedelta(seconds=s) for s in (10, 30, 60, 95)]
    changes = [(at[0], True), (at[1], False), (at[2], True), (at[2], True)]  # never taken off
    assert held_seconds(changes, start, end) == 60.0  # 20 s, then 40 s to the end
    assert held_seconds([(at[3], False)], start, end) == 0.0  # an unhold alone: nothing
    assert not hold(60.0, 100.0).passed
    assert "60%" in hold(60.0, 100.0).found
