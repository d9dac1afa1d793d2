"""The TranscriptStore port on SQLAlchemy: one job per recording, claimed with a lease
(PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so several workers or daemons share the work;
every change a compare-and-set on the attempt, so a worker whose lease ran out cannot
overwrite the one that took over)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.recordings import RecordingState
from callcenter.domain.transcripts import (
    JobState,
    TranscriptJob,
    Utterance,
    as_json,
    from_json,
)
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallRow, RecordingRow, TranscriptionJobRow, VoicemailRow
from callcenter.store.outbox import Announce, write_events


class SqlTranscripts:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def enqueue_missing(self, language: str, now: datetime, limit: int = 200) -> int:
        """A pending job for every complete recording that has none; how many were made."""
        return await self._threads.run(
            "transcripts.enqueue", self.enqueue_missing_sync, language, now, limit
        )

    def enqueue_missing_sync(self, language: str, now: datetime, limit: int = 200) -> int:
        """Each job in the language its call's IVR left the caller in (a voicemail: the
        call that left it), else ``language``."""
        with self._sessions.begin() as s:
            found = s.scalars(
                select(RecordingRow.id)
                .outerjoin(TranscriptionJobRow, TranscriptionJobRow.recording_id == RecordingRow.id)
                .where(
                    RecordingRow.state == RecordingState.COMPLETE.value,
                    TranscriptionJobRow.id.is_(None),
                )
                .order_by(RecordingRow.id.desc())  # the newest first: see claim
                .limit(limit)
            ).all()
            languages = _call_languages(s, list(found))
            for recording_id in found:
                s.add(
                    TranscriptionJobRow(
                        recording_id=recording_id,
                        state=JobState.PENDING.value,
                        language=languages.get(recording_id) or language,
                        attempts=0,
                        next_attempt_at=now,
                        utterances=[],
                        created_at=now,
                    )
                )
            return len(found)

    async def claim(
        self, now: datetime, lease: timedelta, limit: int = 1, since: datetime | None = None
    ) -> list[TranscriptJob]:
        """Due jobs (pending, or running with an expired lease), now running with the
        next attempt taken — each by exactly one caller, whichever daemon it runs in.
        ``since``: only of recordings started then or later. The newest recording first:
        today's calls are readable while a backlog (transcription just turned on, a node
        back after an outage) is filled in behind them."""
        return await self._threads.run("transcripts.claim", self._claim, now, lease, limit, since)

    def _claim(
        self, now: datetime, lease: timedelta, limit: int, since: datetime | None
    ) -> list[TranscriptJob]:
        with self._sessions.begin() as s:
            query = select(TranscriptionJobRow.id, TranscriptionJobRow.attempts)
            if since is not None:
                query = query.join(
                    RecordingRow, RecordingRow.id == TranscriptionJobRow.recording_id
                ).where(RecordingRow.started_at >= since)
            due = s.execute(
                query.where(
                    TranscriptionJobRow.state.in_((JobState.PENDING.value, JobState.RUNNING.value)),
                    or_(
                        TranscriptionJobRow.next_attempt_at.is_(None),
                        TranscriptionJobRow.next_attempt_at <= now,
                    ),
                )
                .order_by(TranscriptionJobRow.recording_id.desc())
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = []
            for job_id, attempts in due:
                done = s.execute(
                    update(TranscriptionJobRow)
                    .where(
                        TranscriptionJobRow.id == job_id,
                        TranscriptionJobRow.attempts == attempts,
                    )
                    .values(
                        state=JobState.RUNNING.value,
                        attempts=attempts + 1,
                        next_attempt_at=now + lease,
                    )
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(_job(s.get_one(TranscriptionJobRow, job_id)))
            return claimed

    async def finish(
        self,
        job: TranscriptJob,
        utterances: tuple[Utterance, ...],
        audio_seconds: float,
        now: datetime,
        announce: Announce[TranscriptJob] | None = None,
    ) -> bool:
        """Done with its utterances; False when the claim was lost meanwhile.
        ``announce``: its events, written in the same transaction."""
        return await self._threads.run(
            "transcripts.finish",
            self._settle,
            job,
            {
                "state": JobState.DONE.value,
                "utterances": [as_json(u) for u in utterances],
                "audio_seconds": round(audio_seconds, 2),
                "finished_at": now,
                "next_attempt_at": None,
                "error": "",
            },
            announce,
        )

    async def fail(
        self, job: TranscriptJob, error: str, retry_at: datetime | None, now: datetime
    ) -> bool:
        """Back to pending until ``retry_at``; None: failed for good."""
        values: dict[str, Any] = {"error": error[:300], "next_attempt_at": retry_at}
        if retry_at is None:
            values |= {"state": JobState.FAILED.value, "finished_at": now}
        else:
            values["state"] = JobState.PENDING.value
        return await self._threads.run("transcripts.fail", self._settle, job, values)

    async def release(self, job: TranscriptJob, now: datetime) -> bool:
        """Back to pending at once, its attempt given back (the worker stopped before it
        was done: a daemon shutting down); False when the claim was lost meanwhile."""
        values = {
            "state": JobState.PENDING.value,
            "attempts": job.attempts - 1,
            "next_attempt_at": now,
        }
        return await self._threads.run("transcripts.release", self._settle, job, values)

    def _settle(
        self,
        job: TranscriptJob,
        values: dict[str, Any],
        announce: Announce[TranscriptJob] | None = None,
    ) -> bool:
        with self._sessions.begin() as s:
            done = s.execute(
                update(TranscriptionJobRow)
                .where(
                    TranscriptionJobRow.id == job.id,
                    TranscriptionJobRow.attempts == job.attempts,
                    TranscriptionJobRow.state == JobState.RUNNING.value,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            settled = bool(done.rowcount == 1)  # type: ignore[attr-defined]
            if settled and announce is not None:
                write_events(s, announce(_job(s.get_one(TranscriptionJobRow, job.id))))
            return settled

    async def for_recording(self, recording_id: int) -> TranscriptJob | None:
        return await self._threads.run("transcripts.get", self.for_recording_sync, recording_id)

    def for_recording_sync(self, recording_id: int) -> TranscriptJob | None:
        with self._sessions() as s:
            row = s.scalar(
                select(TranscriptionJobRow).where(TranscriptionJobRow.recording_id == recording_id)
            )
            return None if row is None else _job(row)

    async def backlog(self, since: datetime | None = None) -> dict[str, tuple[int, float]]:
        return await self._threads.run("transcripts.backlog", self.backlog_sync, since)

    def backlog_sync(self, since: datetime | None = None) -> dict[str, tuple[int, float]]:
        """Per job state: (jobs, seconds of audio, from the recordings' length); ``since``:
        of recordings started then or later."""
        with self._sessions() as s:
            query = (
                select(
                    TranscriptionJobRow.state,
                    func.count(TranscriptionJobRow.id),
                    func.coalesce(func.sum(RecordingRow.duration), 0.0),
                )
                .join(RecordingRow, RecordingRow.id == TranscriptionJobRow.recording_id)
                .group_by(TranscriptionJobRow.state)
            )
            if since is not None:
                query = query.where(RecordingRow.started_at >= since)
            rows = s.execute(query).all()
            return {state: (int(n), float(seconds)) for state, n, seconds in rows}


def _call_languages(s: Session, recording_ids: list[int]) -> dict[int, str]:
    """Per recording, the language its call was left in by the IVR (where one was set)."""
    if not recording_ids:
        return {}
    # A call's recording has the call's id; a voicemail's, the message's call through
    # its voicemail row.
    call_of = dict(
        s.execute(
            select(RecordingRow.id, func.coalesce(VoicemailRow.call_id, RecordingRow.call_id))
            .outerjoin(VoicemailRow, VoicemailRow.recording_id == RecordingRow.id)
            .where(RecordingRow.id.in_(recording_ids))
        ).all()
    )
    spoken = dict(
        s.execute(
            select(CallRow.call_id, CallRow.language).where(
                CallRow.call_id.in_(set(call_of.values())), CallRow.language != ""
            )
        ).all()
    )
    return {rid: spoken[cid] for rid, cid in call_of.items() if cid in spoken}


def _job(row: TranscriptionJobRow) -> TranscriptJob:
    return TranscriptJob(
        id=row.id,
        recording_id=row.recording_id,
        state=JobState(row.state),
        language=row.language or "",
        attempts=row.attempts,
        next_attempt_at=as_utc(row.next_attempt_at) if row.next_attempt_at else None,
        error=row.error or "",
        audio_seconds=row.audio_seconds or 0.0,
        utterances=tuple(from_json(u) for u in row.utterances or ()),
        finished_at=as_utc(row.finished_at) if row.finished_at else None,
    )
