"""Outgoing webhooks: events for the chat side and for escalation. Pure rules (no I/O).

An event is written to a durable outbox in the same database as what it tells about, one
delivery per subscription that wants its type; a sender posts it (JSON, signed with the
subscription's secret), retries with backoff while the receiver is down, and marks it
delivered on a 2xx. At least once: a receiver dedupes on the event's ``id`` (also in the
``Webhook-Id`` header), which is the same for every retry.

Signature (``Webhook-Signature``): ``t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the subscription's secret>`` — the timestamp lets a receiver refuse
replays.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

EVENT_TYPES = frozenset(
    {
        "call.ended",
        "voicemail.received",
        "callback.requested",
        "callback.completed",
        "transcript.ready",
        "promise.made",
        "promise.at_risk",
        "promise.repromised",
        "promise.kept",
        "promise.broken",
        "alert.raised",
        "alert.cleared",
        "survey.answered",
        "survey.no_answer",
    }
)


@dataclasses.dataclass(frozen=True)
class Event:
    """An event a use case announces: written to the outbox in the same transaction as
    the change it tells about (so a crash never loses one, nor sends one for a change
    that did not happen), then told to the daemon's own listeners."""

    kind: str
    data: Mapping[str, Any]


T = TypeVar("T")
# What a use case hands a store: the events of a change, built from what the change made
# (called inside the store's transaction; not called when nothing changed).
Announce = Callable[[T], Sequence[Event]]

MAX_ATTEMPTS = 20  # about two days of retries with the backoff below, then "failed"
_NAME = re.compile(r"^[a-z]+\.[a-z_]+$")


class WebhookError(ValueError):
    """A subscription that cannot be made; the message names the field and the rule."""


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # MAX_ATTEMPTS reached: kept, visible, never sent again


@dataclasses.dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    events: frozenset[str]
    secret: str
    active: bool = True
    created_by: str = ""


@dataclasses.dataclass(frozen=True)
class Delivery:
    id: int
    event_id: str  # the receiver's dedupe key: the same on every retry
    subscription_id: int
    type: str
    payload: Mapping[str, Any]
    created_at: datetime
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    delivered_at: datetime | None = None


def check_subscription(url: str, events: list[str]) -> tuple[str, frozenset[str]]:
    """(url, events) if they make a subscription; else WebhookError naming the culprit."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise WebhookError(f"url: {url!r} is not an http(s) URL")
    if parsed.username or parsed.password:
        raise WebhookError("url: credentials in the URL are not kept (the signature says who)")
    if len(url) > 500:
        raise WebhookError("url: longer than 500 characters")
    if not events:
        raise WebhookError(f"events: name at least one of {', '.join(sorted(EVENT_TYPES))}")
    for event in events:
        if event not in EVENT_TYPES:
            raise WebhookError(f"events: {event!r} is not one of {', '.join(sorted(EVENT_TYPES))}")
    return url, frozenset(events)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Webhook-Signature`` header for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: the signature matches and is not older than ``tolerance``."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


def next_attempt(attempts: int, now: datetime, base: float = 5.0) -> datetime | None:
    """When to try again after ``attempts`` failed tries: ``base`` seconds doubled each
    time, at most an hour apart; None once MAX_ATTEMPTS is reached."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=min(3600.0, base * 2 ** max(0, attempts - 1)))


def jsonable(value: Any) -> Any:
    """``value`` (dataclasses, enums, datetimes, sets, mappings, lists) as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    return value


def envelope(delivery: Delivery) -> dict[str, Any]:
    """The body a receiver gets: the same bytes on every retry of the event."""
    return {
        "id": delivery.event_id,
        "type": delivery.type,
        "created_at": delivery.created_at.isoformat(),
        "data": dict(delivery.payload),
    }
