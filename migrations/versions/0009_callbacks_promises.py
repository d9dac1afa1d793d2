"""callbacks, promises: callback requests that keep the caller's place, and the due times
told to callers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN_CALLBACK = sa.text("state IN ('waiting', 'dialing', 'retry')")


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("call_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("max_attempts", sa.Integer(), nullable=False, server_default="3"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent", sa.String(20), nullable=False, server_default=""),
        sa.Column("outcome", sa.String(200), nullable=False, server_default=""),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
        sa.Column("source", sa.String(10), nullable=False, server_default="queue"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_callbacks_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_callbacks_customer_id_customers")
        ),
    )
    for column in ("queue", "state", "call_id", "ticket_id"):
        op.create_index(op.f(f"ix_callbacks_{column}"), "callbacks", [column])
    op.create_index(
        "uq_callbacks_open_number",
        "callbacks",
        ["queue", "number"],
        unique=True,
        sqlite_where=OPEN_CALLBACK,
        postgresql_where=OPEN_CALLBACK,
    )
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("projected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(200), nullable=False, server_default=""),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_promises_ticket_id_tickets")
        ),
    )
    for column in ("queue", "made_at", "due_at", "state", "ticket_id"):
        op.create_index(op.f(f"ix_promises_{column}"), "promises", [column])
    op.create_index("uq_promises_kind_subject_id", "promises", ["kind", "subject_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_promises_kind_subject_id", table_name="promises")
    for column in ("ticket_id", "state", "due_at", "made_at", "queue"):
        op.drop_index(op.f(f"ix_promises_{column}"), table_name="promises")
    op.drop_table("promises")
    op.drop_index("uq_callbacks_open_number", table_name="callbacks")
    for column in ("ticket_id", "call_id", "state", "queue"):
        op.drop_index(op.f(f"ix_callbacks_{column}"), table_name="callbacks")
    op.drop_table("callbacks")
