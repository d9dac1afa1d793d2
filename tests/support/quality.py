"""A recorded call ready for review, written as the daemon keeps one: a complete
recording of an agent's call (a two-channel 8 kHz WAV in the recordings directory) and its
finished transcript — for the review page's tests and its benchmark."""

from __future__ import annotations

import math
import struct
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.app.recordings import recordings_dir
from callcenter.config import Config
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.models import RecordingRow, TranscriptionJobRow

RATE = 8000


def conversation(seconds: float) -> list[dict[str, Any]]:
    """A call's transcript: the agent greets, then both take turns every few seconds, the
    agent asks the closing question at the end."""
    lines = [("agent", "good morning this is anna how can i help you")]
    turn = 0
    while len(lines) * 6 < seconds - 12:
        turn += 1
        lines.append(("caller" if turn % 2 else "agent",
                      f"this is what was said in turn {turn} about the parcel"))  # fmt: skip
    lines.append(("agent", "is there anything else i can help you with"))
    return [
        {"speaker": who, "start": 6.0 * n, "end": 6.0 * n + 4.5, "text": text,
         "confidence": 0.9, "words": []}
        for n, (who, text) in enumerate(lines)
    ]  # fmt: skip


def _wav(path: Any, seconds: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = bytearray()
    for n in range(int(seconds * RATE)):
        left = int(3000 * math.sin(2 * math.pi * 440 * n / RATE))
        frames += struct.pack("<hh", left, -left)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    return len(frames) + 44


def reviewable_call(config: Config, call_id: str, agent: str, seconds: float) -> int:
    """Write the recording and its transcript; the recording's id."""
    at = datetime.now(UTC) - timedelta(seconds=seconds + 5)
    # Not under today's directory: Asterisk makes that one itself, as its own user, and
    # could not write its recordings into one the test made.
    relative = f"reviewable/{call_id}.wav"
    size = _wav(recordings_dir(config) / relative, seconds)
    engine = make_engine(config.database_url)
    try:
        with make_sessions(engine).begin() as s:
            row = RecordingRow(
                call_id=call_id, path=relative, state="complete", started_at=at,
                ended_at=at + timedelta(seconds=seconds), duration=seconds, bytes=size,
                sha256="", channels=2, queue="support", agent=agent, pauses=[], kind="call",
            )  # fmt: skip
            s.add(row)
            s.flush()
            s.add(TranscriptionJobRow(
                recording_id=row.id, state="done", language="en", audio_seconds=seconds,
                utterances=conversation(seconds), created_at=at, finished_at=at,
            ))  # fmt: skip
            return row.id
    finally:
        engine.dispose()
