"""Click-to-call widgets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class WidgetRow(Base):
    """A click-to-call widget a site embeds (``<script … data-widget=ID>``)."""

    __tablename__ = "widgets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    queue: Mapped[str] = mapped_column(String(80))
    origins: Mapped[list[str]] = mapped_column(JSON)
    call_now: Mapped[bool] = mapped_column(default=True)
    flow: Mapped[str] = mapped_column(String(120), default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
