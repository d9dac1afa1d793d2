"""Calibration of promises: for each queue and local hour they were made, the window told
against the time it really took to serve, the share kept, and the share of the window left
when served — and an alert when a queue's promises drift from the targets (kept share
under ``kept_target``, median share left over ``left_target``). Pure.

Callback promises only (a voicemail's due time is the queue's promised response time, not
a prediction). Windows are business time on the queue's calendar; a re-promised promise
counts apart (neither kept nor broken) and its window is the one told first.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from collections.abc import Callable, Sequence

from callcenter.domain.business_hours import Calendar, business_seconds_between
from callcenter.domain.promise_predictor import quantile
from callcenter.domain.promises import Promise, PromiseKind, PromiseState

KEPT_TARGET = 0.98
LEFT_TARGET = 0.25
MIN_CLOSED = 10  # a queue's figures over fewer closed promises raise no alert


@dataclasses.dataclass(frozen=True)
class CalibrationCell:
    queue: str
    hour: int  # local hour made; -1: every hour of the queue
    made: int
    kept: int
    repromised: int  # served by a new time told before the first passed
    broken: int
    median_window: float | None  # business seconds from the request to the told time
    median_served: float | None  # business seconds from the request to the answer
    median_left: float | None  # share of the window left when served
    p95_left: float | None

    @property
    def closed(self) -> int:
        return self.kept + self.repromised + self.broken

    @property
    def kept_share(self) -> float | None:
        return self.kept / self.closed if self.closed else None


@dataclasses.dataclass(frozen=True)
class CalibrationAlert:
    queue: str
    figure: str  # "kept_share" | "median_left"
    value: float
    target: float


def _served(p: Promise) -> bool:
    return p.closed_at is not None and p.outcome.startswith("answered")


def _cell(queue: str, hour: int, items: Sequence[Promise], calendar: Calendar) -> CalibrationCell:
    windows, served, left = [], [], []
    for p in items:
        told = p.first_due_at or p.due_at
        window = business_seconds_between(calendar, p.made_at, told)
        windows.append(window)
        if _served(p) and p.closed_at is not None:
            took = business_seconds_between(calendar, p.made_at, p.closed_at)
            served.append(took)
            if window > 0:
                left.append(max(0.0, window - took) / window)
    kept = sum(1 for p in items if p.state is PromiseState.KEPT and p.repromised_at is None)
    again = sum(1 for p in items if p.state is PromiseState.KEPT and p.repromised_at is not None)
    broken = sum(1 for p in items if p.state is PromiseState.BROKEN)
    return CalibrationCell(
        queue,
        hour,
        len(items),
        kept,
        again,
        broken,
        quantile(windows, 0.5) if windows else None,
        quantile(served, 0.5) if served else None,
        quantile(left, 0.5) if left else None,
        quantile(left, 0.95) if left else None,
    )


def calibration(
    promises: Sequence[Promise], calendar_of: Callable[[str], Calendar]
) -> tuple[list[CalibrationCell], list[CalibrationCell], list[CalibrationAlert]]:
    """(cells per queue and hour, one per queue over every hour, the alerts)."""
    by_queue: dict[str, list[Promise]] = {}
    for p in promises:
        if p.kind is PromiseKind.CALLBACK and p.state is not PromiseState.CANCELLED:
            by_queue.setdefault(p.queue, []).append(p)
    cells, queues, alerts = [], [], []
    for queue, items in sorted(by_queue.items()):
        calendar = calendar_of(queue)
        zone = zoneinfo.ZoneInfo(calendar.timezone)
        hours: dict[int, list[Promise]] = {}
        for p in items:
            hours.setdefault(p.made_at.astimezone(zone).hour, []).append(p)
        cells += [_cell(queue, h, hours[h], calendar) for h in sorted(hours)]
        whole = _cell(queue, -1, items, calendar)
        queues.append(whole)
        alerts += drift(whole)
    return cells, queues, alerts


def drift(cell: CalibrationCell) -> list[CalibrationAlert]:
    """The alerts of a queue's figures: too few kept, or promises too loose."""
    if cell.closed < MIN_CLOSED:
        return []
    out = []
    if cell.kept_share is not None and cell.kept_share < KEPT_TARGET:
        out.append(CalibrationAlert(cell.queue, "kept_share", cell.kept_share, KEPT_TARGET))
    if cell.median_left is not None and cell.median_left > LEFT_TARGET:
        out.append(CalibrationAlert(cell.queue, "median_left", cell.median_left, LEFT_TARGET))
    return out
