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
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app.assembly import SystemClock
from callcenter.config import Config, ConfigError, transcription_models
from callcenter.services.recordings import Recordings
from callcenter.services.transcripts import TranscriptPolicy, Transcripts
from callcenter.store.db_threads import DbThreads
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
        recordings: Recordings,
        tickets: SqlTicketStore,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        t = config.transcription
        self.enabled = t.enabled
        self._every = t.sweep_seconds
        self._workers = t.workers
        models = transcription_models(t)
        if t.enabled:
            for language, directory in models.items():
                problem = model_problem(directory)
                if problem:
                    raise ConfigError(f"transcription.models: {language}: {problem}")
        self.store = SqlTranscripts(sessions, threads)
        self._decoder: VoskDecoder | None = VoskDecoder(t.workers) if t.enabled else None
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
                await self.service.enqueue()
            except Exception:
                log.exception("recordings not queued for transcription")
            await asyncio.sleep(self._every)

    async def _decode_forever(self) -> None:
        while True:
            try:
                done = await self.service.work()
            except Exception:
                log.exception("transcription failed; next try in %.0f s", self._every)
                done = 0
            if not done:
                await asyncio.sleep(self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        if not self.enabled:
            return []
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


class _Off:
    async def decode(self, wav: Any, model: Any) -> list[list[dict[str, Any]]]:
        raise RuntimeError("transcription is not enabled")
