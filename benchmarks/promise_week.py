"""Simulated weeks of callback requests through the real promise code, with a simulated
clock: how many promises are kept, and how tight they are — ours (predicted and calibrated)
side by side with the promise the daemon gave before (roster capacity plus a fixed margin,
floor and quarter-hour rounding) and the naive "within 2 business hours".

Traffic: callback requests arrive by hour of day (a morning and an afternoon peak, a few
from the web at night and on Sunday) scaled so the week's work is ``--load`` times what the
roster's agents can handle; agents work shifts (fewer at the edges of the day, a lunch hour,
a short Saturday), handle times vary (lognormal, 6 min median, plus a minute of wrap-up),
one customer in five is busy on the first try (retried after 2 min). Requests are served
first come, first served, as placeholders in a queue are.

The first week is history (the centre was running: handle times, retries and its own
predictions are measured); the second is measured. ``--drop``: on the measured Tuesday at
14:00 two agents go home unannounced; every 5 minutes the promises are projected, and one
about to be broken is re-promised (a new time told before the old one passes).

    .venv/bin/python -m benchmarks.promise_week [--seeds 7 8 9] [--loads 0.8 1.2 1.5] [--drop]

Targets: kept >= 98 % and the median share of the window left when served <= 25 %.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.promise_sim import Request, Sim, arrivals
from benchmarks.stats import percentile
from callcenter.domain.business_hours import Calendar, business_seconds_between, business_time_after
from callcenter.domain.promise_predictor import (
    Measured,
    PastPrediction,
    QueueNow,
    handle_by_hour,
    predict,
)
from callcenter.domain.promises import PromisePolicy, due_by_capacity

ZONE = ZoneInfo("Europe/Moscow")
WEEKDAY = ((9 * 60, 13 * 60), (14 * 60, 19 * 60))  # a lunch hour: the clock stops
CALENDAR = Calendar(
    "Europe/Moscow",
    {**{d: WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")}, "sat": ((10 * 60, 15 * 60),)},
    frozenset({"2026-12-16"}),  # the measured week's Wednesday: a holiday
)
# Requests per hour by local hour (weekdays); Saturday half, Sunday and nights a trickle.
RATE = {9: 6, 10: 10, 11: 14, 12: 12, 13: 4, 14: 8, 15: 12, 16: 14, 17: 9, 18: 5}
NIGHT_RATE = 0.5
# Agents serving callbacks by local hour on weekdays (the roster); Saturday: 2.
ROSTER = {9: 1, 10: 2, 11: 3, 12: 3, 13: 0, 14: 2, 15: 3, 16: 3, 17: 2, 18: 1}
OLD_POLICY = PromisePolicy(
    margin=timedelta(minutes=5), round_minutes=15, floor=timedelta(minutes=10)
)
MEAN_HANDLE = math.exp(math.log(360) + 0.45**2 / 2) + 60
HISTORY = datetime(2026, 12, 7, 0, 0, tzinfo=ZONE)  # a Monday: the week measured before
WEEK = HISTORY + timedelta(days=7)


def is_open(at: datetime) -> bool:
    return business_time_after(CALENDAR, at, 0) == at.astimezone(UTC)


def agents_at(at: datetime) -> float:
    """The roster: agents scheduled at ``at``."""
    if not is_open(at):
        return 0.0
    local = at.astimezone(ZONE)
    return 2.0 if local.weekday() == 5 else float(ROSTER.get(local.hour, 0))


def rate_shape(at: datetime) -> float:
    if not is_open(at):
        return NIGHT_RATE
    local = at.astimezone(ZONE)
    return RATE.get(local.hour, 1) * (0.5 if local.weekday() == 5 else 1.0)


def scale_for(load: float) -> float:
    """The factor on ``rate_shape`` that makes the week's work ``load`` x the roster's."""
    hours = [WEEK + timedelta(minutes=30 + 60 * i) for i in range(7 * 24)]
    capacity = sum(agents_at(h) for h in hours) * 3600 / MEAN_HANDLE  # calls a week
    return load * capacity / sum(rate_shape(h) for h in hours)


class Ours:
    """The predictor, fed what the centre measured before the request (online)."""

    def __init__(self, sim: Sim) -> None:
        self.sim = sim
        self._cache: tuple[datetime, Measured] | None = None
        sim.measured = self.measured

    def measured(self, now: datetime) -> Measured:
        minute = now.replace(second=0, microsecond=0)
        if self._cache is None or self._cache[0] != minute:
            self._cache = (minute, self._measure(now))
        return self._cache[1]

    def _measure(self, now: datetime) -> Measured:
        served = self.sim.served_before(now)[-2000:]
        hours, every = handle_by_hour([(r.served_hour, r.handle) for r in served])
        past = [
            PastPrediction(r.made_hour, r.predicted, r.took)
            for r in served
            if r.predicted is not None and r.took is not None
        ]
        retry = sum(r.busy_first for r in served) / len(served) if served else 0.0
        return Measured(
            hours,
            every or MEAN_HANDLE,
            retry_share=retry,
            retry_after=120.0,
            past=tuple(past),
            handles=tuple(sorted(r.handle for r in served)),
        )

    def __call__(self, r: Request, now: datetime, queue: QueueNow) -> datetime:
        p = predict(CALENDAR, now, queue, self.measured(now))
        r.predicted = business_seconds_between(CALENDAR, now, p.expected)
        r.ranged = p.ranged
        return p.due

    def misses(self, now: datetime, queue: QueueNow, due: datetime) -> bool:
        return predict(CALENDAR, now, queue, self.measured(now)).misses(due)


def old_promise(r: Request, now: datetime, queue: QueueNow) -> datetime:
    ahead = (queue.ahead + 1) * MEAN_HANDLE * 1.2 + sum(queue.busy_left)
    return due_by_capacity(CALENDAR, now, ahead, agents_at, OLD_POLICY)


def naive(_r: Request, now: datetime, _queue: QueueNow) -> datetime:
    return business_time_after(CALENDAR, now, 2 * 3600)


def report(requests: list[Request], names: list[str]) -> list[str]:
    lines = []
    for name in names:
        kept = repromised = 0
        left, windows, slack = [], [], []
        for r in requests:
            due, first = r.due[name], r.first_due.get(name)
            ok = r.served is not None and r.served <= due
            kept += ok and first is None
            repromised += ok and first is not None
            if r.served is not None:
                window = business_seconds_between(CALENDAR, r.at, due) or 1.0
                windows.append(window / 60)
                slack.append(max(0.0, (due - r.served).total_seconds()) / 60)
                left.append(max(0.0, business_seconds_between(CALENDAR, r.served, due)) / window)
        total = len(requests)
        broken = total - kept - repromised
        lines.append(
            f"  {name:<16} {kept / total:>6.1%} {repromised:>5} {broken:>6}"
            f" {percentile(windows, 50):>8.1f} min {percentile(slack, 50):>6.1f} min"
            f" {percentile(left, 50):>9.0%}"
            f" {percentile(left, 95):>9.0%}"
        )
    return lines


def run(seed: int, load: float, drop: bool) -> list[str]:
    rng = random.Random(seed)
    scale = scale_for(load)
    requests = arrivals(rng, HISTORY, 14, lambda at: rate_shape(at) * scale, MEAN_HANDLE)
    sim = Sim(CALENDAR, agents_at, drop=WEEK + timedelta(days=1, hours=14) if drop else None)
    ours = Ours(sim)
    makers: dict[str, Callable[[Request, datetime, QueueNow], datetime]] = {
        "ours (predicted)": ours,
        "before (roster)": old_promise,
        "naive 2 h": naive,
    }
    sim.run(requests, makers, repromise=ours)
    measured = [r for r in requests if r.at >= WEEK]
    ranged = sum(r.ranged for r in measured) / len(measured)
    head = f"load {load:.1f} seed {seed}: {len(measured)} requests, {ranged:.0%} said as a range"
    return [head, *report(measured, list(makers))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    parser.add_argument("--loads", type=float, nargs="+", default=[0.8, 1.2, 1.5])
    parser.add_argument("--drop", action="store_true", help="two agents leave Tuesday 14:00")
    args = parser.parse_args()
    print(
        f"promise weeks: history {HISTORY:%Y-%m-%d} + 7 days, measured {WEEK:%Y-%m-%d} (Mon)"
        " + 7 days, Europe/Moscow, a Wednesday holiday" + (", staffing drop" if args.drop else "")
    )
    print(
        f"  {'promise':<16} {'kept':>7} {'re-pr.':>5} {'broken':>6} {'med. window':>12}"
        f" {'med. slack':>10} {'med. left':>9} {'p95 left':>9}"
    )
    for load in args.loads:
        for seed in args.seeds:
            print("\n".join(run(seed, load, args.drop)))
    print(
        "kept: served by the told time; re-pr.: served by a new time told before the old one"
        " passed; left: the share of the window (business time from request to told time)"
        " left when served (target: kept >= 98 %, median left <= 25 %)."
    )


if __name__ == "__main__":
    main()
