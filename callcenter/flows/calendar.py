"""Business hours: weekly opening ranges and holidays in the calendar's own time zone."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from callcenter.flows.model import Calendar

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
