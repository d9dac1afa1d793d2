"""Promises told to callers: "we will call you back by 14:30". Pure rules (no I/O).

A promise is made when a callback is requested (or a voicemail left): its due time is
computed on the queue's business-hours calendar from the work ahead of it and the agents
who serve it, plus a margin, rounded **up** to a time a caller can be told. The told time
(``due_at``) never changes afterwards; a separate projection (``projected_at``) is
recomputed as the day goes, and a promise whose projection misses its due time — or that
has used ``at_risk_share`` of its business-time window — is *at risk* (escalated).
Closed: kept (served by the due time), broken (served late, or never), cancelled.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from callcenter.domain.business_hours import (
    Calendar,
    NeverOpen,
    business_seconds_between,
    business_time_after,
)

# A queue with no calendar of its own is served around the clock.
ALWAYS_OPEN = Calendar(
    "UTC",
    {d: ((0, 1440),) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    frozenset(),
)


class PromiseState(enum.StrEnum):
    OPEN = "open"
    AT_RISK = "at_risk"  # escalated: its projection misses the due time
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"


OPEN_STATES = frozenset({PromiseState.OPEN, PromiseState.AT_RISK})


class PromiseKind(enum.StrEnum):
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"


@dataclasses.dataclass(frozen=True)
class PromisePolicy:
    """How honest due times are made (callbacks section of the configuration)."""

    margin: timedelta = timedelta(minutes=5)  # on top of the computed work
    round_minutes: int = 15  # told times are whole quarters (local time)
    floor: timedelta = timedelta(minutes=10)  # never promise sooner than this
    at_risk_share: float = 0.75  # share of the window used: at risk


@dataclasses.dataclass(frozen=True)
class PromiseFilter:
    """What a search of promises keeps (empty fields: any); ``since``/``until``: made in."""

    state: PromiseState | None = None
    queue: str = ""
    since: datetime | None = None
    until: datetime | None = None


@dataclasses.dataclass(frozen=True)
class Promise:
    id: int
    kind: PromiseKind
    subject_id: int  # the callback's (or voicemail's) id
    queue: str
    made_at: datetime
    due_at: datetime  # told to the caller: never changed
    state: PromiseState = PromiseState.OPEN
    projected_at: datetime | None = None
    ticket_number: int | None = None
    closed_at: datetime | None = None
    outcome: str = ""  # why it closed (e.g. "answered", "attempts exhausted")
    escalated_at: datetime | None = None
    expected_at: datetime | None = None  # the prediction behind the told time
    earliest_at: datetime | None = None  # told as a range: from this time
    basis: str = ""  # "measured" (our spread), "roster" (no history yet), "" (older rules)
    first_due_at: datetime | None = None  # re-promised: the time told first
    repromised_at: datetime | None = None

    @property
    def slack(self) -> float | None:
        """Seconds to spare when it closed (negative: late); None while open."""
        if self.closed_at is None or self.state is PromiseState.CANCELLED:
            return None
        return (self.due_at - self.closed_at).total_seconds()


def round_up(at: datetime, calendar: Calendar, minutes: int) -> datetime:
    """``at`` rounded up to the next whole ``minutes`` of the calendar's local time (an
    instant already on a boundary stays). UTC out."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    local = at.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    step = minutes * 60
    into_day = (local - midnight).total_seconds()
    rounded = midnight + timedelta(seconds=math.ceil(into_day / step - 1e-9) * step)
    return rounded.astimezone(UTC)


def due_time(
    calendar: Calendar,
    now: datetime,
    work_seconds: float,
    policy: PromisePolicy,
) -> datetime:
    """The time to tell: ``work_seconds`` of business time (the wait ahead, from the
    queue's staffing and handle times) plus the margin, no sooner than the floor, rounded
    up. The clock runs only while the calendar is open. Raises NeverOpen."""
    seconds = max(work_seconds + policy.margin.total_seconds(), policy.floor.total_seconds())
    return round_up(business_time_after(calendar, now, seconds), calendar, policy.round_minutes)


def at_risk(
    promise: Promise, projected: datetime, now: datetime, calendar: Calendar, share: float
) -> bool:
    """True when the projection misses the due time, or the promise has used ``share`` of
    its business-time window (a promise made at 16:50 for 09:30 tomorrow is not at risk
    overnight: the clock stops while closed)."""
    if projected > promise.due_at:
        return True
    window = business_seconds_between(calendar, promise.made_at, promise.due_at)
    used = business_seconds_between(calendar, promise.made_at, now)
    return window > 0 and used / window >= share


