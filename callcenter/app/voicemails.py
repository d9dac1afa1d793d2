"""Wiring of voicemail: the store, the files (Asterisk's ``recording/`` spool for messages
taken through ARI, VoiceMail()'s spool for those taken while the daemon was down, the
recordings directory they move to), the caller's side on ARI (the intake), the callbacks
that make each message a promise, and the spool importer. (Composition root.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.app.recordings import recordings_dir
from callcenter.asterisk.voicemail_files import VoicemailFiles
from callcenter.config import Config
from callcenter.domain.business_hours import Calendar
from callcenter.domain.contacts import caller_number
from callcenter.domain.queue_defs import QueueDef
from callcenter.http import api_voicemails
from callcenter.http.api_voicemails import VOICEMAILS
from callcenter.http.voicemails_page import VOICEMAILS_PAGE
from callcenter.services.callbacks import Callbacks
from callcenter.services.ports import RecordLimits
from callcenter.services.recordings import retention_lookup
from callcenter.services.voicemail_intake import IntakePolicy, VoicemailIntake
from callcenter.services.voicemails import VoicemailPolicy, Voicemails
from callcenter.store.db_threads import DbThreads
from callcenter.store.ticket_store import SqlTicketStore
from callcenter.store.voicemails import SqlVoicemails

log = logging.getLogger(__name__)


class VoicemailWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        tickets: SqlTicketStore,
        queues: Mapping[str, QueueDef],
        callbacks: Callbacks,
        calendar_of: Callable[[str], Calendar],
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        v = config.voicemail
        self._every = v.sweep_seconds
        region = config.tickets.default_region.upper()
        owners = {q.mailbox: q.name for q in queues.values() if q.mailbox}
        self.files = VoicemailFiles(recordings_dir(config), config.state_dir / "asterisk" / "spool")
        self.store = SqlVoicemails(sessions, threads)
        self.service = Voicemails(
            self.store,
            self.files,
            tickets,
            callbacks,
            VoicemailPolicy(
                queue_of=lambda box: owners.get(box, ""),
                retention_days=retention_lookup(
                    {q.name: q.retention_days for q in queues.values()},
                    config.recordings.retention_days,
                ),
                number_of=lambda raw: caller_number(raw, region) or raw,
            ),
            SystemClock(),
            on_event=emit,
        )
        self.intake = VoicemailIntake(
            self.service,
            self.files,
            calendar_of,
            SystemClock(),
            IntakePolicy(
                limits=RecordLimits(v.max_seconds, v.silence_seconds),
                min_seconds=v.min_seconds,
                review=v.review,
                greeting=v.greeting_sound,
                saved=v.saved_sound,
                thanks=config.callbacks.thanks_sound,
            ),
        )

    async def callback_completed(self, data: Mapping[str, Any]) -> None:
        callback = data["callback"]
        await self.service.callback_completed(callback.id, callback.agent)

    async def _import_forever(self) -> None:
        try:
            await self.service.resume()
        except Exception:
            log.exception("voicemails interrupted by a restart not finished")
        while True:
            try:
                imported = await self.service.import_spool()
                if imported:
                    log.info("%d message(s) imported from VoiceMail()'s spool", imported)
            except Exception:
                log.exception("voicemail spool import failed; next in %.0f s", self._every)
            await asyncio.sleep(self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._import_forever(), name="voicemail-import")]


def _plug(parts: Parts, plug: Plug) -> None:
    callbacks = parts[slots.CALLBACKS]
    voicemails = VoicemailWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.TICKETS],
        parts[slots.AGENTS].queue_defs,
        callbacks.service,
        callbacks.calendar_of,
        parts[slots.EVENTS].emit,
    )
    parts.provide(slots.VOICEMAILS, voicemails)
    plug.listen("callback.completed", voicemails.callback_completed)  # answers the message
    plug.serve(VOICEMAILS, voicemails.service)
    plug.run(voicemails.tasks)


FEATURE = Feature(
    "voicemails",
    needs=(slots.CALLBACKS, slots.AGENTS, slots.TICKETS, slots.EVENTS),
    provides=(slots.VOICEMAILS,),
    build=_plug,
    routes=tuple(api_voicemails.ROUTES),
    pages=(VOICEMAILS_PAGE,),
)
