"""Fakes behind our own ports, for unit tests of services only."""

from __future__ import annotations

import asyncio
import dataclasses
import wave
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from callcenter.domain.calls import (
    CallLeft,
    CallOutcome,
    CallRecord,
    CallState,
    DtmfReceived,
    IvrResult,
    PlaybackFinished,
    RecordingEnded,
)
from callcenter.domain.queue_view import MemberState, QueueSnapshot, WaitingCaller
from callcenter.services.ports import RecordLimits, TelephonyError


@dataclasses.dataclass
class FakeTelephony:
    commands: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    in_app: list[str] = dataclasses.field(default_factory=list)
    fail: set[str] = dataclasses.field(default_factory=set)
    playbacks: int = 0
    languages: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (media, lang)

    def _do(self, *command: str) -> None:
        self.commands.append(command)
        if command[0] in self.fail:
            raise TelephonyError(f"{command[0]} refused")

    async def answer(self, call_id: str) -> None:
        self._do("answer", call_id)

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        items = [media] if isinstance(media, str) else media
        self._do("play", call_id, *items)
        self.languages += [(item, language) for item in items]
        self.playbacks += 1
        return f"pb{self.playbacks}"

    async def stop_playback(self, playback_id: str) -> None:
        self._do("stop_playback", playback_id)

    async def set_variable(self, call_id: str, name: str, value: str) -> None:
        self._do("set", call_id, name, value)

    async def hangup(self, call_id: str) -> None:
        self._do("hangup", call_id)

    async def continue_in_dialplan(self, call_id: str, context: str, exten: str) -> None:
        self._do("continue", call_id, context, exten)

    async def redirect(self, call_id: str, context: str, exten: str) -> None:
        self._do("redirect", call_id, context, exten)

    async def calls_in_app(self) -> list[str]:
        return list(self.in_app)

    async def record(self, call_id: str, name: str, limits: RecordLimits) -> None:
        self._do("record", call_id, name, str(limits.max_seconds))

    async def delete_recording(self, name: str) -> None:
        self._do("delete_recording", name)


@dataclasses.dataclass
class MemoryCallLog:
    records: dict[str, CallRecord] = dataclasses.field(default_factory=dict)

    async def call_started(self, record: CallRecord) -> None:
        known = self.records.setdefault(record.call_id, record)
        if known.state is CallState.ENDED:  # back from a queue
            self.records[record.call_id] = dataclasses.replace(
                known, state=record.state, outcome=None, ended_at=None
            )

    async def digit_pressed(self, call_id: str, digit: str) -> None:
        r = self.records[call_id]
        self.records[call_id] = dataclasses.replace(r, digits=r.digits + digit)

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None:
        r = self.records.get(call_id)
        if r is not None and r.state is not CallState.ENDED:
            self.records[call_id] = dataclasses.replace(
                r, state=CallState.ENDED, outcome=outcome, ended_at=at
            )

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None:
        r = self.records[call_id]
        self.records[call_id] = dataclasses.replace(
            r, flow=result.flow, ivr_path=r.ivr_path + result.path, outcome_detail=result.detail
        )

    async def get(self, call_id: str) -> CallRecord | None:
        return self.records.get(call_id)

    async def recent_ended(self, limit: int) -> list[CallRecord]:
        ended = [r for r in self.records.values() if r.ended_at is not None]
        return list(reversed(ended))[:limit]

    async def is_known(self, caller: str) -> bool:
        return any(r.caller == caller and r.state is CallState.ENDED for r in self.records.values())


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class SettableClock:
    """A clock a test moves by hand (``at``)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class MemoryQueues:
    """app_queue as far as members, pauses and waiting callers go, behind our QueueControl
    port (the real one is driven on Asterisk in the integration tests)."""

    def __init__(
        self,
        queues: tuple[str, ...] = ("billing", "general"),
        waiting: dict[str, tuple[WaitingCaller, ...]] | None = None,
    ) -> None:
        self.members: dict[str, dict[str, MemberState]] = {q: {} for q in queues}
        self.waiting = waiting or {}
        self.actions: list[tuple[str, ...]] = []

    async def pause(self, agent: str, paused: bool, reason: str = "") -> None:
        self.actions.append(("pause", agent, str(paused), reason))
        for members in self.members.values():
            if agent in members:
                members[agent] = dataclasses.replace(
                    members[agent], paused=paused, pause_reason=reason, last_pause=1000.0
                )

    async def join(
        self, agent: str, queue: str, penalty: int, paused: bool = False, reason: str = ""
    ) -> None:
        self.actions.append(("join", agent, queue, str(penalty), str(paused), reason))
        member = MemberState(agent, paused, reason, False, "not_in_use", 0, penalty)
        self.members[queue][agent] = member

    async def leave(self, agent: str, queue: str) -> None:
        self.actions.append(("leave", agent, queue))
        del self.members[queue][agent]

    async def set_penalty(self, agent: str, queue: str, penalty: int) -> None:
        self.actions.append(("penalty", agent, queue, str(penalty)))
        self.members[queue][agent] = dataclasses.replace(
            self.members[queue][agent], penalty=penalty
        )

    async def whisper(self, channel: str, position: int, minutes: int) -> None:
        self.actions.append(("whisper", channel, str(position), str(minutes)))

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return [
            QueueSnapshot(
                q,
                self.waiting.get(q, ()),
                tuple(sorted(m.values(), key=lambda x: x.agent)),
            )
            for q, m in sorted(self.members.items())
            if not queue or q == queue
        ]


class RecordingFirewall:
    """The SipFirewall port: remembers every set of denied addresses it was given."""

    def __init__(self) -> None:
        self.applied: list[list[str]] = []

    async def deny(self, addresses: Sequence[str]) -> None:
        self.applied.append(list(addresses))


class ScriptedCaller(FakeTelephony):
    """Answers each command the way a caller and Asterisk would, from a script: a prompt
    ends, or — when ``digits`` has presses for its media — the caller keys one press (all
    its digits) while it plays, one press per time it is played; each recording ends with
    a WAV of the length ``takes`` says in ``directory`` (or the caller hangs up, or
    Asterisk refuses)."""

    def __init__(self, directory: Path) -> None:
        super().__init__()
        self.directory = directory
        self.session: Any = None  # the CallSession it answers
        self.digits: dict[str, list[str]] = {}  # media → presses ("1", "1500#"), in turn
        self.takes: list[float | str] = []  # seconds recorded, or "hangup", or "fail"

    def _push(self, event: object) -> None:
        assert self.session is not None
        asyncio.get_running_loop().call_soon(self.session.push, event)  # type: ignore[arg-type]

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        playback = await super().play(call_id, media, language)
        presses = self.digits.get(str(media), [])
        if presses:
            for digit in presses.pop(0):
                self._push(DtmfReceived(call_id, digit))
        else:
            self._push(PlaybackFinished(call_id, playback))
        return playback

    async def record(self, call_id: str, name: str, limits: RecordLimits) -> None:
        await super().record(call_id, name, limits)
        take = self.takes.pop(0)
        if take == "fail":
            raise TelephonyError("channels.record: Asterisk answered 500")
        seconds = 3.0 if take == "hangup" else float(take)
        with wave.open(str(self.directory / f"{name}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\x01\x00" * int(8000 * seconds))
        if take == "hangup":
            self._push(CallLeft(call_id, hung_up=True))
        else:
            self._push(RecordingEnded(call_id, name, True, seconds, "dtmf"))
