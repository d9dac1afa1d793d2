"""Callbacks that keep the caller's place, and the promises told to callers.

Contract:
- :meth:`Callbacks.request` checks the number (toll-fraud guard: E.164, allowed country
  and type, deny list — CallbackError naming the rule otherwise), computes the promise on
  the queue's calendar, stores both in one transaction (or finds the open request of that
  number in that queue: merged, nothing new) and places the placeholder in the queue at
  the caller's place. Nothing is dialled here.
- The dial gate (:meth:`take`, asked by the dialplan before it dials the customer)
  moves waiting -> dialing once per attempt, only for the node that claimed the attempt,
  at the epoch it claimed with: a placeholder left behind by a node that lapsed, a
  cancelled callback or a second placeholder of one attempt dials nobody — and nothing
  dials while this daemon is away. The dialplan also takes the attempt's token
  atomically (under LOCK) before it asks.
- The dialplan reports what happened (``dialed``: the customer's Dial() ended; ``left``:
  the placeholder left the queue with no agent). Each is a compare-and-set on (state,
  attempt): a repeated or late report changes nothing.
- Sweeping and reconciling with Asterisk: :mod:`callcenter.services.callback_sweeper`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import (
    Callback,
    CallbackError,
    CallbackState,
    NewCallback,
    check_slot,
    dialable,
    position_for,
)
from callcenter.domain.promise_predictor import Prediction
from callcenter.domain.promises import (
    Promise,
    PromiseDay,
    PromiseFilter,
    PromiseKind,
    summary,
)
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.domain.tickets import Page
from callcenter.domain.webhooks import Event
from callcenter.services.announcer import Announcer
from callcenter.services.callback_outcomes import CallbackOutcomes
from callcenter.services.callback_ports import (
    CallbackAnswer,
    CallbackPolicy,
    CallbackRequest,
    CallbackStore,
    CallbackTickets,
    PlaceholderDialer,
    WorkEstimator,
)
from callcenter.services.callback_reports import CallbackReports
from callcenter.services.ports import Clock, TelephonyError
from callcenter.services.promise_predictions import PromisePredictions, predicted_or_none
from callcenter.services.promise_projection import (
    PromiseProjection,
    due_for,
    queue_snapshot,
    quote,
    waiting_of,
)

__all__ = ["CallbackAnswer", "CallbackPolicy", "CallbackRequest", "Callbacks"]

log = logging.getLogger(__name__)

Plan = tuple[
    datetime | None, datetime, datetime, int, float, QueueSnapshot | None, Prediction | None
]


class Callbacks:
    def __init__(
        self,
        store: CallbackStore,
        dialer: PlaceholderDialer,
        tickets: CallbackTickets,
        work: WorkEstimator,
        calendar_of: Callable[[str], Calendar],
        policy: CallbackPolicy,
        clock: Clock,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
        me: Callable[[], str | None] = lambda: None,
        predictions: PromisePredictions | None = None,
    ) -> None:
        """``me``: this node's id in a cluster (placeholders of callbacks another node
        took over are not placed again here); None: a single daemon. ``predictions``:
        promises predicted and calibrated (else the roster and a fixed margin)."""
        self._me = me
        self._predictions = predictions
        self._store = store
        self._dialer = dialer
        self._tickets = tickets
        self._work = work
        self._calendar_of = calendar_of
        self._policy = policy
        self._clock = clock
        self._on_event = on_event or (lambda _kind, _data: None)
        self._outcomes = CallbackOutcomes(store, tickets, self._on_event)
        self._reports = CallbackReports(
            store,
            dialer,
            self._outcomes,
            calendar_of,
            policy,
            clock,
            self.place,
            me,
            self._on_event,
        )
        self.projection = PromiseProjection(
            store, dialer, work, calendar_of, policy, clock, self._on_event, predictions
        )

    # -- requests ---------------------------------------------------------------------
    async def request(self, req: CallbackRequest) -> CallbackAnswer:
        if req.queue not in self._policy.queues:
            raise CallbackError(f"queue: no such queue {req.queue!r}")
        number = dialable(req.number, self._policy.numbers, req.field)
        now = self._clock.now()
        joined = min(req.joined_at or now, now)
        ticket = req.ticket_number
        if ticket is None and req.call_id:
            ticket = await self._tickets.call_ticket(req.call_id)
        plan = await self._plan(req, now, joined)
        first_attempt, joined, due, position, work, snapshot, predicted = plan
        announcer: Announcer[tuple[Callback, Promise]] = Announcer(
            lambda made: [
                Event("callback.requested", {"callback": made[0], "promise": made[1]}),
                Event("promise.made", {"promise": made[1]}),
            ]
        )
        callback, promise, created = await self._store.request(
            NewCallback(
                queue=req.queue,
                number=number,
                requested_at=now,
                joined_at=joined,
                due_at=due,
                expected_at=predicted.expected if predicted else None,
                earliest_at=predicted.earliest if predicted and predicted.ranged else None,
                basis=predicted.basis if predicted else "",
                priority=req.priority,
                call_id=req.call_id,
                ticket_number=ticket,
                max_attempts=self._policy.max_attempts,
                reason=req.reason,
                source=req.source,
                first_attempt_at=first_attempt,
                lost_call=req.lost_call,
            ),
            announcer,
        )
        if not created:
            log.info("callback %d: %s already waits in %s (merged)", callback.id, number, req.queue)
            return CallbackAnswer(callback, promise, False)
        _log_request(callback, due, position, work, first_attempt)
        announcer.tell(self._on_event)
        if first_attempt is None:
            await self.place(callback, snapshot)
        return CallbackAnswer(callback, promise, True)

    async def _plan(self, req: CallbackRequest, now: datetime, joined: datetime) -> Plan:
        """(first attempt if scheduled, joined, due, place, work ahead, the queue seen,
        the prediction behind the due time)."""
        calendar = self._calendar_of(req.queue)
        first_attempt: datetime | None = None
        snapshot: QueueSnapshot | None = None
        if req.at is not None:
            at = check_slot(calendar, now, req.at)
            # In the queue a few minutes early, in its place from then: answered on time.
            first_attempt = max(now, at - self._policy.promise.margin)
            joined = first_attempt
            due = at + timedelta(minutes=self._policy.promise.round_minutes)
            position, work = 0, 0.0
        else:
            snapshot = await queue_snapshot(self._dialer, req.queue)
            waited = (now - joined).total_seconds()
            position = position_for(waited, req.priority, waiting_of(snapshot))
            work = await self._work.for_position(req.queue, snapshot, position)
            predicted = await predicted_or_none(
                self._predictions, req.queue, snapshot, position, now
            )
            if predicted is not None:
                return None, joined, predicted.due, position, work, snapshot, predicted
            due = due_for(
                self._policy, req.queue, calendar, now, work, snapshot, self._policy.promise
            )
        return first_attempt, joined, due, position, work, snapshot, None

    async def quote(self, queue: str) -> tuple[datetime, float]:
        """(due, work ahead in seconds) a callback asked now for ``queue`` would get."""
        args = (self._dialer, self._work, self._policy, self._calendar_of, self._clock)
        return await quote(*args, queue, self._predictions)

    async def place(self, callback: Callback, snapshot: QueueSnapshot | None = None) -> None:
        """Put the (claimed, waiting) callback's placeholder into its queue; if Asterisk
        refuses, the attempt is given back for a retry (nothing was dialled)."""
        if snapshot is None:
            snapshot = await queue_snapshot(self._dialer, callback.queue)
        waited = (self._clock.now() - callback.joined_at).total_seconds()
        position = position_for(waited, callback.priority, waiting_of(snapshot))
        try:
            await self._dialer.place(callback, position)
        except TelephonyError as exc:
            log.warning("callback %d: placeholder not placed (%s) -> retry", callback.id, exc)
            await self.retry_later(callback, CallbackState.WAITING, f"not placed: {exc}", False)
            return
        log.info(
            "callback %d attempt %d: placeholder %s in %s at position %d",
            callback.id,
            callback.attempts,
            callback.placeholder,
            callback.queue,
            position,
        )

    # -- what the dialplan reports (CallbackReports) -----------------------------------

    async def take(self, callback_id: int, attempt: int, agent: str) -> bool:
        return await self._reports.take(callback_id, attempt, agent)

    async def agent_took(self, callback_id: int, attempt: int, agent: str) -> None:
        await self._reports.agent_took(callback_id, attempt, agent)

    async def dialed(
        self, callback_id: int, attempt: int, status: str, talk_seconds: float
    ) -> None:
        await self._reports.dialed(callback_id, attempt, status, talk_seconds)

    async def left(self, callback_id: int, attempt: int, status: str) -> None:
        await self._reports.left(callback_id, attempt, status)

    async def retry_later(
        self, cb: Callback, current: CallbackState, reason: str, counted: bool
    ) -> None:
        await self._reports.retry_later(cb, current, reason, counted)

    async def cancel(self, callback_id: int, why: str) -> Callback:
        return await self._reports.cancel(callback_id, why)

    # -- reading ----------------------------------------------------------------------
    async def get(self, callback_id: int) -> tuple[Callback, Promise | None] | None:
        cb = await self._store.get(callback_id)
        if cb is None:
            return None
        return cb, await self._store.promise_for(PromiseKind.CALLBACK, cb.id)

    async def search(
        self, state: CallbackState | None, queue: str, limit: int, before: int | None
    ) -> Page[Callback]:
        return await self._store.search(state, queue, limit, before)

    async def promises(self, where: PromiseFilter, limit: int, before: int | None) -> Page[Promise]:
        return await self._store.promises(where, limit, before)

    async def summary(self, since: datetime, until: datetime) -> list[PromiseDay]:
        return summary(await self._store.promise_counts(since, until))


def _log_request(
    callback: Callback,
    due: datetime,
    position: int,
    work: float,
    first_attempt: datetime | None,
) -> None:
    queue = callback.queue
    if first_attempt is None:
        log.info(
            "callback %d: %s in %s, place %d, due %s (work %.0f s) -> waiting",
            callback.id,
            callback.number,
            queue,
            position,
            due.isoformat(timespec="minutes"),
            work,
        )
    else:
        log.info(
            "callback %d: %s in %s scheduled, into the queue at %s, due %s -> retry",
            callback.id,
            callback.number,
            queue,
            first_attempt.isoformat(timespec="minutes"),
            due.isoformat(timespec="minutes"),
        )
