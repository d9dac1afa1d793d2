"""The toll-fraud guard's audit of outbound dials asked for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class DialRequestRow(Base):
    """One guarded outbound dial request and what the toll-fraud guard decided (``rule``
    empty: accepted)."""

    __tablename__ = "dial_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source: Mapped[str] = mapped_column(String(8))
    widget: Mapped[str] = mapped_column(String(80), default="")
    client: Mapped[str] = mapped_column(String(64), default="")
    origin: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
    rule: Mapped[str] = mapped_column(String(16), default="", index=True)
    message: Mapped[str] = mapped_column(String(300), default="")
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callbacks.id"))
    user_agent: Mapped[str] = mapped_column(String(200), default="")
