"""The ports services depend on. Edges implement them; unit tests fake them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult


class TelephonyError(RuntimeError):
    """Asterisk refused or could not carry out a command (e.g. the channel is gone)."""


class Telephony(Protocol):
    """Commands on one call's channel (ARI)."""

    async def answer(self, call_id: str) -> None: ...

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        """Start playing ``media`` (``sound:NAME``, ``digits:12``…, one after another) in
        ``language``; returns the playback id."""
        ...

    async def set_variable(self, call_id: str, name: str, value: str) -> None: ...

    async def stop_playback(self, playback_id: str) -> None: ...

    async def hangup(self, call_id: str) -> None: ...

    async def continue_in_dialplan(self, call_id: str, context: str, exten: str) -> None: ...

    async def calls_in_app(self) -> list[str]:
        """Ids of the channels currently in our Stasis application (for reconciling)."""
        ...


class CallRedirector(Protocol):
    """Moves a call out of whatever it is doing (interrupting a prompt) to the dialplan."""

    async def redirect(self, call_id: str, context: str, exten: str) -> None: ...


class CallLog(Protocol):
    """Durable record of calls; every method is idempotent on ``call_id``."""

    async def call_started(self, record: CallRecord) -> None: ...

    async def digit_pressed(self, call_id: str, digit: str) -> None: ...

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None: ...

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None: ...

    async def get(self, call_id: str) -> CallRecord | None: ...


class CallerDirectory(Protocol):
    """Do we know this caller? (The ticket store answers once it exists.)"""

    async def is_known(self, caller: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
