"""A simulated week of callback requests through the real promise code, with a simulated
clock: how many promises are kept, and with how much to spare — ours side by side with the
promise most products would give ("within 2 business hours").

Traffic: callback requests arrive by hour of day (a morning and an afternoon peak, a few
from the web at night and on Sunday), agents work shifts (fewer at the edges of the day,
a lunch dip, a short Saturday), handle times vary (lognormal, 6 min median), one customer
in five is busy on the first try (retried after 2, 4, 8 min, on the calendar). Requests
are served first come, first served, as placeholders in a queue are.

Promises, each computed when the request is made (``callcenter.domain.promises``):
- ``ours (roster)``: ``due_by_capacity`` — the work ahead plus this one (p80 of recent
  handle times each), against the agents the roster schedules from now on, plus the
  margin, rounded up to a quarter;
- ``ours (now)``: ``due_time`` with the wait from the agents serving at the moment only
  (what the daemon does today, without a roster);
- ``naive``: 2 business hours after the request.

    .venv/bin/python -m benchmarks.promise_week [--seed 7] [--weeks 1]

Targets: ≥ 98 % kept with the median slack under a quarter of the promise's window.
"""

from __future__ import annotations

import argparse
import dataclasses
import heapq
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from benchmarks.stats import percentile
from callcenter.domain.business_hours import Calendar, business_seconds_between, business_time_after
from callcenter.domain.promises import PromisePolicy, due_by_capacity, due_time

ZONE = ZoneInfo("Europe/Moscow")
WEEKDAY = ((9 * 60, 13 * 60), (14 * 60, 19 * 60))  # a lunch hour: the clock stops
CALENDAR = Calendar(
    "Europe/Moscow",
    {**{d: WEEKDAY for d in ("mon", "tue", "wed", "thu", "fri")}, "sat": ((10 * 60, 15 * 60),)},
    frozenset({"2026-12-09"}),  # a Wednesday holiday
)
# Requests per hour by local hour (weekdays); Saturday half, Sunday and nights a trickle.
RATE = {9: 6, 10: 10, 11: 14, 12: 12, 13: 4, 14: 8, 15: 12, 16: 14, 17: 9, 18: 5}
NIGHT_RATE = 0.5
# Agents serving callbacks by local hour on weekdays (the roster); Saturday: 2.
ROSTER = {9: 1, 10: 2, 11: 3, 12: 3, 13: 0, 14: 2, 15: 3, 16: 3, 17: 2, 18: 1}
POLICY = PromisePolicy(margin=timedelta(minutes=5), round_minutes=15, floor=timedelta(minutes=10))
BUSY = 0.2
WEEK = datetime(2026, 12, 7, 0, 0, tzinfo=ZONE)  # a Monday


def agents_at(at: datetime) -> float:
    local = at.astimezone(ZONE)
    if not _open(at):
        return 0.0
    if local.weekday() == 5:
        return 2.0
    return float(ROSTER.get(local.hour, 0))


def _open(at: datetime) -> bool:
    return business_time_after(CALENDAR, at, 0) == at.astimezone(UTC)


LOAD = [1.0]  # --load: every rate multiplied


def rate_at(at: datetime) -> float:
    local = at.astimezone(ZONE)
    if not _open(at):
        return NIGHT_RATE * LOAD[0]
    return RATE.get(local.hour, 1) * (0.5 if local.weekday() == 5 else 1.0) * LOAD[0]


@dataclasses.dataclass
class Request:
    n: int
    at: datetime
    handle: float  # seconds, including wrap-up
    busy_first: bool
    due: dict[str, datetime] = dataclasses.field(default_factory=dict)
    served: datetime | None = None


def arrivals(rng: random.Random, start: datetime, days: int) -> list[Request]:
    out, at, n = [], start, 0
    end = start + timedelta(days=days)
    while at < end:
        # Thinning: draw at the peak rate, keep with probability rate/peak.
        peak = max(RATE.values()) * LOAD[0]
        at += timedelta(hours=rng.expovariate(peak))
        if rng.random() < rate_at(at) / peak:
            n += 1
            handle = rng.lognormvariate(math.log(360), 0.45) + 60  # 6 min median + wrap-up
            out.append(Request(n, at, handle, rng.random() < BUSY))
    return out


