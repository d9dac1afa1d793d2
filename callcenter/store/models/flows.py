"""Every version of every flow file that was published or seen on disk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class FlowVersionRow(Base):
    """One version of a flow file: its whole text, who published it (or ``file``: found on
    disk, edited from the shell), when and why."""

    __tablename__ = "flow_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    file: Mapped[str] = mapped_column(String(200), index=True)  # e.g. main.yaml
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the text
    content: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")
