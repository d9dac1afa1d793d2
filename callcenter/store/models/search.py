"""Search lines: the full-text index of transcripts and notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class SearchLineRow(Base):
    """One searchable line of an interaction (an utterance of its transcript, a chat
    message, a note), rewritten whenever the interaction changes; full-text indexed by
    migration 0013 (SQLite FTS5 ``search_lines_fts``, PostgreSQL GIN on to_tsvector).
    Its ticket is read from the interaction at search time, so a moved one is found on
    its new ticket."""

    __tablename__ = "search_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    # An interaction's line, or (migration 0025) a knowledge base article's: one index.
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    speaker: Mapped[str] = mapped_column(String(16), default="")
    start: Mapped[float | None] = mapped_column(Float)  # seconds into the recording
    recording_id: Mapped[int | None] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)
