"""The event log (append-only) and the queue legs derived from it, written together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base

# SQLite gives an autoincrementing key only to INTEGER PRIMARY KEY.
BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class EventLogRow(Base):
    """One thing that happened to a call or an agent; never updated, never deleted."""

    __tablename__ = "event_log"
    __table_args__ = (
        Index("ix_event_log_kind_at", "kind", "at"),
        Index("ix_event_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    call_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    queue: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str] = mapped_column(String(32), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(12))  # daemon, queue_log, spool
    key: Mapped[str] = mapped_column(String(200), unique=True)  # idempotency


class QueueLegRow(Base):
    """One call's time in one queue, kept in step with the log (same transaction); its
    local day and quarter-hour (the centre's time zone) are what reports group on."""

    __tablename__ = "queue_legs"
    __table_args__ = (
        UniqueConstraint("call_id", "queue"),
        Index("ix_queue_legs_day_slot", "day", "slot"),
        Index("ix_queue_legs_entered_at", "entered_at"),
        Index("ix_queue_legs_agent_entered_at", "agent", "entered_at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, local
    slot: Mapped[int] = mapped_column(Integer)  # quarter-hour of the local day, 0-95
    outcome: Mapped[str] = mapped_column(String(12))
    caller: Mapped[str] = mapped_column(String(80), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    wait: Mapped[float] = mapped_column(Float, default=0.0)
    talk: Mapped[float] = mapped_column(Float, default=0.0)
    wrap_up: Mapped[float] = mapped_column(Float, default=0.0)
    agent: Mapped[str] = mapped_column(String(32), default="")
    ended_by: Mapped[str] = mapped_column(String(12), default="")
    source: Mapped[str] = mapped_column(String(12))
