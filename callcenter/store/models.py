"""ORM models. The schema is built only by Alembic migrations (``migrations/``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CallRow(Base):
    """One call that entered the daemon's application, keyed by Asterisk's Uniqueid."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_node_hung_up_at", "node", "hung_up_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    linked_id: Mapped[str] = mapped_column(String(64), index=True)
    caller: Mapped[str] = mapped_column(String(80), index=True)
    dialed: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(16))
    digits: Mapped[str] = mapped_column(String(256), default="")
    outcome: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flow: Mapped[str] = mapped_column(String(120), default="")
    ivr_path: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    outcome_detail: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(10), default="")  # the IVR left it in
    node: Mapped[str] = mapped_column(String(32), default="")  # whose Asterisk has it
    hung_up_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lost: Mapped[str] = mapped_column(String(80), default="")  # e.g. "node failure (a)"


class SipBanRow(Base):
    """A ban of one address from SIP (active until ``expires_at`` unless lifted)."""

    __tablename__ = "sip_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column()
    banned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str] = mapped_column(String(120), default="")


class StaffUserRow(Base):
    """Someone who signs in to the pages; only an argon2 hash of the password is kept."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    agent: Mapped[str] = mapped_column(String(15), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled: Mapped[bool] = mapped_column(default=False)


class StaffSessionRow(Base):
    """A signed-in browser: the cookie's SHA-256, its CSRF token, when it ends."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class StaffLinkRow(Base):
    """A one-time sign-in link the CLI printed (only its SHA-256 is kept)."""

    __tablename__ = "staff_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecordingRow(Base):
    """One call's recording; Asterisk's Uniqueid of the caller's channel is the key, so
    adopting a file twice changes nothing."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    channels: Mapped[int] = mapped_column(default=2)
    queue: Mapped[str] = mapped_column(String(80), default="", index=True)
    agent: Mapped[str] = mapped_column(String(20), default="", index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    pauses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    retain_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    problem: Mapped[str] = mapped_column(String(300), default="")
    # call: a call's two-channel MixMonitor file; voicemail: a message (mono), whose
    # call_id is vm:<the message's key>
    kind: Mapped[str] = mapped_column(String(10), default="call", index=True)


class RecordingListenRow(Base):
    """The audit of listening: who fetched a recording's audio (or was refused), when, from
    where."""

    __tablename__ = "recording_listens"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    who: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    allowed: Mapped[bool] = mapped_column(default=True)


class LegalHoldRow(Base):
    """A ticket on legal hold: its recordings outlive their retention date."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(300))
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# A callback is open while it waits, dials or waits to retry: one per number and queue.
OPEN_CALLBACK = text("state IN ('waiting', 'dialing', 'retry')")


class CallbackRow(Base):
    """A callback request: the caller's place (joined_at, priority), the number to dial,
    and the attempt in progress. One open request per number per queue (partial index)."""

    __tablename__ = "callbacks"
    __table_args__ = (
        Index(
            "uq_callbacks_open_number",
            "queue",
            "number",
            unique=True,
            sqlite_where=OPEN_CALLBACK,
            postgresql_where=OPEN_CALLBACK,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(String(80), index=True)
    number: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    priority: Mapped[int] = mapped_column(default=0)
    call_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10), default="queue")
    # The claim (migration 0016): the node that placed the current attempt's placeholder
    # and the epoch it had then; only that node at that epoch may let it dial.
    owner_node: Mapped[str] = mapped_column(String(32), default="", index=True)
    fence: Mapped[int] = mapped_column(default=0)


class PromiseRow(Base):
    """A due time told to a caller (never changed) and what became of it."""

    __tablename__ = "promises"
    __table_args__ = (Index("uq_promises_kind_subject_id", "kind", "subject_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column()
    queue: Mapped[str] = mapped_column(String(80), index=True)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    projected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(200), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookSubscriptionRow(Base):
    """Where events go: a URL, the event types it wants, the secret that signs them."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120), default="")


class WebhookDeliveryRow(Base):
    """The outbox: one event for one subscription, until it is delivered (or failed)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(300), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VoicemailRow(Base):
    """A message a caller left (live through ARI, or imported from VoiceMail()'s spool);
    ``key`` makes taking or importing it twice a no-op."""

    __tablename__ = "voicemails"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(90), unique=True)
    mailbox: Mapped[str] = mapped_column(String(10), index=True)
    queue: Mapped[str] = mapped_column(String(80), default="", index=True)
    caller: Mapped[str] = mapped_column(String(24), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    duration: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10), index=True)
    call_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"))
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str] = mapped_column(String(120), default="")


class TranscriptionJobRow(Base):
    """One recording to write down (one job each, for ever): claimed by a worker, retried
    with backoff, done with its redacted utterances, or failed with the reason."""

    __tablename__ = "transcription_jobs"
    __table_args__ = (
        Index("ix_transcription_jobs_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), unique=True)
    state: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(10), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str] = mapped_column(String(300), default="")
    audio_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    utterances: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WidgetRow(Base):
    """A click-to-call widget a site embeds (``<script … data-widget=ID>``)."""

    __tablename__ = "widgets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    queue: Mapped[str] = mapped_column(String(80))
    origins: Mapped[list[str]] = mapped_column(JSON)
    call_now: Mapped[bool] = mapped_column(default=True)
    flow: Mapped[str] = mapped_column(String(120), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DialRequestRow(Base):
    """One guarded outbound dial request and what the toll-fraud guard decided (``rule``
    empty: accepted)."""

    __tablename__ = "dial_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source: Mapped[str] = mapped_column(String(8))
    widget: Mapped[str] = mapped_column(String(80), default="")
    client: Mapped[str] = mapped_column(String(64), default="")
    origin: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
    rule: Mapped[str] = mapped_column(String(16), default="", index=True)
    message: Mapped[str] = mapped_column(String(300), default="")
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class NodeRow(Base):
    """A daemon of the cluster: its epoch (bumped at every join: the fencing counter) and
    the lease its heartbeat renews."""

    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    epoch: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queues: Mapped[str] = mapped_column(String(2000), default="")  # comma-separated


class AgentHoldRow(Base):
    """An agent's latest pause and wrap-up, shared by the nodes (migration 0017)."""

    __tablename__ = "agent_holds"

    agent: Mapped[str] = mapped_column(String(20), primary_key=True)
    paused: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(80), default="")
    node: Mapped[str] = mapped_column(String(32), default="")
    wrap_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wrap_node: Mapped[str] = mapped_column(String(32), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
