"""Business hours: weekly opening ranges (several a day) and holidays in the calendar's own
time zone; whether it is open, and business-time arithmetic for promised due times (the
clock stops while closed, DST-correct)."""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta


@dataclasses.dataclass(frozen=True)
class Calendar:
    """Business hours: weekly opening ranges in minutes of the local day (several a day)
    and holiday dates (ISO), in the IANA zone ``timezone``."""

    timezone: str
    weekly: dict[str, tuple[tuple[int, int], ...]]  # day -> ((start minute, end minute), ...)
    holidays: frozenset[str]


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def is_open(calendar: Calendar, at: datetime) -> bool:
    """True when ``at`` (timezone-aware) falls inside the calendar's hours."""
    if at.tzinfo is None:
        raise ValueError("is_open needs a timezone-aware datetime")
    local = at.astimezone(zoneinfo.ZoneInfo(calendar.timezone))
    if local.date().isoformat() in calendar.holidays:
        return False
    minute = local.hour * 60 + local.minute
    ranges = calendar.weekly.get(DAYS[local.weekday()], ())
    return any(start <= minute < end for start, end in ranges)


# How far ahead business time is looked for: a calendar with no open minute in a year
# (every day a holiday, or no hours) can promise nothing.
LOOKAHEAD_DAYS = 366


class NeverOpen(ValueError):
    """The calendar has no open time within the lookahead; names the calendar's zone."""


def _open_intervals(calendar: Calendar, after: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The calendar's open intervals (UTC-aware, in order) from the local day of ``after``.
    Local wall times are placed with the zone's rules of that day, so a DST switch moves
    the interval, not its length in local hours (a 09:00-17:00 day is 8 h either side)."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    first = after.astimezone(zone).date()
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = first + timedelta(days=offset)
        if day.isoformat() in calendar.holidays:
            continue
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        for start, end in sorted(calendar.weekly.get(DAYS[day.weekday()], ())):
            opens = (midnight + timedelta(minutes=start)).replace(tzinfo=None)
            closes = (midnight + timedelta(minutes=end)).replace(tzinfo=None)
            yield (
                opens.replace(tzinfo=zone).astimezone(UTC),
                closes.replace(tzinfo=zone).astimezone(UTC),
            )


def business_time_after(calendar: Calendar, start: datetime, seconds: float) -> datetime:
    """The instant ``seconds`` of open time after ``start``: the clock runs only while the
    calendar is open (nights, weekends and holidays stop it). Timezone-aware in, UTC out.
    ``seconds`` 0 gives the next open instant. Raises NeverOpen."""
    if start.tzinfo is None:
        raise ValueError("business_time_after needs a timezone-aware datetime")
    at, left = start.astimezone(UTC), max(0.0, seconds)
    for opens, closes in _open_intervals(calendar, at):
        if closes <= at:
            continue
        begin = max(opens, at)
        available = (closes - begin).total_seconds()
        if left < available or (left == 0 and available > 0):
            return begin + timedelta(seconds=left)
        left -= available
    raise NeverOpen(f"calendar ({calendar.timezone}): not open within {LOOKAHEAD_DAYS} days")


def business_seconds_between(calendar: Calendar, a: datetime, b: datetime) -> float:
    """Open seconds from ``a`` to ``b`` (0 if ``b`` is not later): how much of a promise's
    business-time budget has been used."""
    start, end = a.astimezone(UTC), b.astimezone(UTC)
    total = 0.0
    for opens, closes in _open_intervals(calendar, start):
        if opens >= end:
            break
        overlap = (min(closes, end) - max(opens, start)).total_seconds()
        total += max(0.0, overlap)
    return total