def closing(promise: Promise, at: datetime, served: bool, outcome: str) -> Promise:
    """The promise closed at ``at``: kept when served by its due time, else broken."""
    state = PromiseState.KEPT if served and at <= promise.due_at else PromiseState.BROKEN
    return dataclasses.replace(promise, state=state, closed_at=at, outcome=outcome)


def spoken_due(due: datetime, now: datetime, calendar: Calendar, language: str) -> list[str]:
    """What the caller hears after "we will call you back": the due time in the queue's
    zone with Asterisk's own say files — "today at 2 30 p-m", "tomorrow at 10", or the
    weekday and date — as ARI media URIs (``sound:`` and ``number:``)."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    local, today = due.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    if days == 0:
        media = ["sound:digits/today"]
    elif days == 1:
        media = ["sound:digits/tomorrow"]
    else:
        media = [
            f"sound:digits/day-{(local.weekday() + 1) % 7}",  # day-0 is Sunday
            f"sound:digits/mon-{local.month - 1}",
            f"number:{local.day}",
        ]
    media.append("sound:digits/at")
    if language == "en":
        hour = local.hour % 12 or 12
        media.append(f"number:{hour}")
        if local.minute:
            media.append(f"number:{local.minute}" if local.minute >= 10 else "sound:digits/oh")
            if local.minute < 10:
                media.append(f"number:{local.minute}")
        media.append("sound:digits/a-m" if local.hour < 12 else "sound:digits/p-m")
    else:  # 24-hour clock
        media.append(f"number:{local.hour}")
        if local.minute:
            media.append(f"number:{local.minute}")
    return media


@dataclasses.dataclass(frozen=True)
class PromiseDay:
    """The board's figures for one queue on one day (UTC) of promises made."""

    queue: str
    day: str  # YYYY-MM-DD
    made: int
    kept: int
    broken: int
    at_risk: int
    open: int
    cancelled: int
    median_slack: float | None  # seconds, of the closed ones (kept and broken)

    @property
    def kept_share(self) -> float | None:
        closed = self.kept + self.broken
        return self.kept / closed if closed else None


def summary(promises: list[Promise]) -> list[PromiseDay]:
    """Promises per queue and day made, with the share kept and the median slack."""
    groups: dict[tuple[str, str], list[Promise]] = {}
    for p in promises:
        groups.setdefault((p.queue, p.made_at.date().isoformat()), []).append(p)
    days = []
    for (queue, day), items in sorted(groups.items()):
        slacks = sorted(s for p in items if (s := p.slack) is not None)
        median = None
        if slacks:
            mid = len(slacks) // 2
            median = slacks[mid] if len(slacks) % 2 else (slacks[mid - 1] + slacks[mid]) / 2
        count = {s: sum(1 for p in items if p.state is s) for s in PromiseState}
        days.append(
            PromiseDay(
                queue,
                day,
                len(items),
                count[PromiseState.KEPT],
                count[PromiseState.BROKEN],
                count[PromiseState.AT_RISK],
                count[PromiseState.OPEN],
                count[PromiseState.CANCELLED],
                median,
            )
        )
    return days


def due_by_capacity(
    calendar: Calendar,
    now: datetime,
    work_seconds: float,
    agents_at: Callable[[datetime], float],
    policy: PromisePolicy,
    step: timedelta = timedelta(minutes=5),
    horizon: timedelta = timedelta(days=14),
) -> datetime:
    """The time to tell from a roster: the first instant by which the agents scheduled
    (``agents_at(t)``: how many serve this work at ``t``) have put in ``work_seconds`` of
    open time (the work ahead of the request and the request itself, in agent-seconds),
    plus the margin, no sooner than the floor, rounded up. Closed time and unstaffed
    intervals add nothing (the clock stops). Raises NeverOpen past ``horizon``."""
    at = business_time_after(calendar, now, 0)
    done, end = 0.0, now + horizon
    while done < work_seconds:
        if at >= end:
            raise NeverOpen(f"no capacity for {work_seconds:.0f} s of work within {horizon}")
        nxt = business_time_after(calendar, at, step.total_seconds())
        # Business time in [at, nxt) is exactly one step (or up to the close).
        span = min(step.total_seconds(), business_seconds_between(calendar, at, nxt))
        rate = max(0.0, agents_at(at))
        if rate > 0 and done + rate * span >= work_seconds:
            at = at + timedelta(seconds=(work_seconds - done) / rate)
            break
        done += rate * span
        at = nxt
    margin = max(policy.margin.total_seconds(), 0.0)
    floor = business_time_after(calendar, now, policy.floor.total_seconds())
    due = max(business_time_after(calendar, at, margin), floor)
    return round_up(due, calendar, policy.round_minutes)
