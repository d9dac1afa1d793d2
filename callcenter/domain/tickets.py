"""Customers, tickets and their timeline, as the rest of the system sees them.

Pure data and rules; the store maps them to rows, the API to JSON. Times are UTC.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from callcenter.domain.contacts import ContactPoint

T = TypeVar("T")


class TicketStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    SOLVED = "solved"
    CLOSED = "closed"


OPEN_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING})


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(enum.StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    WEB = "web"
    API = "api"


class InteractionKind(enum.StrEnum):
    CALL = "call"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"
    CHAT_MESSAGE = "chat_message"
    EMAIL = "email"
    NOTE = "note"
    HANDOFF_NOTE = "handoff_note"
    HANDOFF_READ = "handoff_read"  # an incoming agent acknowledged the handoff (not posted)


# What clients post to a timeline: acknowledgements are recorded only by reading them.
POSTABLE_KINDS = tuple(k for k in InteractionKind if k is not InteractionKind.HANDOFF_READ)


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    INTEGRATION = "integration"  # the chat side


class TicketRuleError(ValueError):
    """A change the ticket's rules forbid; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFound(LookupError):
    """No such customer, ticket or agent; the message names which."""


@dataclasses.dataclass(frozen=True)
class Customer:
    id: int
    name: str
    contacts: tuple[ContactPoint, ...]
    created_at: datetime
    merged_into: int | None = None


@dataclasses.dataclass(frozen=True)
class Agent:
    id: int
    name: str
    extension: str
    skills: tuple[str, ...] = ()
    team: str = ""
    logged_in: bool = False  # wants calls: a member of the queues their skills match


@dataclasses.dataclass(frozen=True)
class Ticket:
    number: int
    subject: str
    status: TicketStatus
    priority: Priority
    channel: Channel
    customer_id: int | None
    created_at: datetime
    updated_at: datetime
    queue: str = ""
    assignee: str = ""  # the agent's extension
    tags: tuple[str, ...] = ()
    due_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    caller_ambiguous: bool = False  # several customers matched the caller: a human decides


@dataclasses.dataclass(frozen=True)
class Interaction:
    id: int
    ticket_number: int
    customer_id: int | None
    kind: InteractionKind
    direction: Direction
    occurred_at: datetime
    body: str = ""
    author: str = ""
    source: str = ""  # "asterisk", "chat", "api"
    source_id: str = ""  # e.g. Asterisk's Uniqueid: importing it twice changes nothing
    linked_id: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    next_cursor: str | None


@dataclasses.dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    timeline: tuple[Interaction, ...]


@dataclasses.dataclass(frozen=True)
class Handoff:
    ticket: Ticket
    note: Interaction | None


@dataclasses.dataclass(frozen=True)
class CallerHistory:
    """What an agent needs before answering: who, open tickets, the latest interactions."""

    phone: str
    customer: Customer | None
    open_tickets: tuple[Ticket, ...] = ()
    recent: tuple[Interaction, ...] = ()
    candidates: tuple[int, ...] = ()  # several customers matched: none is guessed
    # The latest handoff note of each open ticket: a call pops with these on top.
    handoff_notes: tuple[Interaction, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1


# -- inputs ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NewCustomer:
    name: str
    contacts: tuple[ContactPoint, ...] = ()


@dataclasses.dataclass(frozen=True)
class NewTicket:
    subject: str
    customer_id: int | None = None
    priority: Priority = Priority.NORMAL
    channel: Channel = Channel.API
    queue: str = ""
    assignee: str = ""
    tags: tuple[str, ...] = ()
    due_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class TicketChanges:
    """A partial update: None leaves a field as it is."""

    status: TicketStatus | None = None
    priority: Priority | None = None
    assignee: str | None = None  # "" unassigns
    tags: tuple[str, ...] | None = None
    customer_id: int | None = None
    subject: str | None = None
    due_at: datetime | None = None


@dataclasses.dataclass(frozen=True)
class NewInteraction:
    kind: InteractionKind
    direction: Direction = Direction.INBOUND
    body: str = ""
    author: str = ""
    source: str = "api"
    source_id: str = ""
    linked_id: str = ""
    occurred_at: datetime | None = None
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class CallSummary:
    """A call the daemon saw end, ready to become an interaction on the caller's ticket."""

    call_id: str  # Uniqueid
    linked_id: str
    caller: str  # as Asterisk gave it (not yet normalised)
    dialed: str
    started_at: datetime
    ended_at: datetime
    outcome: str
    queue: str = ""
    detail: str = ""
    ivr_path: tuple[Mapping[str, str], ...] = ()
    flow: str = ""


@dataclasses.dataclass(frozen=True)
class VoicemailSummary:
    """A caller's message, ready to become a voicemail interaction on their ticket."""

    key: str  # the message's key (live:<uniqueid> | spool:<msg_id>): one interaction
    caller: str  # as Asterisk gave it (not yet normalised)
    mailbox: str
    queue: str
    received_at: datetime
    call_id: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)


# -- rules -------------------------------------------------------------------------------


def check_status_change(current: TicketStatus, new: TicketStatus) -> None:
    """Closed tickets are history: they never reopen (a new ticket is opened instead)."""
    if current is TicketStatus.CLOSED and new is not TicketStatus.CLOSED:
        raise TicketRuleError("status", f"ticket is closed; cannot move it to {new.value}")


def is_first_response(kind: InteractionKind, direction: Direction, data: Mapping[str, Any]) -> bool:
    """Does this interaction answer the customer (for the first-response time)?"""
    if direction is Direction.OUTBOUND and kind not in (
        InteractionKind.NOTE,
        InteractionKind.HANDOFF_NOTE,
        InteractionKind.HANDOFF_READ,
    ):
        return True
    return kind is InteractionKind.CALL and bool(data.get("agent"))


def joins_open_ticket(last_activity: datetime, now: datetime, window: timedelta) -> bool:
    """A new call joins the customer's open ticket if it was active within ``window``."""
    return now - last_activity <= window


def call_subject(summary: CallSummary, number: str | None = None) -> str:
    """What happened and who called: ``number`` is the caller id as E.164 (with its
    ``+``) when it could be read as one; else the caller id as Asterisk gave it."""
    what = {
        "queue": f"Call for {summary.queue or summary.detail or 'a queue'}",
        "voicemail": "Voicemail",
        "callback": "Callback request",
        "abandoned": "Abandoned call",
        "fallback": "Call (fallback queue)",
        "lost": "Call lost (node failure)",
    }.get(summary.outcome, "Phone call")
    return f"{what} from {number or summary.caller or 'unknown caller'}"[:200]


def voicemail_subject(message: VoicemailSummary, number: str | None = None) -> str:
    return f"Voicemail from {number or message.caller or 'unknown caller'}"[:200]
