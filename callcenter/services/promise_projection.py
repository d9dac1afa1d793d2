"""Due times from a wait, and the projection of open promises (escalation).

Contract: :func:`due_for` turns the wait ahead of a place (seconds, with the agents
serving now) into a due time — on the queue's roster when it has one (the work in
agent-seconds against the agents scheduled), else on the calendar with today's staffing.
:meth:`PromiseProjection.project` recomputes every open promise's ``projected_at`` (the
told ``due_at`` never changes) and escalates, once, those at risk.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import Callback, CallbackError, CallbackState, position_for
from callcenter.domain.promise_predictor import Prediction
from callcenter.domain.promises import (
    Promise,
    PromisePolicy,
    PromiseState,
    at_risk,
    due_by_capacity,
    due_time,
)
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.domain.webhooks import Event
from callcenter.services.announcer import Announcer
from callcenter.services.callback_ports import (
    CallbackPolicy,
    CallbackStore,
    PlaceholderDialer,
    WorkEstimator,
)
from callcenter.services.ports import Clock, TelephonyError
from callcenter.services.promise_predictions import PromisePredictions, predicted_or_none

log = logging.getLogger(__name__)


def due_for(
    policy: CallbackPolicy,
    queue: str,
    calendar: Calendar,
    start: datetime,
    wait: float,
    snapshot: QueueSnapshot,
    promise: PromisePolicy,
) -> datetime:
    roster = policy.roster(queue)
    if roster is None:
        return due_time(calendar, start, wait, promise)
    serving = sum(1 for m in snapshot.members if m.state not in ("paused", "unavailable"))
    return due_by_capacity(calendar, start, wait * max(1, serving), roster, promise)


async def quote(
    dialer: PlaceholderDialer,
    work: WorkEstimator,
    policy: CallbackPolicy,
    calendar_of: Callable[[str], Calendar],
    clock: Clock,
    queue: str,
    predictions: PromisePredictions | None = None,
) -> tuple[datetime, float]:
    """(due, work ahead in seconds) of a callback asked now at the back of ``queue``
    (the widget shows both before anyone asks); CallbackError for an unknown queue."""
    if queue not in policy.queues:
        raise CallbackError(f"queue: no such queue {queue!r}")
    calendar, now = calendar_of(queue), clock.now()
    snapshot = await queue_snapshot(dialer, queue)
    position = position_for(0.0, 0, waiting_of(snapshot))
    ahead = await work.for_position(queue, snapshot, position)
    if (p := await predicted_or_none(predictions, queue, snapshot, position, now)) is not None:
        return p.due, ahead
    return due_for(policy, queue, calendar, now, ahead, snapshot, policy.promise), ahead


def waiting_of(snapshot: QueueSnapshot, me: Callback | None = None) -> list[tuple[float, int]]:
    """(seconds waited, priority) of the callers in the queue, ``me``'s placeholder left out."""
    mine = me.placeholder if me is not None else None
    return [
        (w.wait, w.priority)
        for w in snapshot.waiting
        if mine is None or not w.channel.startswith(f"Local/{mine}@")
    ]


async def queue_snapshot(dialer: PlaceholderDialer, queue: str) -> QueueSnapshot:
    """The queue as app_queue sees it now; empty when AMI cannot tell (placed at the back)."""
    try:
        found = [s for s in await dialer.status(queue) if s.queue == queue]
    except TelephonyError as exc:
        log.warning("queue %s not seen (%s): placing at the back", queue, exc)
        found = []
    return found[0] if found else QueueSnapshot(queue, (), ())


