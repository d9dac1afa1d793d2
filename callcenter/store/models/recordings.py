"""Recordings, who listened to them, and legal holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


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
