"""Call recordings: what a recording is, how one is checked when its call ends, who may
listen, and when it is deleted. Pure rules (no I/O).

A recording is made by Asterisk (MixMonitor started in the dialplan when the call enters a
queue, so it records with the daemon down too), one file per call: 8 kHz 16-bit, two
channels — the caller on the left, what the caller hears (the agent) on the right. When the
recording ends Asterisk leaves a *marker* naming the file and when it started; the daemon
turns the file into a WAV the browser plays, checks it against the call's length and keeps
it until its retention date.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from callcenter.domain.tickets import Role

SAMPLE_RATE = 8000
CHANNELS = 2
SAMPLE_BYTES = 2
BYTES_PER_SECOND = SAMPLE_RATE * CHANNELS * SAMPLE_BYTES
# Paths Asterisk writes (dialplan callcenter-record): YYYY/MM/DD/<uniqueid>.raw
RAW_PATH = re.compile(r"^(\d{4})/(\d{2})/(\d{2})/(\d{1,20}\.\d{1,10})\.raw$")
# An Asterisk Uniqueid: epoch.sequence, prefixed "<node>-" on a cluster node (its
# systemname, so ids stay unique in the shared database).
CALL_ID = re.compile(r"^(?:[a-z0-9-]{1,32}-)?\d{1,20}\.\d{1,10}$")
EPOCH = re.compile(r"^\d{1,12}(\.\d{1,6})?$")


class RecordingState(enum.StrEnum):
    RECORDING = "recording"  # the call goes on
    COMPLETE = "complete"  # checked, playable
    MISSING = "missing"  # no file, or not what the call's length says: an alarm
    DELETED = "deleted"  # retention ended (or an admin deleted it): the row stays


class RecordingError(ValueError):
    """A marker or a request that names something that is not a recording of ours."""


class RecordingPending(RecordingError):
    """A recording that cannot be finished yet (a side of it is still being written)."""


@dataclasses.dataclass(frozen=True)
class Pause:
    """A PCI pause: seconds from the recording's start; ``end`` None while paused."""

    start: float
    end: float | None = None
    by: str = ""


@dataclasses.dataclass(frozen=True)
class Recording:
    id: int
    call_id: str  # the caller's channel Uniqueid (Asterisk's id: one recording per call)
    path: str  # relative to the recordings directory; never from a client
    state: RecordingState
    started_at: datetime
    ended_at: datetime | None = None
    duration: float = 0.0  # seconds of audio in the file
    bytes: int = 0
    sha256: str = ""
    channels: int = CHANNELS
    queue: str = ""
    agent: str = ""
    ticket_number: int | None = None
    customer_id: int | None = None
    pauses: tuple[Pause, ...] = ()
    retain_until: datetime | None = None
    problem: str = ""  # why it is missing (the alarm), or why it was deleted
    kind: str = "call"  # call, or voicemail (a message: mono, call_id vm:<its key>)

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].end is None


@dataclasses.dataclass(frozen=True)
class RecordingFilter:
    """What a search of recordings keeps (empty fields: any)."""

    queue: str = ""
    agent: str = ""
    customer_id: int | None = None
    ticket_number: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    state: RecordingState | None = None
    kind: str = ""  # call | voicemail ("": both)


@dataclasses.dataclass(frozen=True)
class Listen:
    """One fetch of a recording's audio, for the audit (refused ones too)."""

    who: str
    role: str
    address: str
    at: datetime
    allowed: bool


@dataclasses.dataclass(frozen=True)
class Marker:
    """What Asterisk leaves when a recording ends (MixMonitor's post-process command)."""

    call_id: str
    raw_path: str
    started_epoch: float  # to the millisecond (pauses are offsets from it)
    ended_epoch: float  # the marker's own time: when the file was closed


def parse_marker(call_id: str, text: str, ended_epoch: float) -> Marker:
    """``text`` is ``<start epoch> <relative raw path>``; anything else names the culprit."""
    parts = text.split()
    if len(parts) != 2 or EPOCH.fullmatch(parts[0]) is None:
        raise RecordingError(f"recording marker {call_id}: {text[:80]!r} is not 'EPOCH PATH'")
    match = RAW_PATH.fullmatch(parts[1])
    if match is None or match.group(4) != call_id:
        raise RecordingError(f"recording marker {call_id}: path {parts[1][:80]!r} is not ours")
    return Marker(call_id, parts[1], float(parts[0]), ended_epoch)


def wav_path(raw_path: str) -> str:
    return raw_path[: -len(".raw")] + ".wav"


def audio_seconds(audio_bytes: int) -> float:
    return audio_bytes / BYTES_PER_SECOND


def check(audio_bytes: int | None, started_epoch: float, ended_epoch: float, slack: float) -> str:
    """Why the file is not the call's recording ('' when it is): absent, empty, or its
    audio shorter or longer than the time MixMonitor ran by more than ``slack`` seconds."""
    if audio_bytes is None:
        return "no recording file"
    if audio_bytes == 0:
        return "the recording file is empty"
    expected = max(0.0, ended_epoch - started_epoch)
    actual = audio_seconds(audio_bytes)
    if actual < expected - slack:
        return f"truncated: {actual:.1f} s of audio for {expected:.0f} s of call"
    if actual > expected + slack:
        return f"too long: {actual:.1f} s of audio for {expected:.0f} s of call"
    return ""


def pause_started(pauses: Sequence[Pause], at: float, by: str) -> tuple[Pause, ...]:
    """Pauses with a new one from ``at``; already paused: unchanged (idempotent)."""
    if pauses and pauses[-1].end is None:
        return tuple(pauses)
    return (*pauses, Pause(round(max(0.0, at), 2), None, by))


def pause_ended(pauses: Sequence[Pause], at: float) -> tuple[Pause, ...]:
    """Pauses with the open one closed at ``at``; not paused: unchanged (idempotent)."""
    if not pauses or pauses[-1].end is not None:
        return tuple(pauses)
    last = pauses[-1]
    return (*pauses[:-1], dataclasses.replace(last, end=round(max(last.start, at), 2)))


def close_pauses(pauses: Sequence[Pause], duration: float) -> tuple[Pause, ...]:
    """A pause still open when the call ended lasted to the end of the recording."""
    return pause_ended(pauses, duration)


def retain_until(ended_at: datetime, days: int) -> datetime | None:
    """Kept ``days`` days after the call; 0 keeps it for ever."""
    return ended_at + timedelta(days=days) if days > 0 else None


def expired(recording: Recording, now: datetime, on_hold: bool) -> bool:
    """Due for deletion: complete or missing, past its retention date, not on legal hold."""
    if on_hold or recording.retain_until is None:
        return False
    if recording.state not in (RecordingState.COMPLETE, RecordingState.MISSING):
        return False
    return recording.retain_until <= now


def may_listen(role: Role, agent: str, recording: Recording) -> bool:
    """Supervisors and admins hear every recording; an agent the calls they took, and
    callers' messages (left for the agents who call them back)."""
    if role in (Role.ADMIN, Role.SUPERVISOR):
        return True
    if role is Role.AGENT and recording.kind == "voicemail":
        return True
    return role is Role.AGENT and bool(agent) and agent == recording.agent


def may_pause(role: Role, agent: str, recording: Recording) -> bool:
    """The agent on the call, a supervisor or an admin (a call's recording only)."""
    return recording.kind == "call" and may_listen(role, agent, recording)
