"""Wiring of transcripts: the job store, vosk in worker processes, the recordings they
read and the tickets they write to; the loops that queue new recordings and decode.
(Composition root.) Transcription is off unless ``[transcription] enabled``; its models
are checked at start — a missing one stops the daemon naming the key and the path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.recording_files import RecordingFiles
from callcenter.config import Config, ConfigError, transcription_models
from callcenter.domain.recordings import Recording
from callcenter.http import api_transcripts
from callcenter.http.api_transcripts import TRANSCRIPTS
from callcenter.services.transcripts import RecordingReader, TranscriptPolicy, Transcripts
from callcenter.store.db_threads import DbThreads
from callcenter.store.recordings import SqlRecordings
from callcenter.store.ticket_store import SqlTicketStore
from callcenter.store.transcripts import SqlTranscripts
from callcenter.transcription.vosk_decoder import VoskDecoder, model_problem

log = logging.getLogger(__name__)


class TranscriptsWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        recordings: RecordingReader,
        tickets: SqlTicketStore,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
        decode: bool | None = None,
        may_work: Callable[[], bool] = lambda: True,
    ) -> None:
        """``decode``: whether to start the vosk workers (default: ``[transcription]
        enabled``; ``callcenter transcripts run`` decodes whatever it says);
        ``may_work``: whether this node holds its lease (the cluster's membership)."""
        self.may_work = may_work
        t = config.transcription
        self.enabled = t.enabled
        decode = t.enabled if decode is None else decode
        self._every = t.sweep_seconds
        self._workers = t.workers
        models = transcription_models(t)
        if decode and not models:
            raise ConfigError("transcription.models: no model configured (lang=DIRECTORY)")
        if decode:
            for language, directory in models.items():
                problem = model_problem(directory)
                if problem:
                    raise ConfigError(f"transcription.models: {language}: {problem}")
        self.store = SqlTranscripts(sessions, threads)
        self._decoder: VoskDecoder | None = VoskDecoder(t.workers) if decode else None
        self.service = Transcripts(
            self.store,
            recordings,
            self._decoder or _Off(),
            tickets,
            TranscriptPolicy(
                models=models,
                default_language=t.default_language,
                patterns=tuple(re.compile(p) for p in t.redact),
                retry_seconds=t.retry_seconds,
                max_attempts=t.max_attempts,
            ),
            SystemClock(),
            on_event=emit,
        )

    async def _queue_forever(self) -> None:
        while True:
            try:
                if self.may_work():  # a node without its lease queues nothing new
                    await self.service.enqueue()
            except Exception:
                log.exception("recordings not queued for transcription")
            await asyncio.sleep(self._every)

    async def _decode_forever(self) -> None:
        while True:
            try:
                done = await self.service.work() if self.may_work() else 0
            except Exception:
                log.exception("transcription failed; next try in %.0f s", self._every)
                done = 0
            if not done:
                await asyncio.sleep(self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        if not self.enabled:
            return []
        self.service.decoding = True
        return [
            asyncio.create_task(self._queue_forever(), name="transcripts-queue"),
            *(
                asyncio.create_task(self._decode_forever(), name=f"transcripts-decode-{n}")
                for n in range(self._workers)
            ),
        ]

    def close(self) -> None:
        if self._decoder is not None:
            with contextlib.suppress(Exception):
                self._decoder.close()


class StoredRecordings:
    """Recordings as the store and the disk hold them (for a process that is not the
    daemon: ``callcenter transcripts run``)."""

    def __init__(self, store: SqlRecordings, files: RecordingFiles) -> None:
        self._store, self._files = store, files

    async def get(self, recording_id: int) -> Recording | None:
        return await self._store.get(recording_id)

    def audio_file(self, recording: Recording) -> Path:
        return self._files.absolute(recording.path)


class _Off:
    async def decode(self, wav: Any, model: Any) -> list[list[dict[str, Any]]]:
        raise RuntimeError("transcription is not enabled")


def _plug(parts: Parts, plug: Plug) -> None:
    transcripts = TranscriptsWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.RECORDINGS].service,
        parts[slots.TICKETS],
        parts[slots.EVENTS].emit,
        may_work=parts[slots.MEMBERSHIP].holds_lease,  # no lease: nothing new taken
    )
    plug.serve(TRANSCRIPTS, transcripts.service)
    plug.run(transcripts.tasks)
    plug.on_close(transcripts.close)


FEATURE = Feature(
    "transcripts",
    needs=(slots.RECORDINGS, slots.MEMBERSHIP, slots.TICKETS, slots.EVENTS),
    provides=(),
    build=_plug,
    routes=tuple(api_transcripts.ROUTES),
)
