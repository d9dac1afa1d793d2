"""Voicemails left by callers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


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
