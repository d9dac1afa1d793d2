"""Post-call surveys: one row per call asked (by phone after the call, or by a link)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class SurveyRow(Base):
    """A caller asked how it went: the scores (empty: no answer), the spoken comment and
    its transcript, the call's queue and agent; a link survey's token digest, expiry and
    use. ``reviewed_at``: a supervisor saw it (only then may its agent)."""

    __tablename__ = "surveys"
    __table_args__ = (
        UniqueConstraint("call_id", "channel", name="uq_surveys_call_id_channel"),
        Index("ix_surveys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))  # phone, link
    outcome: Mapped[str] = mapped_column(String(12))  # answered, no_answer, pending
    queue: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str] = mapped_column(String(32), default="")
    scores: Mapped[list[int]] = mapped_column(JSON, default=list)
    comment_path: Mapped[str] = mapped_column(String(200), default="")
    comment_text: Mapped[str] = mapped_column(Text, default="")
    ticket_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str] = mapped_column(String(80), default="")
    token_digest: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
