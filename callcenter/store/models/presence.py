"""Agents' pause and wrap-up held across nodes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


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
