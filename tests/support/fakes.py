"""Fakes behind our own ports, for unit tests of services only."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from callcenter.domain.calls import CallOutcome, CallRecord, CallState, IvrResult
from callcenter.services.ports import TelephonyError


@dataclasses.dataclass
class FakeTelephony:
    commands: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    in_app: list[str] = dataclasses.field(default_factory=list)
    fail: set[str] = dataclasses.field(default_factory=set)
    playbacks: int = 0

    def _do(self, *command: str) -> None:
        self.commands.append(command)
        if command[0] in self.fail:
            raise TelephonyError(f"{command[0]} refused")

    async def answer(self, call_id: str) -> None:
        self._do("answer", call_id)

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        items = [media] if isinstance(media, str) else media
        self._do("play", call_id, *items)
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


@dataclasses.dataclass
class MemoryCallLog:
    records: dict[str, CallRecord] = dataclasses.field(default_factory=dict)

    async def call_started(self, record: CallRecord) -> None:
        self.records.setdefault(record.call_id, record)

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

    async def is_known(self, caller: str) -> bool:
        return any(r.caller == caller and r.state is CallState.ENDED for r in self.records.values())


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
