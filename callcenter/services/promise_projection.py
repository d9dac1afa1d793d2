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
) -> tuple[datetime, float]:
    """(due, work ahead in seconds) of a callback asked now at the back of ``queue``
    (the widget shows both before anyone asks); CallbackError for an unknown queue."""
    if queue not in policy.queues:
        raise CallbackError(f"queue: no such queue {queue!r}")
    calendar, now = calendar_of(queue), clock.now()
    snapshot = await queue_snapshot(dialer, queue)
    ahead = await work.for_position(queue, snapshot, position_for(0.0, 0, waiting_of(snapshot)))
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
    ) -> None:
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
            snapshot = snapshots[cb.queue]
            position = position_for(
                (now - cb.joined_at).total_seconds(), cb.priority, waiting_of(snapshot, cb)
            )
            start = max(now, cb.next_attempt_at or now)
            calendar = self._calendar_of(cb.queue)
            wait = await self._work.for_position(cb.queue, snapshot, position)
            projected = due_for(self._policy, cb.queue, calendar, start, wait, snapshot, exact)
            changes: dict[str, Any] = {"projected_at": projected}
            risky = at_risk(promise, projected, now, calendar, self._policy.promise.at_risk_share)
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


def _escalation(was: PromiseState) -> Callable[[Promise], list[Event]]:
    """promise.at_risk when an open promise becomes at risk (once: it stays at risk)."""

    def events(stored: Promise) -> list[Event]:
        if stored.state is PromiseState.AT_RISK and was is PromiseState.OPEN:
            return [Event("promise.at_risk", {"promise": stored})]
        return []

    return events
