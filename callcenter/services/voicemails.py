"""Voicemail: every message a caller leaves lands on their ticket with its audio, and —
when we may call their number — a callback in the mailbox's queue makes it a promise.

Contract:
* :meth:`Voicemails.received` is the one use case for a message, taken live (ARI) or found
  in VoiceMail()'s spool: the audio goes into the recordings store, then the message row
  (keyed: a second take of the same message finds the first), then the callback request
  (merged with an open one of that number), then the voicemail interaction on the caller's
  ticket; only then is the source file removed. Each step is idempotent and :meth:`resume`
  (at start) finishes messages a crash left half way: nothing is lost, nothing doubled.
* A message whose caller we may not dial (withheld, premium rate, …) or whose mailbox no
  queue answers is still kept and on a ticket, with the reason in its note: no promise we
  could not keep is made.
* A message is answered when its callback completes, or when staff mark it answered.
* Events: ``voicemail.received`` once per message (when it is on its ticket).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain.callbacks import CallbackError
from callcenter.domain.promises import Promise
from callcenter.domain.recordings import retain_until
from callcenter.domain.tickets import Interaction, Page, VoicemailSummary
from callcenter.domain.voicemails import (
    NewVoicemail,
    SpoolMessage,
    Voicemail,
    VoicemailFilter,
    VoicemailSource,
    VoicemailState,
    audio_path,
)
from callcenter.domain.webhooks import Announce, Event
from callcenter.logs import call_id_var
from callcenter.services.announcer import Announcer
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)


class VoicemailNotFound(LookupError):
    """No such message."""


class VoicemailStorePort(Protocol):
    async def received(self, new: NewVoicemail) -> tuple[Voicemail, bool]: ...
    async def update(
        self,
        voicemail_id: int,
        changes: dict[str, Any],
        announce: Announce[Voicemail] | None = None,
    ) -> Voicemail | None: ...
    async def answer(
        self, voicemail_id: int, at: datetime, by: str, note: str
    ) -> Voicemail | None: ...
    async def by_callback(self, callback_id: int) -> list[Voicemail]: ...
    async def get(self, voicemail_id: int) -> Voicemail | None: ...
    async def unfinished(self, limit: int = 100) -> list[Voicemail]: ...
    async def search(
        self, where: VoicemailFilter, limit: int, before: int | None
    ) -> Page[Voicemail]: ...


class VoicemailFilesPort(Protocol):
    async def adopt(self, source: Path, relative: str) -> Any: ...  # AudioFacts
    async def discard(self, source: Path) -> None: ...
    async def spool(self) -> list[Any]: ...  # SpoolEntry
    async def drop_spool(self, entry: Any) -> None: ...


class VoicemailTickets(Protocol):
    async def record_voicemail(self, message: VoicemailSummary) -> Interaction: ...


class CallbackRequester(Protocol):
    async def request(self, req: CallbackRequest) -> CallbackAnswer: ...


@dataclasses.dataclass(frozen=True)
class Arrived:
    """A message's audio, just taken (live) or found in the spool."""

    key: str
    mailbox: str
    caller: str
    received_at: datetime
    source: VoicemailSource
    call_id: str = ""


@dataclasses.dataclass(frozen=True)
class VoicemailAnswer:
    voicemail: Voicemail
    promise: Promise | None  # the due time the caller may be told (None: no callback)


@dataclasses.dataclass(frozen=True)
class VoicemailPolicy:
    queue_of: Callable[[str], str]  # mailbox → the queue that answers it ("": none)
    retention_days: Callable[[str], int]  # queue → days (0: for ever)
    # The caller id as Asterisk gave it → as we show and store it (E.164 when it reads
    # as one, else unchanged; "" when withheld).
    number_of: Callable[[str], str] = lambda raw: raw


