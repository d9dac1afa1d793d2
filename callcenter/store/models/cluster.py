"""Cluster nodes: leases and epochs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base


class NodeRow(Base):
    """A daemon of the cluster: its epoch (bumped at every join: the fencing counter) and
    the lease its heartbeat renews."""

    __tablename__ = "nodes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    epoch: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queues: Mapped[str] = mapped_column(String(2000), default="")  # comma-separated
