"""The ports services depend on. Edges implement them; unit tests fake them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from callcenter.domain.bans import SipBan
from callcenter.domain.calls import CallOutcome, CallRecord, FallbackCall, IvrResult
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.domain.staff import StaffSession, StaffUser
from callcenter.domain.tickets import (
    CallerHistory,
    CallSummary,
    Customer,
    Handoff,
    Interaction,
    NewCustomer,
    NewInteraction,
    NewTicket,
    Page,
    Role,
    Ticket,
    TicketChanges,
    TicketStatus,
    TicketView,
)
from callcenter.domain.webhooks import Announce


@dataclasses.dataclass(frozen=True)
class RecordLimits:
    max_seconds: int = 120  # the longest message
    silence_seconds: int = 5  # this much silence ends it (0: never)
    beep: bool = True
    terminate_on: str = "#"  # the digit that ends it ("none": no digit)


class TelephonyError(RuntimeError):
    """Asterisk refused or could not carry out a command (e.g. the channel is gone).
    ``status``: Asterisk's HTTP answer when it gave one (404: no such channel)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


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

    async def record(self, call_id: str, name: str, limits: RecordLimits) -> None:
        """Record what the caller says into Asterisk's stored recording ``name`` (WAV); a
        ``RecordingEnded`` event follows (the limits, ``#``, or the caller hanging up)."""
        ...

    async def delete_recording(self, name: str) -> None:
        """Delete Asterisk's stored recording ``name`` (a message recorded again)."""
        ...


class CallRedirector(Protocol):
    """Moves a call out of whatever it is doing (interrupting a prompt) to the dialplan."""

    async def redirect(self, call_id: str, context: str, exten: str) -> None: ...


class CallLog(Protocol):
    """Durable record of calls; every method is idempotent on ``call_id``."""

    async def call_started(self, record: CallRecord) -> None:
        """Record a call entering the IVR. A call already ended here is one coming back
        from a queue (overflow or timeout to a flow node): it is open again, its path kept,
        so its final outcome is the one its last leg ends with."""
        ...

    async def digit_pressed(self, call_id: str, digit: str) -> None: ...

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None: ...

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None: ...

    async def get(self, call_id: str) -> CallRecord | None: ...


class CallerDirectory(Protocol):
    """Do we know this caller? (The ticket store answers once it exists.)"""

    async def is_known(self, caller: str) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class TicketStore(Protocol):
    """The shared ticket store (customers, tickets, timelines). Methods raise
    ``NotFound``, ``TicketRuleError`` or ``InvalidContact``, each naming the culprit."""

    region: str

    async def create_customer(self, new: NewCustomer) -> Customer: ...

    async def get_customer(self, customer_id: int) -> Customer: ...

    async def search_customers(self, q: str, limit: int, cursor: str | None) -> Page[Customer]: ...

    async def merge_customers(self, into_id: int, from_id: int) -> Customer: ...

    async def lookup(self, phone: str = "", email: str = "") -> CallerHistory: ...

    async def is_known(self, caller: str) -> bool: ...

    async def create_ticket(self, new: NewTicket) -> Ticket: ...

    async def update_ticket(self, number: int, changes: TicketChanges) -> Ticket: ...

    async def get_ticket(self, number: int) -> TicketView: ...

    async def list_tickets(
        self,
        limit: int,
        cursor: str | None = None,
        status: Sequence[TicketStatus] = (),
        customer_id: int | None = None,
        assignee: str | None = None,
        tag: str | None = None,
        queue: str | None = None,
    ) -> Page[Ticket]: ...

    async def append_interaction(
        self, number: int, new: NewInteraction
    ) -> tuple[Interaction, bool]: ...

    async def handoffs(self, limit: int, cursor: str | None = None) -> Page[Handoff]: ...

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None:
        """Merge ``changes`` into the call's interaction; None if it is on no ticket."""
        ...

    async def update_voicemail(self, key: str, changes: dict[str, Any]) -> Interaction | None:
        """Merge ``changes`` into the message's interaction; None if it is on no ticket."""
        ...

    async def record_call(
        self, call: CallSummary, announce: Announce[Interaction] | None = None
    ) -> Interaction:
        """``announce``: the call's events, written with it (only the first time)."""
        ...


