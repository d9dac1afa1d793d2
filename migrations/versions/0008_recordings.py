"""recordings, recording_listens, legal_holds: calls recorded by Asterisk, who listened,
and tickets whose recordings outlive their retention

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Float(), nullable=False, server_default="0"),
        sa.Column("bytes", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("channels", sa.Integer(), nullable=False, server_default="2"),
        sa.Column("queue", sa.String(80), nullable=False, server_default=""),
        sa.Column("agent", sa.String(20), nullable=False, server_default=""),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("retain_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem", sa.String(300), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("call_id", name=op.f("uq_recordings_call_id")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_recordings_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_recordings_customer_id_customers")
        ),
    )
    for column in ("state", "started_at", "queue", "agent", "ticket_id", "customer_id"):
        op.create_index(op.f(f"ix_recordings_{column}"), "recordings", [column])
    op.create_index(op.f("ix_recordings_retain_until"), "recordings", ["retain_until"])
    op.create_table(
        "recording_listens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("address", sa.String(64), nullable=False, server_default=""),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_listens")),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["recordings.id"],
            name=op.f("fk_recording_listens_recording_id_recordings"),
        ),
    )
    op.create_index(
        op.f("ix_recording_listens_recording_id"), "recording_listens", ["recording_id"]
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("by", sa.String(120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_legal_holds_ticket_id")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_legal_holds_ticket_id_tickets")
        ),
    )


def downgrade() -> None:
    op.drop_table("legal_holds")
    op.drop_index(op.f("ix_recording_listens_recording_id"), table_name="recording_listens")
    op.drop_table("recording_listens")
    for column in ("retain_until", "customer_id", "ticket_id", "agent", "queue", "started_at"):
        op.drop_index(op.f(f"ix_recordings_{column}"), table_name="recordings")
    op.drop_index(op.f("ix_recordings_state"), table_name="recordings")
    op.drop_table("recordings")
