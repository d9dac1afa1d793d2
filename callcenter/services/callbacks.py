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
    RETRY_ON,
    Callback,
    CallbackError,
    CallbackState,
    NewCallback,
    StaleCallback,
    check_slot,
    dialable,
    next_attempt,
    position_for,
    transition,
)
from callcenter.domain.promises import (
    Promise,
    PromiseDay,
    PromiseFilter,
    PromiseKind,
    PromiseState,
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
from callcenter.services.ports import Clock, TelephonyError
from callcenter.services.promise_projection import (
    PromiseProjection,
    due_for,
    queue_snapshot,
    quote,
    waiting_of,
)

__all__ = ["CallbackAnswer", "CallbackPolicy", "CallbackRequest", "Callbacks"]

log = logging.getLogger(__name__)

_TAKEN_OR_NOT = [CallbackState.WAITING, CallbackState.DIALING]


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
    ) -> None:
        """``me``: this node's id in a cluster (placeholders of callbacks another node
        took over are not placed again here); None: a single daemon."""
        self._me = me
        self._store = store
        self._dialer = dialer
        self._tickets = tickets
        self._work = work
        self._calendar_of = calendar_of
        self._policy = policy
        self._clock = clock
        self._on_event = on_event or (lambda _kind, _data: None)
        self._outcomes = CallbackOutcomes(store, tickets, self._on_event)
        self.projection = PromiseProjection(
            store, dialer, work, calendar_of, policy, clock, self._on_event
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
            due = due_for(
                self._policy, req.queue, calendar, now, work, snapshot, self._policy.promise
            )
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
        if first_attempt is None:
            log.info(
                "callback %d: %s in %s, place %d, due %s (work %.0f s) -> waiting",
                callback.id,
                number,
                req.queue,
                position,
                due.isoformat(timespec="minutes"),
                work,
            )
        else:
            log.info(
                "callback %d: %s in %s scheduled, into the queue at %s, due %s -> retry",
                callback.id,
                number,
                req.queue,
                first_attempt.isoformat(timespec="minutes"),
                due.isoformat(timespec="minutes"),
            )
        announcer.tell(self._on_event)
        if first_attempt is None:
            await self.place(callback, snapshot)
        return CallbackAnswer(callback, promise, True)

    async def quote(self, queue: str) -> tuple[datetime, float]:
        """(due, work ahead in seconds) a callback asked now for ``queue`` would get."""
        args = (self._dialer, self._work, self._policy, self._calendar_of, self._clock)
        return await quote(*args, queue)

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

    # -- what the dialplan reports ----------------------------------------------------
    async def take(self, callback_id: int, attempt: int, agent: str) -> bool:
        """The dial gate, asked by the dialplan before it dials the customer: True once
        per attempt, for the node that claimed it at its epoch (waiting -> dialing)."""
        try:
            cb = await self._store.take(callback_id, attempt, agent)
        except StaleCallback as exc:
            log.warning("agent %s took a placeholder that may not dial: %s", agent, exc)
            return False
        log.info("callback %d attempt %d: agent %s took it -> dialing", cb.id, attempt, agent)
        return True

    async def agent_took(self, callback_id: int, attempt: int, agent: str) -> None:
        """app_queue says which agent answered the placeholder (the gate does not know)."""
        for _ in range(2):  # the gate may move it waiting -> dialing between read and write
            cb = await self._store.get(callback_id)
            if cb is None or cb.attempts != attempt or cb.state not in _TAKEN_OR_NOT:
                return
            try:
                await self._store.change(cb.id, [cb.state], attempt, {"agent": agent})
                return
            except StaleCallback:
                continue

    async def dialed(
        self, callback_id: int, attempt: int, status: str, talk_seconds: float
    ) -> None:
        """The customer's Dial() ended with DIALSTATUS ``status``."""
        cb = await self._store.get(callback_id)
        # WAITING too: the report may overtake app_queue's AgentConnect ("taken").
        if cb is None or cb.attempts != attempt or cb.state not in _TAKEN_OR_NOT:
            log.info(
                "callback %d attempt %d: %s reported again (ignored)", callback_id, attempt, status
            )
            return
        now = self._clock.now()
        if status == "ANSWER":
            answered = now - timedelta(seconds=max(0.0, talk_seconds))
            completed: Announcer[Callback] = Announcer(
                lambda cb: [Event("callback.completed", {"callback": cb})]
            )
            try:
                done = await self._store.change(
                    cb.id,
                    _TAKEN_OR_NOT,
                    attempt,
                    {"state": CallbackState.COMPLETED, "outcome": "ANSWER"},
                    completed,
                )
            except StaleCallback:
                return
            log.info(
                "callback %d: customer answered, talked %.0f s -> completed", cb.id, talk_seconds
            )
            await self._outcomes.close_promise(done, answered, True, f"answered by {done.agent}")
            completed.tell(self._on_event)
            await self._outcomes.note(
                done,
                f"Callback to {done.number}: answered, talked"
                f" {talk_seconds:.0f} s with agent {done.agent}.",
                talk_seconds,
            )
            return
        reason = status or "FAILED"
        if status not in RETRY_ON:
            log.warning("callback %d: Dial() ended %r: counted as a failed attempt", cb.id, status)
        await self.retry_later(cb, cb.state, reason, True)

    async def left(self, callback_id: int, attempt: int, status: str) -> None:
        """The placeholder left its queue without an agent (queue timeout, Asterisk
        restarted, the channel hung up): it is placed again at once, same attempt."""
        cb = await self._store.get(callback_id)
        if cb is None or cb.attempts != attempt or cb.state is not CallbackState.WAITING:
            return
        if (me := self._me()) is not None and cb.owner_node != me:
            log.info("callback %d: placeholder left; now %s's to place", cb.id, cb.owner_node)
            return
        log.warning(
            "callback %d: placeholder left %s (%s): placing it again",
            cb.id,
            cb.queue,
            status or "hung up",
        )
        await self.place(cb)

    async def retry_later(
        self, cb: Callback, current: CallbackState, reason: str, counted: bool
    ) -> None:
        now = self._clock.now()
        if counted and cb.attempts >= cb.max_attempts:
            try:
                failed = await self._store.change(
                    cb.id,
                    [current],
                    cb.attempts,
                    {"state": CallbackState.FAILED, "outcome": reason},
                )
            except StaleCallback:
                return
            log.warning(
                "callback %d: %s on attempt %d of %d -> failed",
                cb.id,
                reason,
                cb.attempts,
                cb.max_attempts,
            )
            await self._outcomes.close_promise(failed, now, False, f"attempts exhausted ({reason})")
            await self._outcomes.note(
                failed,
                f"Callback to {failed.number} failed after {failed.attempts} attempt(s): {reason}.",
                0.0,
            )
            return
        at = next_attempt(cb, now, self._policy.retry, self._calendar_of(cb.queue))
        # Not counted (Asterisk refused the placeholder): the attempt is given back.
        changes: dict[str, Any] = {
            "state": CallbackState.RETRY,
            "outcome": reason,
            "next_attempt_at": at,
        }
        if not counted:
            changes["attempts"] = cb.attempts - 1
        try:
            await self._store.change(cb.id, [current], cb.attempts, changes)
        except StaleCallback:
            return
        log.info("callback %d: %s -> retry at %s", cb.id, reason, at.isoformat(timespec="seconds"))

    async def cancel(self, callback_id: int, why: str) -> Callback:
        """Cancel a waiting or retrying callback (its placeholder, if any, is left to
        find the callback cancelled: it dials nobody)."""
        cb = await self._store.get(callback_id)
        if cb is None:
            raise LookupError(f"callback {callback_id}: no such callback")
        transition(cb, CallbackState.CANCELLED)  # raises CallbackError when not allowed
        try:
            done = await self._store.change(
                cb.id,
                [CallbackState.WAITING, CallbackState.RETRY],
                None,
                {"state": CallbackState.CANCELLED, "outcome": why[:200]},
            )
        except StaleCallback as exc:
            raise CallbackError(str(exc)) from None
        log.info("callback %d: cancelled (%s)", cb.id, why)
        try:
            await self._dialer.withdraw(done)
        except TelephonyError as exc:
            # The dial gate refuses it anyway (cancelled): an agent taking it hears so.
            log.warning("callback %d: placeholder not withdrawn (%s)", cb.id, exc)
        promise = await self._store.promise_for(PromiseKind.CALLBACK, cb.id)
        if promise is not None:
            await self._store.update_promise(
                promise.id,
                {"state": PromiseState.CANCELLED, "closed_at": self._clock.now(), "outcome": why},
            )
        return done

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
