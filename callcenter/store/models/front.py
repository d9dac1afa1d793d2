"""The SIP front's rows (migration 0019): Kamailio's auth_db and usrloc tables,
written by Kamailio itself except the agents' digests (ours)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class FrontSubscriberRow(Base):
    """An agent's SIP digest at the front: HA1 = md5(ext:realm:password), never the password."""

    __tablename__ = "sip_front_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    domain: Mapped[str] = mapped_column(String(64), default="")
    password: Mapped[str] = mapped_column(String(64), default="")  # always empty
    ha1: Mapped[str] = mapped_column(String(128), default="")
    ha1b: Mapped[str] = mapped_column(String(128), default="")


class FrontLocationRow(Base):
    """A phone registered at the front (Kamailio's usrloc; times are UTC, naive)."""

    __tablename__ = "sip_front_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    ruid: Mapped[str] = mapped_column(String(64), default="")  # Kamailio's record id
    username: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(512), default="")
    received: Mapped[str | None] = mapped_column(String(128))
    expires: Mapped[datetime] = mapped_column(DateTime())
    user_agent: Mapped[str] = mapped_column(String(255), default="")
