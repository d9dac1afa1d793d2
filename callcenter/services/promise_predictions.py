"""Predict, then promise — the daemon's side of :mod:`callcenter.domain.promise_predictor`.

Contract: :meth:`PromisePredictions.predict` turns the queue as app_queue sees it now (the
place, the agents serving and how long each busy one has talked) and what the store
measured for the queue (handle times per local hour over ``window``, the share of
callbacks needing a second attempt, our own past predictions against what they took) into
a :class:`~callcenter.domain.promise_predictor.Prediction`. What was measured is read at
most once a minute per queue. Raises NeverOpen (no open time within two weeks) and what
the store raises; the caller falls back to the older rule then.
"""

from __future__ import annotations

import logging
import time
import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.business_hours import Calendar, business_seconds_between
from callcenter.domain.promise_predictor import (
    Measured,
    PastPrediction,
    Prediction,
    PredictionPolicy,
    QueueNow,
    handle_by_hour,
    left_after,
    predict,
)
from callcenter.domain.promises import Promise
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)

NOT_SERVING = ("paused", "unavailable")


class PromiseHistory(Protocol):
    async def handle_times(self, queue: str, since: datetime) -> list[tuple[datetime, float]]: ...

    async def retry_share(self, queue: str, since: datetime) -> float | None: ...

    async def past_predictions(self, queue: str, since: datetime) -> list[Promise]: ...


def past_of(promises: list[Promise], calendar: Calendar) -> tuple[PastPrediction, ...]:
    """Each served promise's prediction against what it took, in business seconds."""
    zone = zoneinfo.ZoneInfo(calendar.timezone)
    return tuple(
        PastPrediction(
            p.made_at.astimezone(zone).hour,
            business_seconds_between(calendar, p.made_at, p.expected_at),
            business_seconds_between(calendar, p.made_at, p.closed_at),
        )
        for p in promises
        if p.expected_at is not None and p.closed_at is not None
    )


class PromisePredictions:
    def __init__(
        self,
        history: PromiseHistory,
        calendar_of: Callable[[str], Calendar],
        roster_of: Callable[[str], Callable[[datetime], float] | None],
        clock: Clock,
        retry_after: float,
        talking_for: Callable[[str], float | None] = lambda _agent: None,
        policy: PredictionPolicy | None = None,
        window: timedelta = timedelta(days=28),
    ) -> None:
        self._history = history
        self._calendar_of = calendar_of
        self._roster_of = roster_of
        self._clock = clock
        self._retry_after = retry_after
        self._talking_for = talking_for
        self.policy = policy or PredictionPolicy()
        self._window = window
        self._cache: dict[str, tuple[float, Measured]] = {}

    async def measured(self, queue: str) -> Measured:
        now = time.monotonic()
        cached = self._cache.get(queue)
        if cached is not None and now - cached[0] < 60:
            return cached[1]
        since = self._clock.now() - self._window
        calendar = self._calendar_of(queue)
        zone = zoneinfo.ZoneInfo(calendar.timezone)
        calls = await self._history.handle_times(queue, since)
        by_hour, every = handle_by_hour([(at.astimezone(zone).hour, s) for at, s in calls])
        retry = await self._history.retry_share(queue, since)
        past = past_of(await self._history.past_predictions(queue, since), calendar)
        measured = Measured(
            by_hour,
            every if every is not None else self.policy.default_handle,
            retry_share=retry or 0.0,
            retry_after=self._retry_after,
            past=past,
            handles=tuple(sorted(s for _at, s in calls)),
        )
        self._cache[queue] = (now, measured)
        return measured

    def queue_now(
        self, queue: str, snapshot: QueueSnapshot, position: int, measured: Measured
    ) -> QueueNow:
        """The queue for the caller at ``position`` (1 = next)."""
        serving = [m for m in snapshot.members if m.state not in NOT_SERVING]
        left = []
        for m in serving:
            if m.state == "ringing":
                left.append(measured.handle)
            elif m.state == "on_call":
                left.append(left_after(measured, self._talking_for(m.agent)))
        roster = self._roster_of(queue)
        # Nobody serving and no roster to say who comes: as if one agent logs in now (the
        # older rule's assumption) rather than no promise at all.
        seats = len(serving) if serving or roster is not None else 1
        return QueueNow(max(0, position - 1), seats, tuple(left), roster)

    async def predict(
        self, queue: str, snapshot: QueueSnapshot, position: int, start: datetime
    ) -> Prediction:
        measured = await self.measured(queue)
        now = self.queue_now(queue, snapshot, position, measured)
        prediction = predict(self._calendar_of(queue), start, now, measured, self.policy)
        log.info(
            "promise for %s position %d: expected %s, told %s%s (%s, %d agents serving,"
            " AHT %.0f s, %d past predictions)",
            queue,
            position,
            prediction.expected.isoformat(timespec="minutes"),
            f"{prediction.earliest:%H:%M}-" if prediction.ranged else "",
            prediction.due.isoformat(timespec="minutes"),
            prediction.basis,
            now.serving,
            measured.handle,
            len(measured.past),
        )
        return prediction


async def predicted_or_none(
    predictions: PromisePredictions | None,
    queue: str,
    snapshot: QueueSnapshot,
    position: int,
    start: datetime,
) -> Prediction | None:
    """The prediction, or None when there is no predictor or it fails (a store error, no
    open time): the caller then promises by the older rule (roster and a fixed margin)."""
    if predictions is None:
        return None
    try:
        return await predictions.predict(queue, snapshot, position, start)
    except Exception as exc:
        log.warning("promise for %s not predicted (%r): roster and margin", queue, exc)
        return None
