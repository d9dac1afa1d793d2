"""Handoffs, their handoffs, and what the incoming agent has read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class ShiftRow(Base):
    """An agent's shift: from their login to their logout."""

    __tablename__ = "shifts"
    __table_args__ = (Index("ix_shifts_agent_started_at", "agent", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(80), default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ShiftHandoffRow(Base):
    """An open ticket an agent's logout handed to their team (note_id null: flagged)."""

    __tablename__ = "shift_handoffs"
    __table_args__ = (
        UniqueConstraint("shift_id", "ticket_id", name="uq_shift_handoffs_shift_id_ticket_id"),
        Index("ix_shift_handoffs_team_handed_at", "team", "handed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    team: Mapped[str] = mapped_column(String(80), default="")
    from_agent: Mapped[str] = mapped_column(String(20))
    handed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))


class HandoffReadRow(Base):
    """An incoming agent acknowledged one handed ticket (once per agent)."""

    __tablename__ = "handoff_reads"
    __table_args__ = (
        UniqueConstraint("handoff_id", "agent", name="uq_handoff_reads_handoff_id_agent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("shift_handoffs.id"))
    agent: Mapped[str] = mapped_column(String(20))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