def simulate(
    requests: list[Request], promise: dict[str, Callable[[Request, int, list[float]], datetime]]
) -> None:
    """First come, first served by the rostered agents; promises made on arrival."""
    free: list[datetime] = []  # when each agent seat frees up (grows with the roster)
    waiting: list[tuple[datetime, int, Request]] = []  # (ready at, n, request)
    recent: list[float] = []  # handle times of served requests (the p80 estimate)
    pending = sorted(requests, key=lambda r: r.at)
    clock = pending[0].at if pending else WEEK
    step = timedelta(minutes=1)
    i = 0
    horizon = (pending[-1].at if pending else WEEK) + timedelta(days=5)
    while clock < horizon and (i < len(pending) or waiting):
        while i < len(pending) and pending[i].at <= clock:
            r = pending[i]
            ahead = len(waiting)
            # What the agents on calls still have to do (the daemon knows how long each
            # has talked: the agent states).
            busy = sum((f - clock).total_seconds() for f in free if f > clock)
            for name, make in promise.items():
                r.due[name] = make(r, ahead, busy, recent)
            heapq.heappush(waiting, (r.at, r.n, r))
            i += 1
        seats = int(agents_at(clock))
        free = [f for f in free if f > clock]
        while len(free) < seats:
            # The first in place order whose attempt is due: a retried callback keeps its
            # place (its placeholder enters by its original join time), it just waits out
            # the backoff.
            due = next((w for w in sorted(waiting, key=lambda w: w[2].at) if w[0] <= clock), None)
            if due is None:
                break
            waiting.remove(due)
            heapq.heapify(waiting)
            ready, _, r = due
            if r.busy_first and ready == r.at:
                # Busy: the attempt took a minute; next try after the backoff, on the calendar.
                heapq.heappush(
                    waiting,
                    (business_time_after(CALENDAR, clock + timedelta(minutes=2), 0), r.n, r),
                )
                free.append(clock + timedelta(minutes=1))
                continue
            r.served = clock  # the customer answers now
            free.append(clock + timedelta(seconds=r.handle))
            recent.append(r.handle)
        clock += step


def report(requests: list[Request]) -> str:
    lines = [
        f"promise week: {len(requests)} callback requests, {WEEK:%Y-%m-%d} (Mon) + 7 days,"
        " Europe/Moscow, a Wednesday holiday",
        f"{'promise':<15} {'kept':>7} {'broken':>7} {'median slack':>13} {'p95 slack':>10}"
        f" {'median window':>14} {'slack/window':>13}",
    ]
    for name in requests[0].due:
        kept, slacks, windows, shares = 0, [], [], []
        for r in requests:
            due, served = r.due[name], r.served
            if served is not None and served <= due:
                kept += 1
            if served is not None:
                slack = (due - served).total_seconds()
                window = business_seconds_between(CALENDAR, r.at, due) or 1.0
                slacks.append(slack / 60)
                windows.append(window / 60)
                shares.append(business_seconds_between(CALENDAR, served, due) / window)
        total = len(requests)
        lines.append(
            f"{name:<15} {kept / total:>6.1%} {total - kept:>7} {percentile(slacks, 50):>10.1f} min"
            f" {percentile(slacks, 95):>6.1f} min {percentile(windows, 50):>10.1f} min"
            f" {percentile(shares, 50):>12.0%}"
        )
    lines.append(
        "kept: served by the told time; slack: minutes to spare (wall clock); window: business"
        " minutes from request to the told time; slack/window: the share of that window"
        " left when served (target: kept >= 98 %, median slack/window < 25 %)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--load", type=float, default=1.0, help="every arrival rate times this")
    args = parser.parse_args()
    LOAD[0] = args.load
    rng = random.Random(args.seed)
    requests = arrivals(rng, WEEK, args.days)

    def p80(recent: list[float]) -> float:
        return percentile(recent[-200:], 80) if len(recent) >= 10 else 420.0

    def roster(r: Request, ahead: int, busy: float, recent: list[float]) -> datetime:
        work = (ahead + 1) * p80(recent) + busy
        return due_by_capacity(CALENDAR, r.at, work, agents_at, POLICY)

    def now_only(r: Request, ahead: int, busy: float, recent: list[float]) -> datetime:
        serving = max(1.0, agents_at(r.at))
        return due_time(CALENDAR, r.at, ((ahead + 1) * p80(recent) + busy) / serving, POLICY)

    def naive(r: Request, _ahead: int, _busy: float, _recent: list[float]) -> datetime:
        return business_time_after(CALENDAR, r.at, 2 * 3600)

    simulate(requests, {"ours (roster)": roster, "ours (now)": now_only, "naive 2 h": naive})
    print(report(requests))


if __name__ == "__main__":
    main()
