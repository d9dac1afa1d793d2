"""Trunks as the centre sees them: for each, whether its registration holds (a trunk known
by address has none to hold), since when, how often calls went on to the next trunk; and
the calls refused because the number dialled is not ours. Pure: the service feeds it what
Asterisk says and the time; each change of state is returned, to be logged."""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Iterable
from datetime import datetime

BY_ADDRESS = "by address"  # no registration: the carrier knows us by our address
REGISTERED = "registered"
UNKNOWN = "unknown"  # registering, not heard of yet (just started; AMI down)


@dataclasses.dataclass(frozen=True)
class RegistrationSeen:
    """Asterisk's word on a registration: by client URI (Registry) or by name (a poll)."""

    client_uri: str
    status: str
    trunk: str = ""


@dataclasses.dataclass(frozen=True)
class NumberRefused:
    """A carrier offered a call to a number that is not ours (refused with 404)."""

    number: str
    caller: str
    trunk: str


@dataclasses.dataclass(frozen=True)
class TrunkFailover:
    """A call out could not go through ``trunk`` (``status``) and went on to the next."""

    trunk: str
    status: str


@dataclasses.dataclass(frozen=True)
class TrunkLine:
    name: str
    host: str
    registers: bool
    client_uri: str = ""  # of its registration


@dataclasses.dataclass(frozen=True)
class TrunkState:
    name: str
    host: str
    registers: bool
    status: str
    since: datetime
    failovers: int = 0

    @property
    def up(self) -> bool:
        return not self.registers or self.status == REGISTERED


@dataclasses.dataclass(frozen=True)
class Refusal:
    at: datetime
    number: str
    caller: str
    trunk: str


class TrunkBoard:
    """The trunks' states and the latest refusals (the newest ``keep`` of them)."""

    def __init__(self, lines: Iterable[TrunkLine], now: datetime, keep: int = 50) -> None:
        self._lines = {line.name: line for line in lines}
        self._by_uri = {line.client_uri: line.name for line in self._lines.values()}
        self._states = {
            line.name: TrunkState(
                line.name, line.host, line.registers, UNKNOWN if line.registers else BY_ADDRESS, now
            )
            for line in self._lines.values()
        }
        self.refusals: collections.deque[Refusal] = collections.deque(maxlen=keep)
        self.refused = 0

    def states(self) -> list[TrunkState]:
        return list(self._states.values())

    def seen(self, event: RegistrationSeen, now: datetime) -> tuple[TrunkState, str] | None:
        """Apply ``event``; (the new state, the old status) when the status changed."""
        name = event.trunk or self._by_uri.get(event.client_uri, "")
        state = self._states.get(name)
        if state is None or not state.registers or state.status == event.status:
            return None
        self._states[name] = dataclasses.replace(state, status=event.status, since=now)
        return self._states[name], state.status

    def lost(self, now: datetime) -> list[tuple[TrunkState, str]]:
        """AMI is gone: what Asterisk said no longer holds (each registering trunk unknown)."""
        return [
            change
            for name in self._states
            if (change := self.seen(RegistrationSeen("", UNKNOWN, name), now)) is not None
        ]

    def failed_over(self, event: TrunkFailover) -> None:
        state = self._states.get(event.trunk)
        if state is not None:
            self._states[event.trunk] = dataclasses.replace(state, failovers=state.failovers + 1)

    def refuse(self, event: NumberRefused, now: datetime) -> Refusal:
        refusal = Refusal(now, event.number, event.caller, event.trunk)
        self.refusals.appendleft(refusal)
        self.refused += 1
        return refusal

    def healthy(self) -> bool:
        """Every trunk that registers is registered."""
        return all(s.up for s in self._states.values())
