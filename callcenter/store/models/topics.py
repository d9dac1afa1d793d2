"""Tags put on tickets, each time one is put: what topics are counted from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class TagUseRow(Base):
    """A tag put on a ticket (at its creation or later), with the ticket's queue and
    channel then: counted per tag and hour for the trends and the spikes."""

    __tablename__ = "tag_uses"
    __table_args__ = (Index("ix_tag_uses_at_tag", "at", "tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    queue: Mapped[str] = mapped_column(String(80), default="")
    channel: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TopicTagRow(Base):
    """A tag as managed: its category and colour, the tag it was merged into (a synonym:
    putting it puts that one), retired (no longer put; its history kept)."""

    __tablename__ = "topic_tags"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), default="")
    colour: Mapped[str] = mapped_column(String(7), default="")
    merged_into: Mapped[str | None] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(80), default="")
