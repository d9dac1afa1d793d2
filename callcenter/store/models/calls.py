"""The call log: one row per call that entered the daemon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


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
