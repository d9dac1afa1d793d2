"""What a caller keys in for "call me at 15:00": the next such wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.callbacks import time_of_day

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")


def test_later_today_or_else_tomorrow_in_the_queues_zone() -> None:
    now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
    assert time_of_day("1500", now, "Europe/Moscow") == datetime(2026, 12, 7, 15, 0, tzinfo=MOSCOW)
    assert time_of_day("930", now, "Europe/Moscow") == datetime(2026, 12, 8, 9, 30, tzinfo=MOSCOW)
    assert time_of_day("1200", now, "Europe/Moscow") == datetime(2026, 12, 8, 12, 0, tzinfo=MOSCOW)


def test_across_a_dst_switch_the_wall_clock_time_is_kept() -> None:
    # 2027-03-28: Berlin goes from UTC+1 to UTC+2 at 02:00.
    now = datetime(2027, 3, 27, 20, 0, tzinfo=UTC)  # 21:00 in Berlin, the evening before
    at = time_of_day("1000", now, "Europe/Berlin")
    assert at == datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN)
    assert at is not None
    assert at.astimezone(UTC).hour == 8  # UTC+2 that day


@pytest.mark.parametrize("digits", ["", "7", "2400", "1260", "12345", "ab12", "99"])
def test_digits_that_are_no_time_of_day(digits: str) -> None:
    assert time_of_day(digits, datetime(2026, 12, 7, tzinfo=UTC), "UTC") is None
