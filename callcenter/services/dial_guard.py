"""The toll-fraud guard in front of every outbound dial asked from outside: a widget's
callback, an API token's, a chat ticket's call, a number keyed in at the IVR.

Contract: :meth:`DialGuard.guarded` decides (``domain.dial_guard.decide``: breaker,
number, per-number, per-client, per-widget, budget), then checks that the number has no
open callback in another queue, and only then runs ``dial`` with the E.164 number. Every
decision — accepted, merged into an open callback, refused by a rule, refused by the
callbacks service — is written to the audit before the caller hears of it. A refusal
raises :class:`~callcenter.domain.dial_guard.Refusal` naming the rule; nothing reaches
Asterisk for it. The request that finds the hourly budget used up trips the breaker:
``on_trip`` is told once (the log, the metric, the board's alarm).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from callcenter.domain.callbacks import CallbackError, NumberPolicy
from callcenter.domain.dial_guard import (
    DialAttempt,
    DialRecord,
    GuardLimits,
    GuardState,
    Refusal,
    Rule,
    decide,
    give_back,
)
from callcenter.domain.tickets import Page
from callcenter.services.callback_ports import CallbackAnswer
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)


class DialAudit(Protocol):
    async def record(self, record: DialRecord) -> DialRecord: ...
    async def page(
        self, refused: bool | None, limit: int, before: int | None
    ) -> Page[DialRecord]: ...
    async def counts(self, since: datetime) -> dict[str, int]: ...


class PendingNumbers(Protocol):
    async def open_queues(self, number: str) -> list[str]:
        """The queues where ``number`` has an open callback."""
        ...


class RequestRefused(Exception):
    """The callbacks service refused the request itself (its queue, its time): the
    guard passed it, nothing was dialled."""


class DialGuard:
    def __init__(
        self,
        audit: DialAudit,
        pending: PendingNumbers,
        numbers: NumberPolicy,
        limits: GuardLimits,
        clock: Clock,
        on_trip: Callable[[Refusal], None] | None = None,
        on_decision: Callable[[DialRecord], None] | None = None,
    ) -> None:
        self._audit = audit
        self._pending = pending
        self.numbers = numbers
        self.limits = limits
        self._clock = clock
        self._state = GuardState()
        self._on_trip = on_trip or (lambda _refusal: None)
        self._on_decision = on_decision or (lambda _record: None)

    @property
    def breaker_open(self) -> bool:
        return self._state.breaker_until > self._clock.now().timestamp()

    async def guarded(
        self,
        attempt: DialAttempt,
        queue: str,
        dial: Callable[[str], Awaitable[CallbackAnswer]],
        origin: str = "",
        user_agent: str = "",
    ) -> CallbackAnswer:
        """``dial(number)`` if the guard lets ``attempt`` through; Refusal otherwise, and
        RequestRefused when ``dial`` raised CallbackError (counts given back)."""
        now = self._clock.now()
        record = _record_of(attempt, now, origin, user_agent)
        try:
            # No await between counting and adding: one request's decision is atomic.
            number = decide(attempt, self.numbers, self.limits, self._state, now.timestamp())
        except Refusal as refusal:
            await self._refused(record, refusal)
            if refusal.rule is Rule.BUDGET:
                log.error("dial guard: breaker tripped (%s)", refusal.message)
                self._on_trip(refusal)
            raise
        record = _with(record, number=number)
        elsewhere = [q for q in await self._pending.open_queues(number) if q != queue]
        if elsewhere:
            give_back(number, attempt, self._state)
            pending = Refusal(
                Rule.PENDING, f"{number} already waits for a callback in {elsewhere[0]}"
            )
            await self._refused(record, pending)
            raise pending
        try:
            answer = await dial(number)
        except CallbackError as exc:
            give_back(number, attempt, self._state)
            await self._write(_with(record, message=f"request refused: {exc}"[:300]))
            log.info("dial guard: %s %s accepted, request refused: %s", attempt.source, number, exc)
            raise RequestRefused(str(exc)) from None
        if not answer.created:
            give_back(number, attempt, self._state)
        message = (
            f"callback {answer.callback.id}"
            if answer.created
            else f"merged into open callback {answer.callback.id}"
        )
        await self._write(_with(record, message=message, callback_id=answer.callback.id))
        log.info(
            "dial guard: %s %s from %s (%s) accepted: %s",
            attempt.source,
            number,
            attempt.client or "-",
            attempt.widget or "-",
            message,
        )
        return answer

    async def refuse(
        self, attempt: DialAttempt, refusal: Refusal, origin: str = "", user_agent: str = ""
    ) -> Refusal:
        """Audit a refusal decided before the guard's own rules (the token, the origin);
        returns it for the caller to raise."""
        record = _record_of(attempt, self._clock.now(), origin, user_agent)
        await self._refused(record, refusal)
        return refusal

    async def admit_call(
        self, attempt: DialAttempt, origin: str = "", user_agent: str = ""
    ) -> None:
        """An inbound web call (the browser is the phone: nothing is dialled out): the
        breaker, per-client, per-widget and budget rules only; audited like a dial."""
        now = self._clock.now()
        record = _record_of(attempt, now, origin, user_agent)
        try:
            decide(attempt, self.numbers, self.limits, self._state, now.timestamp())
        except Refusal as refusal:
            await self._refused(record, refusal)
            if refusal.rule is Rule.BUDGET:
                self._on_trip(refusal)
            raise
        await self._write(_with(record, message="web call admitted"))

    async def audit(self, refused: bool | None, limit: int, before: int | None) -> Page[DialRecord]:
        return await self._audit.page(refused, limit, before)

    async def counts(self, since: datetime) -> dict[str, int]:
        return await self._audit.counts(since)

    async def _refused(self, record: DialRecord, refusal: Refusal) -> None:
        log.info(
            "dial guard: %s %r from %s (%s) refused by %s: %s",
            record.source,
            record.number,
            record.client or "-",
            record.widget or "-",
            refusal.rule.value,
            refusal.message,
        )
        await self._write(_with(record, rule=refusal.rule, message=refusal.message[:300]))

    async def _write(self, record: DialRecord) -> None:
        stored = await self._audit.record(record)
        self._on_decision(stored)


def _with(record: DialRecord, **changes: object) -> DialRecord:
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def _record_of(attempt: DialAttempt, at: datetime, origin: str, user_agent: str) -> DialRecord:
    """The audit record of ``attempt`` before it is decided (the number as given)."""
    return DialRecord(
        at=at,
        source=attempt.source,
        number=attempt.number.strip()[:40],
        widget=attempt.widget,
        client=attempt.client,
        origin=origin,
        user_agent=user_agent,
    )
