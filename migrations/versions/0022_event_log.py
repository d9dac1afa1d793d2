"""event_log: an append-only record of what happened to every call and agent (idempotent by
its key), and queue_legs: each call's time in each queue, derived from the log in the same
transaction, with its local day and quarter-hour for reports.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
        sa.UniqueConstraint("key", name=op.f("uq_event_log_key")),
    )
    op.create_index("ix_event_log_kind_at", "event_log", ["kind", "at"])
    op.create_index("ix_event_log_at", "event_log", ["at"])
    op.create_index(op.f("ix_event_log_call_id"), "event_log", ["call_id"])
    op.create_table(
        "queue_legs",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("caller", sa.String(80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("wait", sa.Float(), nullable=False),
        sa.Column("talk", sa.Float(), nullable=False),
        sa.Column("wrap_up", sa.Float(), nullable=False),
        sa.Column("agent", sa.String(32), nullable=False),
        sa.Column("ended_by", sa.String(12), nullable=False),
        sa.Column("source", sa.String(12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_legs")),
        sa.UniqueConstraint("call_id", "queue", name=op.f("uq_queue_legs_call_id")),
    )
    op.create_index("ix_queue_legs_day_slot", "queue_legs", ["day", "slot"])
    op.create_index("ix_queue_legs_entered_at", "queue_legs", ["entered_at"])
    op.create_index("ix_queue_legs_agent_entered_at", "queue_legs", ["agent", "entered_at"])


def downgrade() -> None:
    op.drop_table("queue_legs")
    op.drop_table("event_log")
