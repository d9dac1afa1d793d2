"""Promised due times: honest (rounded up, on the calendar), never changed, kept or broken."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.business_hours import Calendar, NeverOpen
from callcenter.domain.promises import (
    Promise,
    PromiseKind,
    PromisePolicy,
    PromiseState,
    at_risk,
    closing,
    due_by_capacity,
    due_time,
    round_up,
    spoken_due,
)

MOSCOW = ZoneInfo("Europe/Moscow")
OFFICE = Calendar(
    "Europe/Moscow",
    {d: ((9 * 60, 17 * 60),) for d in ("mon", "tue", "wed", "thu", "fri")},
    frozenset({"2026-12-31"}),
)
POLICY = PromisePolicy(margin=timedelta(minutes=5), round_minutes=15, floor=timedelta(minutes=10))


def promise(made: datetime, due: datetime) -> Promise:
    return Promise(1, PromiseKind.CALLBACK, 7, "support", made, due)


def test_due_times_are_rounded_up_to_the_next_quarter_in_local_time() -> None:
    now = datetime(2026, 12, 7, 10, 2, tzinfo=MOSCOW)  # Monday
    due = due_time(OFFICE, now, 20 * 60, POLICY)  # 20 min of work + 5 margin = 10:27
    assert due == datetime(2026, 12, 7, 10, 30, tzinfo=MOSCOW)
    assert (
        round_up(datetime(2026, 12, 7, 10, 30, tzinfo=MOSCOW), OFFICE, 15) == due
    )  # on a boundary


def test_a_quick_promise_is_never_sooner_than_the_floor() -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    assert due_time(OFFICE, now, 0, POLICY) == datetime(2026, 12, 7, 10, 15, tzinfo=MOSCOW)


def test_the_clock_stops_while_closed_friday_after_close() -> None:
    friday = datetime(2026, 12, 4, 16, 50, tzinfo=MOSCOW)
    due = due_time(OFFICE, friday, 30 * 60, POLICY)  # 10 min today, 25 on Monday
    assert due == datetime(2026, 12, 7, 9, 30, tzinfo=MOSCOW)


def test_a_holiday_eve_promise_skips_the_holiday() -> None:
    eve = datetime(2026, 12, 30, 16, 55, tzinfo=MOSCOW)  # Wednesday; Thursday is a holiday
    due = due_time(OFFICE, eve, 20 * 60, POLICY)
    assert due == datetime(2027, 1, 1, 9, 30, tzinfo=MOSCOW)


def test_at_risk_when_the_projection_misses_or_most_of_the_window_is_used() -> None:
    made = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    p = promise(made, datetime(2026, 12, 7, 11, 0, tzinfo=MOSCOW))
    early = datetime(2026, 12, 7, 10, 10, tzinfo=MOSCOW)
    assert not at_risk(p, early, early, OFFICE, 0.75)
    assert at_risk(p, datetime(2026, 12, 7, 11, 5, tzinfo=MOSCOW), early, OFFICE, 0.75)
    late = datetime(2026, 12, 7, 10, 46, tzinfo=MOSCOW)  # 46 of 60 minutes used
    assert at_risk(p, late, late, OFFICE, 0.75)


def test_overnight_the_window_is_not_used_up() -> None:
    made = datetime(2026, 12, 7, 16, 50, tzinfo=MOSCOW)
    p = promise(made, datetime(2026, 12, 8, 9, 30, tzinfo=MOSCOW))
    night = datetime(2026, 12, 8, 3, 0, tzinfo=MOSCOW)
    assert not at_risk(p, datetime(2026, 12, 8, 9, 10, tzinfo=MOSCOW), night, OFFICE, 0.75)


def test_closing_keeps_or_breaks_by_the_told_time() -> None:
    made = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    p = promise(made, made + timedelta(minutes=30))
    kept = closing(p, made + timedelta(minutes=20), True, "answered")
    assert kept.state is PromiseState.KEPT
    assert kept.slack == 600
    late = closing(p, made + timedelta(minutes=31), True, "answered")
    assert late.state is PromiseState.BROKEN
    assert late.slack == -60
    never = closing(p, made + timedelta(minutes=10), False, "attempts exhausted")
    assert never.state is PromiseState.BROKEN
    assert never.due_at == p.due_at  # the told time never moves


def test_the_caller_hears_today_tomorrow_or_the_date_with_asterisks_say_files() -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=MOSCOW)
    today = spoken_due(datetime(2026, 12, 7, 14, 30, tzinfo=MOSCOW), now, OFFICE, "en")
    assert today == [
        "sound:digits/today",
        "sound:digits/at",
        "number:2",
        "number:30",
        "sound:digits/p-m",
    ]
    tomorrow = spoken_due(datetime(2026, 12, 8, 9, 5, tzinfo=MOSCOW), now, OFFICE, "en")
    assert tomorrow == [
        "sound:digits/tomorrow",
        "sound:digits/at",
        "number:9",
        "sound:digits/oh",
        "number:5",
        "sound:digits/a-m",
    ]
    later = spoken_due(datetime(2026, 12, 11, 10, 0, tzinfo=MOSCOW), now, OFFICE, "ru")
    assert later == [
        "sound:digits/day-5",
        "sound:digits/mon-11",
        "number:11",
        "sound:digits/at",
        "number:10",
    ]


def test_promise_policy_is_a_value() -> None:
    assert dataclasses.replace(POLICY, round_minutes=5).round_minutes == 5


def test_a_roster_promise_counts_only_the_agents_scheduled() -> None:
    now = datetime(2026, 12, 7, 16, 0, tzinfo=MOSCOW)  # Monday, closes at 17:00

    def roster(at: datetime) -> float:
        return 2.0 if at.astimezone(MOSCOW).hour < 16 else 1.0  # one agent after 16:00

    # 3 h of agent work: 1 h today (one agent), 2 h tomorrow from 09:00 (two agents) = 10:00.
    due = due_by_capacity(OFFICE, now, 3 * 3600, roster, POLICY)
    assert due == datetime(2026, 12, 8, 10, 15, tzinfo=MOSCOW)  # + 5 min margin, a quarter
    # Nobody scheduled at all: no promise can be made.
    with pytest.raises(NeverOpen):
        due_by_capacity(OFFICE, now, 60, lambda _at: 0.0, POLICY)
