"""One live call as a use case sees it: commands out, events in, with bounded waits.

Contract: :meth:`CallSession.next_event` returns the next event or None on timeout, and
raises :class:`CallGone` once the caller has left — so a use case never waits on a call
that no longer exists. Commands on a gone call raise :class:`CallGone` too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from callcenter.domain.calls import (
    CallEntered,
    CallEvent,
    CallLeft,
    CallOutcome,
    IvrResult,
    check_digit,
)
from callcenter.services.ports import CallLog, RecordLimits, Telephony, TelephonyError

log = logging.getLogger(__name__)


Handler = Callable[["CallSession"], Awaitable["CallOutcome | None"]]


class CallGone(Exception):
    """The caller hung up or the call left our application."""


class CallSession:
    def __init__(self, entered: CallEntered, telephony: Telephony, call_log: CallLog) -> None:
        self.entered = entered
        self.call_id = entered.call_id
        self._telephony = telephony
        self._call_log = call_log
        self._inbox: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._gone = False

    def push(self, event: CallEvent) -> None:
        self._inbox.put_nowait(event)

    async def next_event(self, timeout: float | None) -> CallEvent | None:
        """The next event, None after ``timeout`` seconds (None: wait as long as it takes)."""
        if self._gone:
            raise CallGone(self.call_id)
        try:
            event = await asyncio.wait_for(self._inbox.get(), timeout)
        except TimeoutError:
            return None
        if isinstance(event, CallLeft):
            self._gone = True
            log.info("caller left (hung up=%s)", event.hung_up)
            raise CallGone(self.call_id)
        return event

    async def _command(self, name: str, *args: str) -> str | None:
        if self._gone:
            raise CallGone(self.call_id)
        try:
            result: str | None = await getattr(self._telephony, name)(self.call_id, *args)
        except TelephonyError:
            await self._check_gone()
            raise
        return result

    async def _check_gone(self) -> None:
        """A command failing because the caller just hung up is not an error: find out."""
        await asyncio.sleep(0.05)
        while not self._inbox.empty():
            if isinstance(self._inbox.get_nowait(), CallLeft):
                self._gone = True
                raise CallGone(self.call_id) from None

    async def answer(self) -> None:
        await self._command("answer")

    async def play(self, media: str | list[str], language: str = "") -> str:
        if self._gone:
            raise CallGone(self.call_id)
        try:
            return await self._telephony.play(self.call_id, media, language)
        except TelephonyError:
            await self._check_gone()
            raise

    async def set_variable(self, name: str, value: str) -> None:
        await self._command("set_variable", name, value)

    async def continue_in_dialplan(self, context: str, exten: str = "s") -> None:
        await self._command("continue_in_dialplan", context, exten)
        self._gone = True

    async def stop_playback(self, playback_id: str) -> None:
        try:
            await self._telephony.stop_playback(playback_id)
        except TelephonyError:
            log.debug("playback %s already finished", playback_id)

    async def hangup(self) -> None:
        await self._command("hangup")
        self._gone = True

    async def end_anywhere(self) -> bool:
        """Hang the channel up wherever it is now — here, or back in the dialplan after
        :meth:`continue_in_dialplan` (a queue, a bridge). True if it was still up."""
        try:
            await self._telephony.hangup(self.call_id)
        except TelephonyError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    async def record(self, name: str, limits: RecordLimits) -> None:
        if self._gone:
            raise CallGone(self.call_id)
        try:
            await self._telephony.record(self.call_id, name, limits)
        except TelephonyError:
            await self._check_gone()
            raise

    async def record_digit(self, digit: str) -> None:
        await self._call_log.digit_pressed(self.call_id, check_digit(digit))

    async def record_ivr(self, result: IvrResult) -> None:
        await self._call_log.ivr_finished(self.call_id, result)