class Voicemails:
    def __init__(
        self,
        store: VoicemailStorePort,
        files: VoicemailFilesPort,
        tickets: VoicemailTickets,
        callbacks: CallbackRequester,
        policy: VoicemailPolicy,
        clock: Clock,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._store, self._files, self._tickets = store, files, tickets
        self._callbacks, self._policy, self._clock = callbacks, policy, clock
        self._on_event = on_event or (lambda _kind, _data: None)

    # -- a message arrives ------------------------------------------------------------
    async def received(self, arrived: Arrived, source: Path) -> VoicemailAnswer:
        """Keep the message whose audio is at ``source`` (see the module's contract)."""
        queue = self._policy.queue_of(arrived.mailbox)
        relative = audio_path(arrived.key, arrived.received_at)
        facts = await self._files.adopt(source, relative)
        days = self._policy.retention_days(queue)
        voicemail, created = await self._store.received(
            NewVoicemail(
                key=arrived.key,
                mailbox=arrived.mailbox,
                queue=queue,
                caller=self._policy.number_of(arrived.caller),
                received_at=arrived.received_at,
                duration=facts.duration,
                source=arrived.source,
                path=relative,
                audio_bytes=facts.audio_bytes,
                sha256=facts.sha256,
                call_id=arrived.call_id,
                retain_until=retain_until(arrived.received_at, days),
            )
        )
        log.info(
            "voicemail %d %s in mailbox %s from %s (%.1f s, %s)",
            voicemail.id,
            "received" if created else "already kept",
            voicemail.mailbox,
            voicemail.caller or "a withheld number",
            voicemail.duration,
            voicemail.source.value,
        )
        answer = await self._finish(voicemail)
        await self._files.discard(source)
        return answer

    async def _finish(self, voicemail: Voicemail) -> VoicemailAnswer:
        """The steps after the row: the callback (its promise), the ticket, the event."""
        promise: Promise | None = None
        wants_callback = voicemail.callback_id is None and not voicemail.note
        if (
            wants_callback
            and voicemail.state is VoicemailState.NEW
            and voicemail.queue
            and voicemail.caller
        ):
            try:
                answer = await self._callbacks.request(
                    CallbackRequest(
                        queue=voicemail.queue,
                        number=voicemail.caller,
                        call_id=voicemail.call_id,
                        joined_at=voicemail.received_at,
                        source="voicemail",
                        reason=f"voicemail {voicemail.id} ({voicemail.duration:.0f} s)",
                        field="caller id",
                    )
                )
            except CallbackError as exc:
                log.info("voicemail %d: no callback (%s)", voicemail.id, exc)
                if not voicemail.note:
                    voicemail = await self._change(voicemail, {"note": f"no callback: {exc}"})
            else:
                promise = answer.promise
                voicemail = await self._change(voicemail, {"callback_id": answer.callback.id})
        elif wants_callback and voicemail.state is VoicemailState.NEW:
            why = "no queue answers this mailbox" if not voicemail.queue else "caller withheld"
            voicemail = await self._change(voicemail, {"note": f"no callback: {why}"})
        if voicemail.ticket_number is None:
            interaction = await self._tickets.record_voicemail(_summary(voicemail, promise))
            received: Announcer[Voicemail] = Announcer(
                lambda vm: [Event("voicemail.received", {"voicemail": vm, "promise": promise})]
            )
            voicemail = await self._change(
                voicemail, {"ticket_number": interaction.ticket_number}, received
            )
            received.tell(self._on_event)
        return VoicemailAnswer(voicemail, promise)

    async def _change(
        self,
        voicemail: Voicemail,
        changes: dict[str, Any],
        announce: Announcer[Voicemail] | None = None,
    ) -> Voicemail:
        return await self._store.update(voicemail.id, changes, announce) or voicemail

    # -- VoiceMail()'s spool, crashes -------------------------------------------------
    async def import_spool(self) -> int:
        """Messages Asterisk took while the daemon was down: each into the store, then out
        of the spool. Returns how many were imported."""
        imported = 0
        for entry in await self._files.spool():
            message: SpoolMessage = entry.message
            token = call_id_var.set(message.key)
            try:
                await self.received(
                    Arrived(
                        key=message.key,
                        mailbox=message.mailbox,
                        caller=message.caller,
                        received_at=message.received_at,
                        source=VoicemailSource.SPOOL,
                    ),
                    entry.audio,
                )
                await self._files.drop_spool(entry)
                imported += 1
            except Exception:
                log.exception("voicemail %s not imported; next sweep tries again", message.key)
            finally:
                call_id_var.reset(token)
        return imported

    async def resume(self) -> None:
        """Finish messages a crash left between the row and the ticket."""
        for voicemail in await self._store.unfinished():
            log.warning("voicemail %d: finishing what a restart interrupted", voicemail.id)
            await self._finish(voicemail)

    # -- answering, reading -----------------------------------------------------------
    async def answered(self, voicemail_id: int, by: str, note: str = "") -> Voicemail:
        done = await self._store.answer(voicemail_id, self._clock.now(), by, note)
        if done is None:
            raise VoicemailNotFound(f"no voicemail {voicemail_id}")
        log.info("voicemail %d answered by %s", voicemail_id, by)
        return done

    async def callback_completed(self, callback_id: int, agent: str) -> None:
        """The callback the messages asked for reached the caller: they are answered."""
        for voicemail in await self._store.by_callback(callback_id):
            await self.answered(voicemail.id, f"agent {agent}" if agent else "callback")

    async def get(self, voicemail_id: int) -> Voicemail:
        found = await self._store.get(voicemail_id)
        if found is None:
            raise VoicemailNotFound(f"no voicemail {voicemail_id}")
        return found

    async def search(
        self, where: VoicemailFilter, limit: int, before: int | None
    ) -> Page[Voicemail]:
        return await self._store.search(where, limit, before)


def _summary(voicemail: Voicemail, promise: Promise | None) -> VoicemailSummary:
    return VoicemailSummary(
        key=voicemail.key,
        caller=voicemail.caller,
        mailbox=voicemail.mailbox,
        queue=voicemail.queue,
        received_at=voicemail.received_at,
        call_id=voicemail.call_id,
        data={
            "voicemail_id": voicemail.id,
            "mailbox": voicemail.mailbox,
            "queue": voicemail.queue,
            "caller_id": voicemail.caller,
            "duration": voicemail.duration,
            "source": voicemail.source.value,
            "recording_id": voicemail.recording_id,
            "callback_id": voicemail.callback_id,
            "due_at": promise.due_at.isoformat() if promise else None,
            "note": voicemail.note,
            "transcript": None,
        },
    )