@dataclasses.dataclass(frozen=True)
class ApiPrincipal:
    token_id: int
    name: str
    role: Role
    agent: str = ""  # set on agent tokens: the one extension they may act for

    def may_act_for(self, extension: str) -> bool:
        """Agents act for their own extension only; other staff roles for anyone."""
        return self.role is not Role.AGENT or self.agent == extension


@dataclasses.dataclass(frozen=True)
class StoredResponse:
    """A POST's response kept under its Idempotency-Key, with the request it answered."""

    request_hash: str
    status: int
    body: dict[str, Any]


class ApiKeys(Protocol):
    async def principal(self, token: str) -> ApiPrincipal | None: ...

    async def stored(self, token_id: int, key: str) -> StoredResponse | None: ...

    async def store(self, token_id: int, key: str, response: StoredResponse) -> None: ...


class QueueControl(Protocol):
    """app_queue, seen and steered over AMI."""

    async def pause(self, agent: str, paused: bool, reason: str = "") -> None: ...

    async def join(
        self, agent: str, queue: str, penalty: int, paused: bool = False, reason: str = ""
    ) -> None: ...

    async def leave(self, agent: str, queue: str) -> None: ...

    async def set_penalty(self, agent: str, queue: str, penalty: int) -> None: ...

    async def whisper(self, channel: str, position: int, minutes: int) -> None:
        """Tell a waiting caller their position and wait, over their music."""
        ...

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        """Every queue now, or only ``queue``."""
        ...


class SipBanStore(Protocol):
    """Bans, durable (they outlive the daemon and Asterisk)."""

    async def add_ban(self, ban: SipBan) -> SipBan:
        """Record ``ban``; an address already actively banned keeps its ban (returned)."""
        ...

    async def active_bans(self, now: datetime) -> list[SipBan]: ...

    async def recent_bans(self, limit: int) -> list[SipBan]:
        """Active, expired and lifted, newest first."""
        ...

    async def lift_ban(self, address: str, now: datetime, by: str) -> SipBan | None:
        """End the active ban of ``address`` (None if it had none)."""
        ...


class SipFirewall(Protocol):
    """What Asterisk refuses: exactly these addresses get nothing but 403."""

    async def deny(self, addresses: Sequence[str]) -> None: ...


class StaffDirectory(Protocol):
    """Staff accounts and their browser sessions (the pages' sign-in)."""

    async def authenticate(self, username: str, password: str) -> StaffUser | None: ...

    async def redeem_link(self, token: str, now: datetime) -> StaffUser | None:
        """The account a one-time sign-in link opens (None if unknown, used or expired)."""
        ...

    async def start_session(self, user: StaffUser, now: datetime, ttl: timedelta) -> str: ...

    async def session(self, token: str, now: datetime) -> StaffSession | None: ...

    async def end_session(self, token: str, now: datetime) -> None: ...

    async def set_locale(self, username: str, locale: str) -> StaffUser:
        """The account's language for the pages ('' = the browser's); StaffError if bad."""
        ...

    async def list_users(self) -> list[StaffUser]: ...

    async def set_disabled(self, username: str, disabled: bool, now: datetime) -> StaffUser:
        """Disabling ends every session of the account; StaffError if unknown."""
        ...


class FallbackSource(Protocol):
    """Calls the dialplan sent to the fallback queue without the daemon (its spool)."""

    def take(self) -> Sequence[FallbackCall]:
        """What the spool holds now (also what a crash left half-imported)."""
        ...

    def done(self) -> None:
        """Forget what :meth:`take` returned (it is recorded)."""
        ...
