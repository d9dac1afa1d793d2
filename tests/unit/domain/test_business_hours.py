"""Business-time arithmetic (the clock of a promised due time): it stops while closed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.business_hours import (
    Calendar,
    NeverOpen,
    business_seconds_between,
    business_time_after,
    is_open,
)

HOUR = 3600.0
WEEKDAYS = {d: ((9 * 60, 17 * 60),) for d in ("mon", "tue", "wed", "thu", "fri")}
MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def office(tz: str = "Europe/Moscow", holidays: frozenset[str] = frozenset()) -> Calendar:
    return Calendar(tz, dict(WEEKDAYS), holidays)


def test_friday_after_close_lands_on_monday_morning() -> None:
    friday = datetime(2026, 12, 4, 16, 30, tzinfo=MOSCOW)
    due = business_time_after(office(), friday, HOUR)
    assert due == datetime(2026, 12, 7, 9, 30, tzinfo=MOSCOW)
    assert due.tzinfo is UTC
    after_close = datetime(2026, 12, 4, 19, 0, tzinfo=MOSCOW)
    assert business_time_after(office(), after_close, 0) == datetime(
        2026, 12, 7, 9, 0, tzinfo=MOSCOW
    )


def test_split_shifts_skip_the_lunch_break() -> None:
    split = Calendar("Europe/Moscow", {"mon": ((9 * 60, 13 * 60), (14 * 60, 18 * 60))}, frozenset())
    monday = datetime(2026, 12, 7, 12, 30, tzinfo=MOSCOW)
    assert business_time_after(split, monday, HOUR) == datetime(2026, 12, 7, 14, 30, tzinfo=MOSCOW)
    assert not is_open(split, datetime(2026, 12, 7, 13, 30, tzinfo=MOSCOW))


def test_a_holiday_eve_and_a_window_across_the_holiday() -> None:
    calendar = office(holidays=frozenset({"2026-12-31"}))  # a Thursday
    eve = datetime(2026, 12, 30, 16, 0, tzinfo=MOSCOW)
    due = business_time_after(calendar, eve, 2 * HOUR)
    assert due == datetime(2027, 1, 1, 10, 0, tzinfo=MOSCOW)  # Friday: Thursday is off
    assert business_seconds_between(calendar, eve, due) == 2 * HOUR
    assert business_seconds_between(calendar, due, eve) == 0


def test_the_dst_switch_moves_the_hours_not_their_length() -> None:
    # Berlin springs forward on Sunday 2026-03-29 at 02:00.
    calendar = office("Europe/Berlin")
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # CET, UTC+1
    due = business_time_after(calendar, friday, 2 * HOUR)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)  # CEST, UTC+2
    assert due == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    always = Calendar("Europe/Berlin", {"sun": ((0, 24 * 60),)}, frozenset())
    night = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    # Three real hours of an open night: 02:00-03:00 does not exist that night.
    assert business_time_after(always, night, 3 * HOUR) == datetime(
        2026, 3, 29, 4, 0, tzinfo=BERLIN
    )


def test_a_calendar_that_never_opens_promises_nothing() -> None:
    with pytest.raises(NeverOpen, match="Europe/Moscow"):
        business_time_after(Calendar("Europe/Moscow", {}, frozenset()), datetime.now(UTC), 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_after(office(), datetime(2026, 12, 4, 10, 0), 60)
