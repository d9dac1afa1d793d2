"""Predict, then promise: the due time told to a caller who asks for a callback. Pure rules.

The prediction is when an agent will most likely reach the caller: the queue is played
forward — the agents serving now (each busy one free after what is left of their call),
the roster's agents from their shift on, the callers and callbacks ahead of this one, each
taking the handle time measured for that queue and hour (plus, for the share of callbacks
whose first attempt reaches nobody, that attempt's minute) — until a seat is free for this
one. The caller's own first attempt may miss too: its expected cost is added.

The promise is that prediction widened by the **measured spread of our own past
predictions** for the queue and hour (:class:`Spread`, the ratio of the time it really took
to the time predicted, at the kept target's quantile and at a low one) — not a fixed margin.
A wide spread is said as a range ("between 14:30 and 15:00"); a queue with no history of
predictions yet is promised on the roster with a wider range, said as such (basis
``roster``). Times are rounded to the minute for short waits, to five minutes beyond half
an hour, and never come sooner than the centre can act.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import heapq
import math
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from callcenter.domain.business_hours import (
    Calendar,
    NeverOpen,
    business_seconds_between,
    business_time_after,
)

STEP = timedelta(minutes=5)  # the roster is read this often while nobody is free


@dataclasses.dataclass(frozen=True)
class QueueNow:
    """What the centre is doing now for one queue."""

    ahead: int  # callers and callbacks to be served before this one
    serving: int  # agents serving the queue now (free or busy)
    busy_left: tuple[float, ...] = ()  # seconds each busy agent likely still needs
    roster: Callable[[datetime], float] | None = None  # agents scheduled at an instant


@dataclasses.dataclass(frozen=True)
class Spread:
    """How far our past predictions were off: quantiles of (actual + soft) / (predicted +
    soft) business seconds, ``soft`` keeping near-zero predictions from exploding."""

    low: float  # the range's start
    high: float  # the kept target's quantile: the told time
    samples: int
    scope: str  # what it was measured on: "queue, hour and wait", "queue and wait", "queue"
    least: float = 0.0  # the 2nd percentile: sooner than this hardly ever happens


@dataclasses.dataclass(frozen=True)
class PastPrediction:
    """One closed promise: what was predicted and what it took (business seconds)."""

    hour: int  # local hour it was made
    predicted: float
    actual: float


@dataclasses.dataclass(frozen=True)
class Measured:
    """What the centre measured for one queue."""

    handle_by_hour: Mapping[int, float]  # local hour -> mean handle (talk + wrap-up), s
    handle: float  # every hour together (or the policy's default before any call)
    retry_share: float = 0.0  # share of callbacks whose first attempt reached nobody
    retry_after: float = 120.0  # the wait before the next attempt, s
    attempt: float = 60.0  # what an attempt that reaches nobody costs an agent, s
    setup: float = 30.0  # between an agent's calls: the dial and the ring, s
    past: tuple[PastPrediction, ...] = ()  # our own predictions and what they took
    handles: tuple[float, ...] = ()  # measured handle times, sorted (what a call may last)
    # Spreads found, by (hour, band): the same measured figures answer many predictions.
    spreads: dict[tuple[int, int], Spread | None] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    @functools.cached_property
    def handle_cv(self) -> float | None:
        """The measured handle times' coefficient of variation (None: under ten calls)."""
        h = self.handles
        if len(h) < 10:
            return None
        mean = sum(h) / len(h)
        return math.sqrt(sum((x - mean) ** 2 for x in h) / (len(h) - 1)) / mean


@dataclasses.dataclass(frozen=True)
class PredictionPolicy:
    kept_target: float = 0.99  # the spread's high quantile (a little over the kept target)
    low_quantile: float = 0.10  # the range's start
    soft: float = 120.0  # s added to both sides of the ratio
    act: float = 60.0  # never promise sooner than this after the request (s)
    min_samples: int = 40  # past predictions needed for a spread
    range_from: float = 600.0  # a range is said when it is at least this wide (s)
    unmeasured: Spread = Spread(0.6, 2.0, 0, "roster", 0.5)  # no history: wider, said as such
    default_handle: float = 420.0  # before any call was measured


