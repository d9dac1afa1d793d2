"""Report figures: how a set of queue legs adds up, by interval and by what a manager
groups on. Pure rules, written once: the live board's "today" and every historical report
use :class:`Tally` and :func:`figures`, so the two never disagree. Every definition is in
``docs/reports.md`` with its formula.

A :class:`Tally` holds sums that merge (two quarter-hours add up to a half-hour), so the
store can add up rows in SQL and the report merge its buckets into hours, days, weeks.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta

LEFT = frozenset({"timeout", "full", "no_agents", "key"})  # overflowed, still on the line


class Interval(enum.StrEnum):
    QUARTER = "15m"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class GroupBy(enum.StrEnum):
    QUEUE = "queue"
    AGENT = "agent"
    TEAM = "team"
    DIALLED = "dialled"
    FLOW = "flow"
    NONE = "none"


class ReportError(ValueError):
    """A report that cannot be made; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclasses.dataclass(frozen=True)
class Targets:
    """A queue's service-level threshold and target, and its alert limits (0: none)."""

    threshold: float = 20.0  # s: answered within this counts for the service level
    target: float = 80.0  # % of calls answered within the threshold
    short_abandon: float = 5.0  # s: a caller who hangs up sooner is a short abandon
    max_waiting: int = 0  # callers waiting at once
    max_wait: float = 0.0  # s: the longest wait now
    max_abandon_rate: float = 0.0  # % of today's calls abandoned


@dataclasses.dataclass(frozen=True)
class Tally:
    """What a set of queue legs adds up to (every field a sum or a maximum)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0  # hung up while waiting, after the short-abandon threshold
    short_abandoned: int = 0  # hung up sooner: reported apart, out of the rates
    overflowed: int = 0  # left unanswered and still on the line (timeout, full, no agents)
    within: int = 0  # answered within the service-level threshold
    wait_answered: float = 0.0  # sum of the answered calls' waits
    longest_wait: float = 0.0  # of every call, answered or not
    talk: float = 0.0
    wrap_up: float = 0.0
    transferred: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            offered=self.offered + other.offered,
            answered=self.answered + other.answered,
            abandoned=self.abandoned + other.abandoned,
            short_abandoned=self.short_abandoned + other.short_abandoned,
            overflowed=self.overflowed + other.overflowed,
            within=self.within + other.within,
            wait_answered=self.wait_answered + other.wait_answered,
            longest_wait=max(self.longest_wait, other.longest_wait),
            talk=self.talk + other.talk,
            wrap_up=self.wrap_up + other.wrap_up,
            transferred=self.transferred + other.transferred,
        )


def tally(legs: Iterable[tuple[str, float, float, float, str]], targets: Targets) -> Tally:
    """Legs as (outcome, wait, talk, wrap_up, ended_by) added up; a leg still waiting is
    not offered yet (it counts once it is answered or leaves)."""
    t = Tally()
    for outcome, wait, talk, wrap_up, ended_by in legs:
        if outcome == "waiting":
            continue
        answered = outcome == "answered"
        short = outcome == "abandoned" and wait < targets.short_abandon
        t = t + Tally(
            offered=1,
            answered=int(answered),
            abandoned=int(outcome == "abandoned" and not short),
            short_abandoned=int(short),
            overflowed=int(outcome in LEFT),
            within=int(answered and wait <= targets.threshold),
            wait_answered=wait if answered else 0.0,
            longest_wait=wait,
            talk=talk if answered else 0.0,
            wrap_up=wrap_up if answered else 0.0,
            transferred=int(ended_by == "transfer"),
        )
    return t


@dataclasses.dataclass(frozen=True)
class Figures:
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    overflowed: int
    transferred: int
    service_level: float | None  # share answered within the threshold, of counted calls
    abandonment_rate: float | None  # share abandoned, of counted calls
    average_speed_of_answer: float | None
    longest_wait: float | None
    average_handle_time: float | None  # talk (hold included) + wrap-up, per answered call
    target_met: bool | None  # the service level reached its target


def figures(t: Tally, targets: Targets) -> Figures:
    counted = t.offered - t.short_abandoned  # short abandons are out of every rate
    sl = t.within / counted if counted else None
    return Figures(
        offered=t.offered,
        answered=t.answered,
        abandoned=t.abandoned,
        short_abandoned=t.short_abandoned,
        overflowed=t.overflowed,
        transferred=t.transferred,
        service_level=sl,
        abandonment_rate=t.abandoned / counted if counted else None,
        average_speed_of_answer=t.wait_answered / t.answered if t.answered else None,
        longest_wait=t.longest_wait if t.offered else None,
        average_handle_time=(t.talk + t.wrap_up) / t.answered if t.answered else None,
        target_met=None if sl is None else sl * 100 >= targets.target,
    )


# -- intervals ---------------------------------------------------------------------------

MAX_DAYS = {
    Interval.QUARTER: 7,
    Interval.HOUR: 31,
    Interval.DAY: 366,
    Interval.WEEK: 731,
    Interval.MONTH: 1830,
}


def check_range(start: datetime, end: datetime, interval: Interval) -> None:
    """A range a report may cover: ``start`` before ``end``, not over the interval's
    limit (a quarter-hour report of a year would be 35,000 rows)."""
    if end <= start:
        raise ReportError(f"to: {end.isoformat()} is not after from {start.isoformat()}", "to")
    days = MAX_DAYS[interval]
    if end - start > timedelta(days=days):
        raise ReportError(
            f"to: at most {days} days of {interval.value} intervals in one request", "to"
        )


def bucket_start(day: date, slot: int, interval: Interval) -> tuple[date, int]:
    """The interval a quarter-hour (the day, its slot 0-95, local time) belongs to, as
    (its first day, its first slot)."""
    if interval is Interval.QUARTER:
        return day, slot
    if interval is Interval.HOUR:
        return day, slot - slot % 4
    if interval is Interval.DAY:
        return day, 0
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday()), 0
    return day.replace(day=1), 0


def slot_of(local: datetime) -> tuple[date, int]:
    """A local time's day and quarter-hour (0 = 00:00-00:15)."""
    return local.date(), local.hour * 4 + local.minute // 15


# -- exports -----------------------------------------------------------------------------


def csv_cell(value: object) -> str:
    """A value for a CSV cell; text a spreadsheet would run as a formula (=, +, -, @, tab,
    carriage return first) is quoted with a leading apostrophe (OWASP's advice)."""
    text = "" if value is None else str(value)
    if text and text[0] in "=+-@\t\r" and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
