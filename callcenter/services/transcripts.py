"""Transcripts after every call: a durable job per recording, decoded in worker processes,
per speaker, redacted, on the call's interaction.

Contract:
* :meth:`Transcripts.enqueue` gives every complete recording a job (once: keyed by the
  recording); :meth:`work` claims due jobs (a lease: a worker that dies mid-decode leaves
  its job due again when the lease ends — none lost, and the compare-and-set on the
  attempt keeps a late worker from writing over the one that took over) and decodes them.
* Each channel is decoded on its own (left: the caller, right: the agent; a voicemail:
  the caller), the utterances redacted before they are stored and merged into one
  timeline; it lands on the call's or the voicemail's interaction (``transcript``),
  where the ticket timeline shows it and search finds it.
* A worker stopped mid-decode (the daemon shutting down) puts its jobs back at once,
  their attempt given back; one killed outright leaves them to its lease.
* A file that cannot be decoded, a recording deleted meanwhile, or a language with no
  model fails the job with the reason; anything else (a worker crashed) is retried with
  backoff, ``max_attempts`` times.
* Events: ``transcript.ready`` (written with the finished job, in its transaction).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain.recordings import Recording, RecordingState
from callcenter.domain.tickets import Interaction
from callcenter.domain.transcripts import (
    SPEAKERS,
    TranscriptJob,
    Utterance,
    as_json,
    merge,
    retry_at,
    utterances,
)
from callcenter.domain.voicemails import key_of_recording
from callcenter.domain.webhooks import Announce, Event
from callcenter.logs import call_id_var
from callcenter.services.announcer import Announcer
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)
# A transcript done before its call is on a ticket is attached again after these waits.
ATTACH_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class DecodeFailed(RuntimeError):
    """The decoder's verdict that this audio (or model) can never be decoded."""


class TranscriptStorePort(Protocol):
    async def enqueue_missing(self, language: str, now: datetime, limit: int = 200) -> int: ...
    async def claim(
        self, now: datetime, lease: timedelta, limit: int = 1, since: datetime | None = None
    ) -> list[TranscriptJob]: ...
    async def finish(
        self,
        job: TranscriptJob,
        utterances: tuple[Utterance, ...],
        audio_seconds: float,
        now: datetime,
        announce: Announce[TranscriptJob] | None = None,
    ) -> bool: ...
    async def fail(
        self, job: TranscriptJob, error: str, retry_at: datetime | None, now: datetime
    ) -> bool: ...
    async def release(self, job: TranscriptJob, now: datetime) -> bool: ...
    async def for_recording(self, recording_id: int) -> TranscriptJob | None: ...
    async def backlog(self, since: datetime | None = None) -> dict[str, tuple[int, float]]: ...


class Decoder(Protocol):
    async def decode(self, wav: Path, model: Path) -> list[list[dict[str, Any]]]:
        """Per channel of ``wav``, the recogniser's final results with word times;
        DecodeFailed when this audio or model can never be decoded."""
        ...


class RecordingReader(Protocol):
    async def get(self, recording_id: int) -> Recording | None: ...
    def audio_file(self, recording: Recording) -> Path: ...


class CallTranscripts(Protocol):
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None: ...
    async def update_voicemail(self, key: str, changes: dict[str, Any]) -> Interaction | None: ...


@dataclasses.dataclass(frozen=True)
class TranscriptPolicy:
    models: Mapping[str, Path]  # language → vosk model directory
    default_language: str = "en"
    patterns: Sequence[re.Pattern[str]] = ()  # redacted too (the configured ones)
    retry_seconds: float = 30.0
    max_attempts: int = 5
    lease: timedelta = timedelta(minutes=30)  # a claim not settled by then is due again

    def model_for(self, language: str) -> Path | None:
        return self.models.get(language) or self.models.get(self.default_language)