@dataclasses.dataclass(frozen=True)
class Prediction:
    expected: datetime  # when an agent most likely reaches the caller
    earliest: datetime  # the range's start (== due when not ranged)
    due: datetime  # the told time ("by")
    ranged: bool  # said as "between earliest and due"
    basis: str  # "measured" (our spread) | "roster" (no history yet: wider)
    spread: Spread
    optimistic: datetime  # the very early end: past a told time, that time is lost

    def misses(self, due: datetime) -> bool:
        """Whether a promise told ``due`` will be broken: even the early end of what our
        own spread allows comes after it (the expected time alone is no reason to tell a
        caller a new time: half of promises would be re-told)."""
        return self.optimistic > due


def left_after(measured: Measured, talked: float | None) -> float:
    """What a call that has lasted ``talked`` seconds likely still takes: the mean of what
    the measured calls that lasted longer took beyond it (a call running long tends to run
    longer still); unknown: half a handle time; longer than every measured call: a quarter."""
    if talked is None:
        return measured.handle / 2
    longer = measured.handles[bisect.bisect_right(measured.handles, talked) :]
    if len(longer) < 5:
        return max(measured.handle - talked, measured.handle / 4)
    return sum(longer) / len(longer) - talked


def _handle(measured: Measured, at: datetime, zone: zoneinfo.ZoneInfo) -> float:
    hour = at.astimezone(zone).hour
    base = measured.handle_by_hour.get(hour, measured.handle)
    return base + measured.setup + measured.retry_share * measured.attempt


def first_free(
    calendar: Calendar, now: datetime, queue: QueueNow, measured: Measured, horizon: float
) -> datetime:
    """The instant a seat is free for this caller, the ones ahead served first come first
    served. The agents serving now stay until the roster next changes (while closed now:
    the roster from the opening), then seats follow the roster (an agent leaving finishes
    the call in hand); the clock runs only while the calendar is open. Raises NeverOpen."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    t = business_time_after(calendar, now, 0)
    end = now + timedelta(seconds=horizon)
    rostered_now = queue.roster(t) if queue.roster is not None else None
    # Closed now: who is logged in says nothing of who comes at the opening: the roster.
    changed = t > now
    free = [t + timedelta(seconds=max(0.0, b)) for b in queue.busy_left]
    free += [t] * max(0, queue.serving - len(free))
    heapq.heapify(free)
    jobs = queue.ahead
    while True:
        if t >= end:
            raise NeverOpen(f"no seat for {queue.ahead} ahead within {horizon / 3600:.0f} h")
        scheduled = queue.roster(t) if queue.roster is not None else None
        changed = changed or scheduled != rostered_now
        seats = int(scheduled) if changed and scheduled is not None else queue.serving
        while len(free) < seats:  # an agent starts a shift: free at once
            heapq.heappush(free, t)
        while len(free) > seats:  # one leaves: the seat that frees last goes
            free.remove(max(free))
            heapq.heapify(free)
        if free and free[0] <= t:
            if jobs == 0:
                return t
            heapq.heapreplace(free, t + timedelta(seconds=_handle(measured, t, zone)))
            jobs -= 1
            continue
        nxt = min(free[0], t + STEP) if free else t + STEP
        t = business_time_after(calendar, nxt, 0)


def predict(
    calendar: Calendar,
    now: datetime,
    queue: QueueNow,
    measured: Measured,
    policy: PredictionPolicy | None = None,
    horizon: float = 14 * 86400,
) -> Prediction:
    """The prediction and the promise for a callback asked ``now``. Raises NeverOpen."""
    policy = policy or PredictionPolicy()
    start = first_free(calendar, now, queue, measured, horizon)
    own = measured.retry_share * (measured.attempt + measured.retry_after)
    expected = business_time_after(calendar, start, own)
    work = business_seconds_between(calendar, now, expected)
    hour = now.astimezone(zoneinfo.ZoneInfo(calendar.timezone)).hour
    key = (hour, band(work))
    if key not in measured.spreads:
        measured.spreads[key] = spread_of(measured.past, hour, work, policy)
    found = measured.spreads[key]
    spread = found or policy.unmeasured
    basis = "measured" if found is not None else "roster"
    high = max(spread.high, _summed_spread(measured, queue))
    due_s = max(policy.act, (work + policy.soft) * high - policy.soft)
    low_s = max(0.0, min(work, (work + policy.soft) * spread.low - policy.soft))
    unit = 60 if due_s < 1800 else 300
    due = round_to(business_time_after(calendar, now, due_s), calendar, unit, up=True)
    earliest = round_to(business_time_after(calendar, now, low_s), calendar, unit, up=False)
    earliest = max(min(earliest, due), business_time_after(calendar, now, 0))
    ranged = business_seconds_between(calendar, earliest, due) >= policy.range_from
    least_s = max(0.0, min(work, (work + policy.soft) * spread.least - policy.soft))
    optimistic = business_time_after(calendar, now, least_s)
    return Prediction(expected, earliest if ranged else due, due, ranged, basis, spread, optimistic)


def _summed_spread(measured: Measured, queue: QueueNow, z: float = 2.33) -> float:
    """The high ratio the measured handle times alone imply: the work ahead is a sum of
    calls (those waiting ahead and those in progress), so it is off by their spread over
    the square root of their number (a floor under our past's figure, whose samples of a
    surge are not independent)."""
    cv = measured.handle_cv
    if cv is None:
        return 1.0
    calls = max(1, queue.ahead + len(queue.busy_left))
    return 1.0 + z * cv / math.sqrt(calls)


def round_to(at: datetime, calendar: Calendar, unit: int, up: bool) -> datetime:
    """``at`` on a whole ``unit`` (seconds) of the calendar's local time, up or down."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    local = at.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    into = (local - midnight).total_seconds() / unit
    steps = math.ceil(into - 1e-9) if up else math.floor(into + 1e-9)
    return (midnight + timedelta(seconds=steps * unit)).astimezone(UTC)


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    lo, hi = math.floor(at), math.ceil(at)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (at - lo)


