"""Admission control, the daemon's part (the rules are :class:`~callcenter.domain.admission.
Door`'s; the fixed ceilings are the dialplan's): every second the live signals — how late a
100 ms timer of the event loop fired at worst, Asterisk's CPU, how late the daemon took the
inbound calls admitted (their channel made → StasisStart handled: Asterisk's Stasis backlog,
the ARI link and our loop together) — are looked at and the
door's command is carried out (the dialplan's globals over AMI); the callers the dialplan
did not admit, and the calls the daemon took, are counted. The door is renewed on every
look while it stays closed, so an Asterisk restart or an AMI cut closes it again at the
next look, and a dead daemon's door reopens by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from callcenter.domain.admission import (
    AdmissionSeen,
    Close,
    Counts,
    Door,
    Outcome,
    Reopen,
    Signals,
)
from callcenter.domain.calls import CallEntered

log = logging.getLogger(__name__)

TICK = 0.1  # seconds: the loop-lag probe's timer


class DoorPort(Protocol):
    async def close(self, until: datetime, why: str) -> None: ...
    async def reopen(self) -> None: ...
    async def calls_up(self) -> int:
        """Inbound calls up now (the dialplan's count)."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Admission:
    def __init__(
        self,
        door: Door,
        port: DoorPort,
        asterisk_cpu: Callable[[], float | None],
        clock: Clock,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
        every: float = 1.0,
        callback_queue: str = "",
        on_entry: Callable[[float], None] | None = None,
    ) -> None:
        self._on_entry = on_entry or (lambda _seconds: None)
        self.callback_queue = callback_queue  # whose agents call back the not admitted
        self.door, self._port, self._cpu, self._clock = door, port, asterisk_cpu, clock
        self._emit = emit or (lambda _kind, _data: None)
        self._every = every
        self.counts = Counts()
        self.signals = Signals(0.0, None)
        self._worst_lag = 0.0
        self._worst_entry = 0.0
        self._port_failing = False
        self.calls_up: int | None = None  # at the last look; None: not known

    def entered(self, event: object) -> None:
        """A call the daemon took (ARI): an inbound one was admitted by the dialplan, and
        waited this long for us since its channel was made."""
        if isinstance(event, CallEntered) and event.args[:1] == ("inbound",):
            self.counts.add(Outcome.ADMITTED)
            if event.created is not None:
                late = (self._clock.now() - event.created).total_seconds()
                self._worst_entry = max(self._worst_entry, late)
                self._on_entry(late)

    def seen(self, event: AdmissionSeen, _received: float = 0.0) -> None:
        self.counts.add(event.outcome, event.reason)
        told = "refused with 503" if event.outcome is Outcome.REFUSED else "offered a callback"
        log.info("admission: a caller not admitted (%s): %s", event.reason or "-", told)
        self._emit("admission.changed", {"outcome": event.outcome.value, "reason": event.reason})

    async def look(self) -> None:
        """One look at the signals, the door's command carried out."""
        self.signals = Signals(self._worst_lag, self._cpu(), self._worst_entry)
        self._worst_lag = self._worst_entry = 0.0
        was_open = self.door.open
        command = self.door.look(self.signals, self._clock.now())
        try:
            if isinstance(command, Close):
                await self._port.close(command.until, command.why)
            elif isinstance(command, Reopen):
                await self._port.reopen()
            self.calls_up = await self._port.calls_up()
        except Exception as exc:
            self.calls_up = None
            if not self._port_failing:
                log.warning("admission: the door could not be set in Asterisk (%s)", exc)
            self._port_failing = True
        else:
            self._port_failing = False
        if was_open != self.door.open:
            self._emit("admission.changed", {"open": self.door.open, "why": self.door.why})

    async def run(self) -> None:
        """Until cancelled: the lag probe every ``TICK``, a look every ``every`` seconds."""
        next_look = time.monotonic() + self._every
        while True:
            due = time.monotonic() + TICK
            await asyncio.sleep(TICK)
            now = time.monotonic()
            self._worst_lag = max(self._worst_lag, now - due)
            if now >= next_look:
                next_look = now + self._every
                try:
                    await self.look()
                except Exception:
                    log.exception("admission: look failed")

    def state(self) -> dict[str, Any]:
        door = self.door
        return {
            "open": door.open,
            "calls_up": self.calls_up,
            "why": door.why,
            "closed_since": door.closed_since.isoformat() if door.closed_since else None,
            "signals": {
                "loop_lag": round(self.signals.loop_lag, 4),
                "entry_lag": round(self.signals.entry_lag, 4),
                "asterisk_cpu": None
                if self.signals.asterisk_cpu is None
                else round(self.signals.asterisk_cpu, 3),
            },
            "counts": {o.value: n for o, n in self.counts.by_outcome.items()},
            "by_reason": dict(self.counts.by_reason),
        }
