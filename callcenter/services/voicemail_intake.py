"""The caller's side of leaving a message, on the live call (ARI): prompt, beep, the
recording, an optional review, the promise told, goodbye.

Contract: the caller hears the greeting, a beep, and is recorded until they press ``#``,
stay silent ``silence_seconds``, reach ``max_seconds`` or hang up. With review on they
may then press 1 to keep it, 2 to hear it, 3 to record it again (silence keeps it). A
message shorter than ``min_seconds`` is not one (the caller said nothing). A kept message
goes to :class:`~callcenter.services.voicemails.Voicemails` — also when the caller hung
up while recording: what they said is never lost — and the caller, if still there, hears
"message saved" and when they will be called back. Asterisk unable to record: the call
goes on to the dialplan's own VoiceMail() (nothing lost either).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from callcenter.domain.business_hours import Calendar
from callcenter.domain.calls import CallOutcome, DtmfReceived, RecordingEnded
from callcenter.domain.promises import spoken_due
from callcenter.domain.voicemails import VoicemailSource, live_key
from callcenter.services.call_prompts import ask, say
from callcenter.services.call_session import CallGone, CallSession
from callcenter.services.ports import Clock, RecordLimits, TelephonyError
from callcenter.services.voicemails import Arrived, VoicemailAnswer

log = logging.getLogger(__name__)

REVIEW_SECONDS = 6.0  # to press 1, 2 or 3 after "press 1 to accept …"
CLOSED_WAIT = 10.0  # seconds for Asterisk to close a recording after a hangup


class LiveAudio(Protocol):
    """The WAVs ARI stores for recordings, by recording name (voicemail_files)."""

    def path(self, name: str) -> Path: ...
    def seconds(self, name: str) -> float: ...  # 0.0 when absent or unreadable
    def closed(self, name: str) -> bool: ...  # Asterisk has finished writing it
    def remove(self, name: str) -> None: ...


class MessageKeeper(Protocol):
    async def received(self, arrived: Arrived, source: Path) -> VoicemailAnswer:
        """Keep the message whose audio is at ``source`` (the voicemails use case)."""
        ...


@dataclasses.dataclass(frozen=True)
class IntakePolicy:
    limits: RecordLimits = dataclasses.field(default_factory=RecordLimits)
    min_seconds: float = 1.0
    review: bool = True
    greeting: str = "vm-intro"
    saved: str = "vm-msgsaved"
    thanks: str = "auth-thankyou"
    fallback_context: str = "callcenter-voicemail"


class VoicemailIntake:
    def __init__(
        self,
        voicemails: MessageKeeper,
        audio: LiveAudio,
        calendar_of: Callable[[str], Calendar],
        clock: Clock,
        policy: IntakePolicy,
    ) -> None:
        self._voicemails = voicemails
        self._audio = audio
        self._calendar_of = calendar_of
        self._clock = clock
        self._policy = policy

    async def take(self, session: CallSession, mailbox: str, language: str = "en") -> CallOutcome:
        """Take a message for ``mailbox`` on ``session``; returns VOICEMAIL."""
        name = f"callcenter-vm-{session.call_id}"
        arrived = Arrived(
            key=live_key(session.call_id),
            mailbox=mailbox,
            caller=session.entered.caller,
            received_at=self._clock.now(),
            source=VoicemailSource.LIVE,
            call_id=session.call_id,
        )
        try:
            await session.answer()
            kept = await self._record(session, name, language)
        except CallGone:
            # Hung up while recording (or reviewing): what they said is the message.
            await self._keep_after_hangup(name, arrived)
            return CallOutcome.VOICEMAIL
        except TelephonyError as exc:
            log.error("voicemail not recorded (%s): on to the dialplan's VoiceMail()", exc)
            await self._to_dialplan(session, mailbox)
            return CallOutcome.VOICEMAIL
        if not kept:
            await say(session, ["sound:vm-goodbye"], language)
            await session.hangup()
            return CallOutcome.VOICEMAIL
        answer = await self._keep(name, arrived)
        media = [f"sound:{self._policy.saved}"]
        if answer is not None and answer.promise is not None:
            due = answer.promise.due_at
            media += [f"sound:{self._policy.thanks}"]
            media += spoken_due(
                due, self._clock.now(), self._calendar_of(answer.voicemail.queue), language
            )
            log.info(
                "voicemail %d: caller told %s",
                answer.voicemail.id,
                due.isoformat(timespec="minutes"),
            )
        await say(session, [*media, "sound:vm-goodbye"], language)
        await session.hangup()
        return CallOutcome.VOICEMAIL

    async def _record(self, session: CallSession, name: str, language: str) -> bool:
        """Record until the caller keeps a message (True) or it is too short (False)."""
        for _take in range(3):
            await say(session, [f"sound:{self._policy.greeting}"], language)
            await session.record(name, self._policy.limits)
            ended = await self._recorded(session, name)
            if not ended.finished:
                raise TelephonyError(f"recording {name} failed: {ended.cause or 'no cause'}")
            seconds = self._audio.seconds(name)
            log.info("message recorded: %.1f s (%s)", seconds, ended.cause or "ended")
            if seconds < self._policy.min_seconds:
                log.info("message of %.1f s is too short: not kept", seconds)
                return False
            if not self._policy.review:
                return True
            while True:
                digit = await ask(session, ["sound:vm-review"], language, REVIEW_SECONDS)
                if digit == "2":
                    await say(session, [f"recording:{name}"], language)
                    continue
                break
            if digit != "3":
                return True
            log.info("caller records the message again")
        return True

    async def _recorded(self, session: CallSession, name: str) -> RecordingEnded:
        limit = self._policy.limits.max_seconds + 30
        deadline = time.monotonic() + limit
        while (left := deadline - time.monotonic()) > 0:
            event = await session.next_event(left)
            if isinstance(event, RecordingEnded) and event.name == name:
                return event
            if isinstance(event, DtmfReceived):
                await session.record_digit(event.digit)
        raise TelephonyError(f"recording {name}: no end reported within {limit:.0f} s")

    async def _keep(self, name: str, arrived: Arrived) -> VoicemailAnswer | None:
        try:
            return await self._voicemails.received(arrived, self._audio.path(name))
        except Exception:
            # The file stays in Asterisk's recording directory; the row is keyed: a later
            # take of it (the sweep's orphan import) finds the same message.
            log.exception("voicemail %s not stored yet", arrived.key)
            return None

    async def _keep_after_hangup(self, name: str, arrived: Arrived) -> None:
        deadline = time.monotonic() + CLOSED_WAIT
        # The call is gone, and its events with it: the sign Asterisk closed the file is
        # the file itself (the WAV header's sizes are written on close).
        while not self._audio.closed(name) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        seconds = self._audio.seconds(name)
        if seconds < self._policy.min_seconds:
            log.info("caller hung up; %.1f s recorded: no message", seconds)
            self._audio.remove(name)
            return
        log.info("caller hung up after a %.1f s message: kept", seconds)
        await self._keep(name, arrived)

    async def _to_dialplan(self, session: CallSession, mailbox: str) -> None:
        try:
            await session.set_variable("CC_TARGET", mailbox)
            await session.continue_in_dialplan(self._policy.fallback_context)
        except (CallGone, TelephonyError) as exc:
            log.warning("call not handed to VoiceMail(): %s", exc)
