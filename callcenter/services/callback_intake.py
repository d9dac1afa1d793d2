"""The caller's side of a callback request, on the live call (ARI): which number to call,
the request, the promise told, goodbye.

Contract: the caller hears their caller id read back ("to call this number … if this is
correct press 1"); 1 — or silence — keeps it, 2 (or a caller id no callback may dial)
asks them to key one in, ending with #, which passes the same guard (two tries). Then the
request is made (:class:`~callcenter.services.callbacks.Callbacks`) and the caller hears
when they will be called back, in the queue's zone, with Asterisk's say files; a number
that already waits hears its existing promise. A caller who hangs up before the request
is made has asked for nothing. Returns the call's outcome (CALLBACK, or COMPLETED when no
request was made).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import (
    CallbackError,
    NumberPolicy,
    check_slot,
    dialable,
    time_of_day,
)
from callcenter.domain.calls import CallOutcome, DtmfReceived, FallbackCall, IvrResult
from callcenter.domain.dial_guard import DialAttempt, Refusal
from callcenter.domain.promises import spoken_due
from callcenter.services.call_prompts import ask, say
from callcenter.services.call_session import CallSession
from callcenter.services.callback_ports import CallbackAnswer
from callcenter.services.callbacks import CallbackRequest, Callbacks
from callcenter.services.dial_guard import DialGuard, RequestRefused
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 6.0  # to press 1 or 2 after the number is read back
KEY_IN_SECONDS = 8.0  # between digits keyed in
MAX_DIGITS = 15
_REASONS = {"queue": "asked while waiting in {queue}"}


class CallbackIntake:
    def __init__(
        self,
        callbacks: Callbacks,
        numbers: NumberPolicy,
        calendar_of: Callable[[str], Calendar],
        clock: Clock,
        thanks_sound: str = "auth-thankyou",
        guard: DialGuard | None = None,
    ) -> None:
        self._callbacks = callbacks
        self._guard = guard
        self._numbers = numbers
        self._calendar_of = calendar_of
        self._clock = clock
        self._thanks = thanks_sound

    async def handle(self, session: CallSession) -> CallOutcome:
        """Stasis args ``callback,QUEUE,JOINED_EPOCH,PRIORITY`` (the queue's exit digit)."""
        args = session.entered.args
        queue = args[1] if len(args) > 1 else ""
        joined = _epoch(args[2] if len(args) > 2 else "")
        priority = int(args[3]) if len(args) > 3 and args[3].lstrip("-").isdigit() else 0
        # Said in the language the IVR left the call in (the channel's), as its prompts were.
        language = session.entered.language or "en"
        return await self.take(session, queue, joined, priority, "queue", language)

    async def take(
        self,
        session: CallSession,
        queue: str,
        joined: datetime | None,
        priority: int,
        source: str,
        language: str = "en",
        record: bool = True,
        ask_time: Sequence[str] = (),
    ) -> CallOutcome:
        """The request from ``session``'s caller for ``queue`` (``joined``: their place;
        None: the back of the queue). ``record``: store the call's outcome here (the IVR
        stores its own). ``ask_time``: media asking when to call (HHMM then #; # alone or
        nothing: as soon as possible)."""
        return await self._take(
            session, queue, joined, priority, source, language, record, tuple(ask_time)
        )

    async def _take(
        self,
        session: CallSession,
        queue: str,
        joined: datetime | None,
        priority: int,
        source: str,
        language: str,
        record: bool,
        ask_time: tuple[str, ...] = (),
    ) -> CallOutcome:
        await session.answer()
        number, keyed = await self._number(session, language)
        if number is None:
            await say(session, ["sound:please-try-call-later", "sound:vm-goodbye"], language)
            await self._record(
                record, session, queue, CallOutcome.COMPLETED, "no number to call back"
            )
            await session.hangup()
            return CallOutcome.COMPLETED
        at = await self._when(session, queue, ask_time, language) if ask_time else None

        async def dial(e164: str) -> CallbackAnswer:
            return await self._callbacks.request(
                CallbackRequest(
                    queue=queue,
                    number=e164,
                    call_id=session.call_id,
                    joined_at=joined,
                    priority=priority,
                    source=source,
                    reason=_REASONS.get(source, "IVR").format(queue=queue),
                    at=at,
                )
            )

        try:
            if keyed and self._guard is not None:
                # "Call me at another number": the same guard as the web's (rate limits).
                caller = session.entered.caller or session.call_id
                attempt = DialAttempt("ivr", number, f"caller:{caller}", queue, "keyed-in number")
                answer = await self._guard.guarded(attempt, queue, dial)
            else:
                answer = await dial(number)
        except (CallbackError, RequestRefused, Refusal) as exc:
            log.warning("callback refused: %s", exc)
            await say(session, ["sound:please-try-call-later"], language)
            await self._record(record, session, queue, CallOutcome.COMPLETED, f"refused: {exc}")
            await session.hangup()
            return CallOutcome.COMPLETED
        return await self._tell(session, answer, queue, language, record)

    async def from_spool(self, call: FallbackCall) -> CallOutcome:
        """A caller beyond the load who asked to be called back (the capacity spool, which
        the dialplan writes without waiting on the daemon): the request is made at their
        caller id, with its promise. A caller id no callback may dial is logged, and
        nothing is requested."""
        try:
            number = dialable(call.caller, self._numbers, "caller id")
            answer = await self._callbacks.request(
                CallbackRequest(
                    queue=call.queue,
                    number=number,
                    call_id=call.call_id,
                    joined_at=call.at,
                    priority=0,
                    source="capacity",
                    reason="offered at capacity (admission)",
                )
            )
        except (CallbackError, RequestRefused, Refusal) as exc:
            log.warning("capacity caller %s not called back: %s", call.caller, exc)
            return CallOutcome.COMPLETED
        log.info("callback %d for a caller beyond the load (spool)", answer.callback.id)
        return CallOutcome.CALLBACK

    async def _tell(
        self, session: CallSession, answer: CallbackAnswer, queue: str, language: str, record: bool
    ) -> CallOutcome:
        """The caller hears when they will be called, the call's record says so."""
        due = answer.promise.due_at
        when = spoken_due(due, self._clock.now(), self._calendar_of(queue), language)
        media = [f"sound:{self._thanks}", *when]
        log.info(
            "callback %d (%s): caller told %s",
            answer.callback.id,
            "new" if answer.created else "merged",
            due.isoformat(timespec="minutes"),
        )
        await self._record(
            record,
            session,
            queue,
            CallOutcome.CALLBACK,
            f"callback {answer.callback.id} due {due.isoformat(timespec='minutes')}",
        )
        await say(session, [*media, "sound:vm-goodbye"], language)
        await session.hangup()
        return CallOutcome.CALLBACK

    async def _number(self, session: CallSession, language: str) -> tuple[str | None, bool]:
        """The number to call back, and whether the caller keyed it in."""
        caller = session.entered.caller
        try:
            number = dialable(caller, self._numbers, "caller id")
        except CallbackError as exc:
            log.info("caller id not usable for a callback: %s", exc)
        else:
            # One item a digit: stopping a playback of "digits:7916…" does not stop the
            # say files already under way (checked on Asterisk 22: the rest of the number
            # plays on and the next prompt waits behind it); a single digit ends at once.
            digits = [f"digits:{d}" for d in number.lstrip("+")]
            digit = await ask(
                session,
                ["sound:to-call-this-number", *digits, "sound:if-correct-press", "digits:1"],
                language,
                CONFIRM_SECONDS,
            )
            if digit in ("1", None):
                return number, False
        for _ in range(2):
            keyed = await self._key_in(session, language)
            if keyed is None:
                return None, True
            try:
                return dialable(keyed, self._numbers, "keyed-in number"), True
            except CallbackError as exc:
                log.info("keyed-in number refused: %s", exc)
                await say(session, ["sound:check-number-dial-again"], language)
        return None, True

    async def _when(
        self, session: CallSession, queue: str, ask_time: tuple[str, ...], language: str
    ) -> datetime | None:
        """The time the caller keys in (HHMM, then #) if the queue is open then; None —
        as soon as possible — for # alone, no answer, or a second time that cannot be
        taken (a first one is refused with "I'm sorry" and asked again)."""
        calendar = self._calendar_of(queue)
        for _ in range(2):
            digit = await ask(session, list(ask_time), language, KEY_IN_SECONDS)
            keyed = ""
            while digit is not None and digit != "#" and len(keyed) < 4:
                keyed += digit if digit.isdigit() else ""
                digit = await self._digit(session, KEY_IN_SECONDS)
            if not keyed:
                return None
            now = self._clock.now()
            at = time_of_day(keyed, now, calendar.timezone)
            try:
                if at is None:
                    raise CallbackError(f"at: {keyed!r} is not a time of day (HHMM)")
                return check_slot(calendar, now, at)
            except CallbackError as exc:
                log.info("callback time refused: %s", exc)
                await say(session, ["sound:im-sorry"], language)
        return None

    async def _key_in(self, session: CallSession, language: str) -> str | None:
        digit = await ask(session, ["sound:vm-enter-num-to-call"], language, KEY_IN_SECONDS)
        keyed = ""
        while digit is not None and digit != "#" and len(keyed) < MAX_DIGITS:
            if digit.isdigit():
                keyed += digit
            event_digit = await self._digit(session, KEY_IN_SECONDS)
            digit = event_digit
        return keyed or None

    async def _digit(self, session: CallSession, wait: float) -> str | None:
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            event = await session.next_event(left)
            if event is None:
                return None
            if isinstance(event, DtmfReceived):
                await session.record_digit(event.digit)
                return event.digit
        return None

    async def _record(
        self, record: bool, session: CallSession, queue: str, outcome: CallOutcome, detail: str
    ) -> None:
        if not record:
            return
        await session.record_ivr(
            IvrResult(
                "callback",
                ({"flow": "callback", "node": queue, "type": "callback", "detail": detail},),
                outcome,
                detail,
            )
        )


def _epoch(value: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), UTC) if value else None
    except (ValueError, OverflowError):
        return None