class PromiseProjection:
    def __init__(
        self,
        store: CallbackStore,
        dialer: PlaceholderDialer,
        work: WorkEstimator,
        calendar_of: Callable[[str], Calendar],
        policy: CallbackPolicy,
        clock: Clock,
        on_event: Callable[[str, Mapping[str, Any]], None],
        predictions: PromisePredictions | None = None,
    ) -> None:
        self._predictions = predictions
        self._store = store
        self._dialer = dialer
        self._work = work
        self._calendar_of = calendar_of
        self._policy = policy
        self._clock = clock
        self._on_event = on_event

    async def project(self) -> None:
        now = self._clock.now()
        open_ = await self._store.open_promises()
        if not open_:
            return
        waiting = {
            c.id: c
            # This node's callbacks: the queue it projects them in is its own Asterisk's.
            for c in await self._store.in_states(
                [CallbackState.WAITING, CallbackState.RETRY, CallbackState.DIALING], True
            )
        }
        snapshots: dict[str, QueueSnapshot] = {}
        exact = dataclasses.replace(
            self._policy.promise, margin=timedelta(0), floor=timedelta(0), round_minutes=1
        )
        for promise in open_:
            cb = waiting.get(promise.subject_id)
            if cb is None:
                continue
            if cb.queue not in snapshots:
                snapshots[cb.queue] = await queue_snapshot(self._dialer, cb.queue)
            await self._project_one(promise, cb, snapshots[cb.queue], now, exact)

    async def _project_one(
        self,
        promise: Promise,
        cb: Callback,
        snapshot: QueueSnapshot,
        now: datetime,
        exact: PromisePolicy,
    ) -> None:
        position = position_for(
            (now - cb.joined_at).total_seconds(), cb.priority, waiting_of(snapshot, cb)
        )
        start = max(now, cb.next_attempt_at or now)
        calendar = self._calendar_of(cb.queue)
        p = await predicted_or_none(self._predictions, cb.queue, snapshot, position, start)
        if p is not None:
            projected = p.expected
            missed = promise.expected_at is not None and p.misses(promise.due_at)
            if missed and await self._repromise(promise, p, now):
                return
        else:
            wait = await self._work.for_position(cb.queue, snapshot, position)
            projected = due_for(self._policy, cb.queue, calendar, start, wait, snapshot, exact)
        changes: dict[str, Any] = {"projected_at": projected}
        if promise.expected_at is not None:  # predicted: at risk when it will be missed
            risky = projected > promise.due_at
        else:
            share = self._policy.promise.at_risk_share
            risky = at_risk(promise, projected, now, calendar, share)
        if risky and promise.state is PromiseState.OPEN:
            changes |= {"state": PromiseState.AT_RISK, "escalated_at": now}
        escalated: Announcer[Promise] = Announcer(_escalation(promise.state))
        stored = await self._store.update_promise(promise.id, changes, escalated)
        if stored.state is PromiseState.AT_RISK and promise.state is PromiseState.OPEN:
            log.warning(
                "promise %d (callback %d) at risk: projected %s, due %s",
                promise.id,
                cb.id,
                projected.isoformat(timespec="minutes"),
                promise.due_at.isoformat(timespec="minutes"),
            )
            escalated.tell(self._on_event)

    async def _repromise(self, promise: Promise, p: Prediction, now: datetime) -> bool:
        """Tell a new time before the old one passes (once per promise): True if told."""
        if promise.repromised_at is not None or now >= promise.due_at or p.due <= promise.due_at:
            return False
        told: Announcer[Promise] = Announcer(
            lambda stored: [Event("promise.repromised", {"promise": stored})]
        )
        earliest = p.earliest if p.ranged else None
        stored = await self._store.repromise(promise.id, p.due, earliest, now, told)
        if stored.repromised_at != now:
            return False
        log.warning(
            "promise %d re-promised: %s was to be missed (expected %s), now %s",
            promise.id,
            promise.due_at.isoformat(timespec="minutes"),
            p.expected.isoformat(timespec="minutes"),
            p.due.isoformat(timespec="minutes"),
        )
        told.tell(self._on_event)
        return True


def _escalation(was: PromiseState) -> Callable[[Promise], list[Event]]:
    """promise.at_risk when an open promise becomes at risk (once: it stays at risk)."""

    def events(stored: Promise) -> list[Event]:
        if stored.state is PromiseState.AT_RISK and was is PromiseState.OPEN:
            return [Event("promise.at_risk", {"promise": stored})]
        return []

    return events