BANDS = (0.0, 300.0, 1200.0, 3600.0, 4 * 3600.0)  # predicted waits alike: 5, 20, 60, 240 min


def band(predicted: float) -> int:
    """Which band of predicted waits (seconds) a prediction falls in: a short wait is
    off by minutes (an agent's call running long), a long one by a share of itself."""
    return sum(1 for edge in BANDS[1:] if predicted >= edge)


def spread_of(
    past: Sequence[PastPrediction],
    hour: int,
    predicted: float,
    policy: PredictionPolicy | None = None,
) -> Spread | None:
    """The spread for a promise made at local ``hour`` on a prediction of ``predicted``
    seconds: from past predictions of that hour and band of waits when there are enough,
    else of that band, else of the queue; None when the queue has too few."""
    policy = policy or PredictionPolicy()
    mine = band(predicted)
    alike = [p for p in past if band(p.predicted) == mine]
    for scope, items in (
        ("queue, hour and wait", [p for p in alike if p.hour == hour]),
        ("queue and wait", alike),
        ("queue", list(past)),
    ):
        if len(items) >= policy.min_samples:
            ratios = [(p.actual + policy.soft) / (p.predicted + policy.soft) for p in items]
            return Spread(
                quantile(ratios, policy.low_quantile),
                max(1.0, quantile(ratios, policy.kept_target)),
                len(items),
                scope,
                quantile(ratios, 1 - policy.kept_target),
            )
    return None


def handle_by_hour(
    calls: Sequence[tuple[int, float]], min_calls: int = 5
) -> tuple[dict[int, float], float | None]:
    """(mean handle per local hour with at least ``min_calls``, mean of all) from (hour,
    handle seconds) of answered calls."""
    hours: dict[int, list[float]] = {}
    for hour, seconds in calls:
        hours.setdefault(hour, []).append(seconds)
    by_hour = {h: sum(v) / len(v) for h, v in hours.items() if len(v) >= min_calls}
    every = [s for _h, s in calls]
    return by_hour, (sum(every) / len(every) if every else None)
