"""The trunks' state, kept from what Asterisk says (thin: the rules are
:class:`~callcenter.domain.trunks.TrunkBoard`'s): registrations polled after every AMI
login and every few seconds, and heard at once from Asterisk's ``Registry`` events; calls
to numbers that are not ours and calls passed on to the next trunk, counted and logged.
Every change of a registration is logged once, with what it means for callers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from callcenter.domain.trunks import (
    REGISTERED,
    NumberRefused,
    Refusal,
    RegistrationSeen,
    TrunkBoard,
    TrunkFailover,
    TrunkLine,
    TrunkState,
)

log = logging.getLogger(__name__)


class Registrations(Protocol):
    async def registrations(self) -> list[RegistrationSeen]:
        """Every outbound registration Asterisk has, by name (raises when AMI is down)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Trunks:
    def __init__(
        self,
        lines: Sequence[TrunkLine],
        registrations: Registrations,
        clock: Clock,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._registrations, self._clock = registrations, clock
        self._emit = emit or (lambda _kind, _data: None)
        self.board = TrunkBoard(lines, clock.now())

    async def refresh(self) -> None:
        """Ask Asterisk for every registration's state (after a login, and periodically)."""
        try:
            seen = await self._registrations.registrations()
        except Exception as exc:
            log.warning("trunk registrations not read (%s)", exc)
            for change in self.board.lost(self._clock.now()):
                self._changed(*change)
            return
        for event in seen:
            self.registry(event)

    def registry(self, event: RegistrationSeen, _received: float = 0.0) -> None:
        change = self.board.seen(event, self._clock.now())
        if change is not None:
            self._changed(*change)

    def _changed(self, state: TrunkState, was: str) -> None:
        if state.status == REGISTERED:
            log.info("trunk %s: registered at %s (was %s)", state.name, state.host, was)
        else:
            log.warning(
                "trunk %s: %s at %s (was %s): its carrier sends no calls until it registers"
                " again (retried by Asterisk; the carrier's answer is in Asterisk's log)",
                state.name,
                state.status,
                state.host,
                was,
            )
        self._emit("trunk.changed", {"trunk": state.name, "status": state.status, "was": was})

    def refused(self, event: NumberRefused, _received: float = 0.0) -> None:
        self.board.refuse(event, self._clock.now())
        log.warning(
            "call to %s from %s through trunk %s refused (404): not one of our numbers",
            event.number,
            event.caller or "an unknown caller",
            event.trunk or "?",
        )

    def failed_over(self, event: TrunkFailover, _received: float = 0.0) -> None:
        self.board.failed_over(event)
        log.warning(
            "a call out did not go through trunk %s (%s): on to the next", event.trunk, event.status
        )

    def states(self) -> list[TrunkState]:
        return self.board.states()

    def refusals(self) -> list[Refusal]:
        return list(self.board.refusals)

    async def healthy(self) -> bool:
        return self.board.healthy()

    async def run(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self.refresh()
