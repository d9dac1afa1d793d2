"""What the dialplan reports of a callback, and the ends it leads to: the dial gate's
take, the agent who took the placeholder, the customer's Dial() ended, the placeholder
left with no agent, a retry later or a failure, a cancellation. Each is a compare-and-set
on (state, attempt): a repeated or late report changes nothing. (Split from
:mod:`callcenter.services.callbacks` by role.)"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import (
    RETRY_ON,
    Callback,
    CallbackError,
    CallbackState,
    StaleCallback,
    next_attempt,
    transition,
)
from callcenter.domain.promises import (
    PromiseKind,
    PromiseState,
)
from callcenter.domain.webhooks import Event
from callcenter.services.announcer import Announcer
from callcenter.services.callback_outcomes import CallbackOutcomes
from callcenter.services.callback_ports import (
    CallbackPolicy,
    CallbackStore,
    PlaceholderDialer,
)
from callcenter.services.ports import Clock, TelephonyError

log = logging.getLogger(__name__)

_TAKEN_OR_NOT = [CallbackState.WAITING, CallbackState.DIALING]


class CallbackReports:
    def __init__(
        self,
        store: CallbackStore,
        dialer: PlaceholderDialer,
        outcomes: CallbackOutcomes,
        calendar_of: Callable[[str], Calendar],
        policy: CallbackPolicy,
        clock: Clock,
        place: Callable[[Callback], Awaitable[None]],
        me: Callable[[], str | None],
        on_event: Callable[[str, Mapping[str, Any]], None],
    ) -> None:
        self._store, self._dialer, self._outcomes = store, dialer, outcomes
        self._calendar_of, self._policy, self._clock = calendar_of, policy, clock
        self.place, self._me, self._on_event = place, me, on_event

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
