"""The simulated centre behind ``benchmarks.promise_week``: callback requests arriving,
agents on the roster serving them first come first served (a busy customer retried after
two minutes, keeping their place), promises made on arrival by each maker, and (optional)
re-promises when a projection shows a promise is about to be broken."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.domain.business_hours import Calendar, business_seconds_between, business_time_after
from callcenter.domain.promise_predictor import Measured, QueueNow, left_after


@dataclasses.dataclass
class Request:
    n: int
    at: datetime
    handle: float  # seconds, including wrap-up
    busy_first: bool
    due: dict[str, datetime] = dataclasses.field(default_factory=dict)
    first_due: dict[str, datetime] = dataclasses.field(default_factory=dict)  # re-promised
    served: datetime | None = None
    predicted: float | None = None  # business seconds to the predicted serve (ours)
    took: float | None = None  # business seconds to the real serve
    ranged: bool = False
    made_hour: int = 0
    served_hour: int = 0


def arrivals(
    rng: random.Random,
    start: datetime,
    days: int,
    rate: Callable[[datetime], float],
    mean_handle: float,
) -> list[Request]:
    """Requests by a non-homogeneous Poisson process (``rate``: per hour), by thinning."""
    out: list[Request] = []
    at, end = start, start + timedelta(days=days)
    peak = max(rate(start + timedelta(minutes=30 + 60 * i)) for i in range(days * 24))
    while at < end:
        at += timedelta(hours=rng.expovariate(peak))
        if at < end and rng.random() < rate(at) / peak:
            handle = rng.lognormvariate(math.log(360), 0.45) + 60  # 6 min median + wrap-up
            out.append(Request(len(out) + 1, at, handle, rng.random() < 0.2))
    return out


Maker = Callable[[Request, datetime, QueueNow], datetime]


class Projector(Protocol):
    def __call__(self, r: Request, now: datetime, queue: QueueNow) -> datetime: ...

    def misses(self, now: datetime, queue: QueueNow, due: datetime) -> bool: ...


class Sim:
    def __init__(
        self, calendar: Calendar, roster: Callable[[datetime], float], drop: datetime | None
    ) -> None:
        self.calendar = calendar
        self.roster = roster
        self.drop = drop
        self.zone = ZoneInfo(calendar.timezone)
        self.served: list[Request] = []
        # What the centre measured at an instant (set by the promise maker).
        self.measured: Callable[[datetime], Measured] = lambda _at: Measured({}, 420.0)

    def seats(self, at: datetime) -> int:
        """The agents really there: the roster, less two after the drop (that day)."""
        n = int(self.roster(at))
        if self.drop is not None and self.drop <= at < self.drop + timedelta(hours=10):
            n = max(1, n - 2) if n else 0
        return n

    def served_before(self, now: datetime) -> list[Request]:
        return [r for r in self.served if r.served is not None and r.served <= now]

    def _queue(
        self, clock: datetime, ahead: int, busy: list[tuple[datetime, datetime]]
    ) -> QueueNow:
        # The daemon knows how long each agent has talked, not how long they will.
        measured = self.measured(clock)
        left = tuple(
            left_after(measured, (clock - s).total_seconds()) for f, s in busy if f > clock
        )
        return QueueNow(ahead, self.seats(clock), left, self.roster)

    def run(
        self, requests: list[Request], makers: dict[str, Maker], repromise: Projector | None
    ) -> None:
        seats: list[tuple[datetime, datetime]] = []  # (free at, started at) per busy agent
        waiting: list[tuple[datetime, Request]] = []  # (ready at, request), place order
        pending = sorted(requests, key=lambda r: r.at)
        clock = pending[0].at.replace(second=0, microsecond=0)
        i = 0
        while i < len(pending) or waiting:
            while i < len(pending) and pending[i].at <= clock:
                r = pending[i]
                queue = self._queue(clock, len(waiting), seats)
                r.made_hour = r.at.astimezone(self.zone).hour
                for name, make in makers.items():
                    r.due[name] = make(r, r.at, queue)
                waiting.append((r.at, r))
                i += 1
            if repromise is not None and clock.minute % 5 == 0:
                self._repromise(repromise, clock, waiting, seats)
            seats = [s for s in seats if s[0] > clock]
            while len(seats) < self.seats(clock):
                due = next((w for w in waiting if w[0] <= clock), None)
                if due is None:
                    break
                waiting.remove(due)
                ready, r = due
                if r.busy_first and ready == r.at:  # busy: an attempt's minute, back in place
                    retry = business_time_after(self.calendar, clock + timedelta(minutes=2), 0)
                    waiting.insert(self._place(waiting, r), (retry, r))
                    seats.append((clock + timedelta(minutes=1), clock))
                    continue
                r.served, r.took = clock, business_seconds_between(self.calendar, r.at, clock)
                r.served_hour = clock.astimezone(self.zone).hour
                seats.append((clock + timedelta(seconds=r.handle), clock))
                self.served.append(r)
            clock += timedelta(minutes=1)

    @staticmethod
    def _place(waiting: list[tuple[datetime, Request]], r: Request) -> int:
        return next((k for k, (_t, w) in enumerate(waiting) if w.at > r.at), len(waiting))

    def _repromise(
        self,
        maker: Projector,
        clock: datetime,
        waiting: list[tuple[datetime, Request]],
        seats: list[tuple[datetime, datetime]],
    ) -> None:
        name = "ours (predicted)"
        for k, (_ready, r) in enumerate(waiting):
            due = r.due[name]
            # Looked at as the told time nears (the daemon looks at every open promise;
            # here, for speed, the last quarter of the window: at least half an hour, at
            # most two).
            left = (due - clock).total_seconds()
            if (
                name in r.first_due
                or left <= 0
                or left > max(1800.0, min((due - r.at).total_seconds() / 4, 7200.0))
            ):
                continue
            queue = self._queue(clock, k, seats)
            if maker.misses(clock, queue, due):
                predicted = r.predicted
                new = maker(r, clock, queue)
                r.predicted = predicted  # calibration compares the first prediction
                if new > due:
                    r.first_due[name], r.due[name] = due, new