class Transcripts:
    def __init__(
        self,
        store: TranscriptStorePort,
        recordings: RecordingReader,
        decoder: Decoder,
        calls: CallTranscripts,
        policy: TranscriptPolicy,
        clock: Clock,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._store, self._recordings, self._decoder = store, recordings, decoder
        self._calls, self._policy, self._clock = calls, policy, clock
        self._on_event = on_event or (lambda _kind, _data: None)
        self._attaching: set[asyncio.Task[None]] = set()
        self.decoding = False  # set by the wiring when its workers run

    async def enqueue(self) -> int:
        """A job for every complete recording without one; how many were made."""
        made = await self._store.enqueue_missing(self._policy.default_language, self._clock.now())
        if made:
            log.info("%d recording(s) queued for transcription", made)
        return made

    async def work(self, limit: int = 1, since: datetime | None = None) -> int:
        """Claim and decode up to ``limit`` due jobs (``since``: of recordings started
        then or later); how many were done."""
        done = 0
        claim = asyncio.ensure_future(
            self._store.claim(self._clock.now(), self._policy.lease, limit, since)
        )
        try:
            claimed = await asyncio.shield(claim)
        except asyncio.CancelledError:
            # Stopped while the store was claiming: the claim commits anyway (its thread
            # runs on), so what it claimed goes straight back.
            await asyncio.shield(self._release(await claim))
            raise
        for n, job in enumerate(claimed):
            token = call_id_var.set(f"rec{job.recording_id}")
            try:
                recording = await self._recordings.get(job.recording_id)
                if recording is not None:
                    call_id_var.set(recording.call_id)
                done += await self._decode(job, recording)
            except asyncio.CancelledError:
                # Stopping (a restart): the jobs not settled go back to the queue now, not
                # when their lease ends — none lost, none delayed, none decoded twice.
                await asyncio.shield(self._release(claimed[n:]))
                raise
            finally:
                call_id_var.reset(token)
        return done

    async def _release(self, jobs: Sequence[TranscriptJob]) -> None:
        for job in jobs:
            if await self._store.release(job, self._clock.now()):
                log.info("recording %d: transcription stopped, back in the queue", job.recording_id)

    async def _decode(self, job: TranscriptJob, recording: Recording | None) -> int:
        now = self._clock.now()
        if recording is None or recording.state is not RecordingState.COMPLETE:
            await self._store.fail(job, "the recording is gone (deleted or missing)", None, now)
            return 0
        model = self._policy.model_for(job.language)
        if model is None:
            await self._store.fail(job, f"no model for language {job.language!r}", None, now)
            return 0
        try:
            channels = await self._decoder.decode(self._recordings.audio_file(recording), model)
        except DecodeFailed as exc:
            log.error("recording %d cannot be transcribed: %s", recording.id, exc)
            await self._store.fail(job, str(exc), None, now)
            return 0
        except Exception as exc:
            again = job.attempts < self._policy.max_attempts
            when = retry_at(now, job.attempts, self._policy.retry_seconds) if again else None
            log.warning("recording %d: decode failed (%r), retry at %s", recording.id, exc, when)
            await self._store.fail(job, f"{type(exc).__name__}: {exc}", when, now)
            return 0
        return await self._keep(job, recording, channels)

    async def _keep(
        self, job: TranscriptJob, recording: Recording, channels: list[list[dict[str, Any]]]
    ) -> int:
        speakers = SPEAKERS if len(channels) == 2 else ("caller",)
        timeline = merge(
            *(
                utterances(results, speaker, self._policy.patterns)
                for speaker, results in zip(speakers, channels, strict=False)
            )
        )
        lines = [as_json(u) for u in timeline]
        data = {"recording_id": recording.id, "call_id": recording.call_id, "utterances": lines}
        ready: Announcer[TranscriptJob] = Announcer(lambda _done: [Event("transcript.ready", data)])
        finished = await self._store.finish(
            job, timeline, recording.duration, self._clock.now(), ready
        )
        if not finished:
            log.warning("recording %d: transcript dropped (another worker took it)", recording.id)
            return 0
        log.info(
            "recording %d transcribed: %d utterance(s), %.0f s of audio",
            recording.id,
            len(timeline),
            recording.duration,
        )
        transcript = {"transcript": {"recording_id": recording.id, "utterances": lines}}
        if await self._attach(recording, transcript) is None:
            # Decoded before the call reached its ticket (the call log writes behind):
            # attached once it is there, not dropped.
            task = asyncio.create_task(self._attach_later(recording, transcript))
            self._attaching.add(task)
            task.add_done_callback(self._attaching.discard)
        ready.tell(self._on_event)
        return 1

    async def _attach(self, recording: Recording, transcript: dict[str, Any]) -> Any:
        if recording.kind == "survey":  # a survey's comment: transcript.ready carries it
            return recording
        if recording.kind == "voicemail":
            key = key_of_recording(recording.call_id)
            return await self._calls.update_voicemail(key, transcript)
        return await self._calls.update_call(recording.call_id, transcript)

    async def _attach_later(self, recording: Recording, transcript: dict[str, Any]) -> None:
        for delay in ATTACH_DELAYS:
            await asyncio.sleep(delay)
            if await self._attach(recording, transcript) is not None:
                log.info("recording %d: transcript on its ticket now", recording.id)
                return
        log.warning(
            "recording %d: its call is on no ticket; transcript kept with the job", recording.id
        )

    async def for_recording(self, recording_id: int) -> TranscriptJob | None:
        return await self._store.for_recording(recording_id)

    async def backlog(self, since: datetime | None = None) -> dict[str, tuple[int, float]]:
        return await self._store.backlog(since)
