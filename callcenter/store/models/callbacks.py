"""Callbacks and the promises made to callers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.store.models.base import Base

# A callback is open while it waits, dials or waits to retry: one per number and queue.
OPEN_CALLBACK = text("state IN ('waiting', 'dialing', 'retry')")


class CallbackRow(Base):
    """A callback request: the caller's place (joined_at, priority), the number to dial,
    and the attempt in progress. One open request per number per queue (partial index)."""

    __tablename__ = "callbacks"
    __table_args__ = (
        Index(
            "uq_callbacks_open_number",
            "queue",
            "number",
            unique=True,
            sqlite_where=OPEN_CALLBACK,
            postgresql_where=OPEN_CALLBACK,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(String(80), index=True)
    number: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    priority: Mapped[int] = mapped_column(default=0)
    call_id: Mapped[str] = mapped_column(String(64), default="", index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    agent: Mapped[str] = mapped_column(String(20), default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(10), default="queue")
    # The claim (migration 0016): the node that placed the current attempt's placeholder
    # and the epoch it had then; only that node at that epoch may let it dial.
    owner_node: Mapped[str] = mapped_column(String(32), default="", index=True)
    fence: Mapped[int] = mapped_column(default=0)


class PromiseRow(Base):
    """A due time told to a caller (never changed) and what became of it."""

    __tablename__ = "promises"
    __table_args__ = (Index("uq_promises_kind_subject_id", "kind", "subject_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column()
    queue: Mapped[str] = mapped_column(String(80), index=True)
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    projected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(200), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The prediction behind the told time (migration 0023), and a re-promise: the first
    # told time is kept, ``due_at`` is the new one told before it passed.
    expected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    earliest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    basis: Mapped[str] = mapped_column(String(10), default="", server_default="")
    first_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    repromised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
