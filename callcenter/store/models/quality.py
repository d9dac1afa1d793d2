"""Quality review: scorecards (versioned forms) and the evaluations made with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class ScorecardRow(Base):
    """One version of a form: its sections of weighted criteria (never changed: a change
    is the next version)."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_scorecards_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80), default="")


class EvaluationRow(Base):
    """A supervisor's evaluation of a recorded call: submitted once, never edited — a
    correction supersedes it (``superseded_by``, with a reason on the new one); its agent
    acknowledges or disputes it."""

    __tablename__ = "evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    agent: Mapped[str] = mapped_column(String(32), index=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    grader: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    supersedes: Mapped[int | None] = mapped_column(Integer)
    superseded_by: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")  # why it superseded the other
    response: Mapped[str] = mapped_column(String(12), default="")  # acknowledged, disputed
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispute: Mapped[str] = mapped_column(Text, default="")
