"""SIP bans: addresses refused by Asterisk for failed authentication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class SipBanRow(Base):
    """A ban of one address from SIP (active until ``expires_at`` unless lifted)."""

    __tablename__ = "sip_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(45), index=True)
    reason: Mapped[str] = mapped_column(String(300))
    failures: Mapped[int] = mapped_column()
    banned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str] = mapped_column(String(120), default="")
