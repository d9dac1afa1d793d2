"""The ticket store: customers, contact points, agents, tags, tickets, interactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.store.models.base import Base

ticket_tags = Table(
    "ticket_tags",
    Base.metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A merged customer stays (its history moved to the survivor) and points there.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contacts: Mapped[list[ContactPointRow]] = relationship(
        back_populates="customer", order_by="ContactPointRow.id"
    )


class ContactPointRow(Base):
    __tablename__ = "contact_points"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_contact_points_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(254))
    national: Mapped[str] = mapped_column(String(20), default="", index=True)
    customer: Mapped[CustomerRow] = relationship(back_populates="contacts")


class AgentRow(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    extension: Mapped[str] = mapped_column(String(20), unique=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    team: Mapped[str] = mapped_column(String(80), default="")
    logged_in: Mapped[bool] = mapped_column(default=False, server_default=false())


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_customer_id_status", "customer_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # the ticket's number
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    queue: Mapped[str] = mapped_column(String(80), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    caller_ambiguous: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee: Mapped[AgentRow | None] = relationship()
    tags: Mapped[list[TagRow]] = relationship(secondary=ticket_tags, order_by="TagRow.name")


class InteractionRow(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        # The same Asterisk or chat event imported twice is one interaction.
        UniqueConstraint("source", "source_id", name="uq_interactions_source_source_id"),
        Index("ix_interactions_customer_id_occurred_at", "customer_id", "occurred_at"),
        Index("ix_interactions_ticket_id_occurred_at", "ticket_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(String(16), default="api")
    source_id: Mapped[str | None] = mapped_column(String(128))
    linked_id: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
