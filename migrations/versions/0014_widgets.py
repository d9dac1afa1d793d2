"""widgets: the click-to-call widgets sites embed (their queue and allowed origins);
dial_requests: every web-, API- or IVR-initiated outbound dial the toll-fraud guard
decided, accepted or refused (which rule), for the audit.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "widgets",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False, server_default=""),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=False),
        sa.Column("call_now", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("flow", sa.String(120), nullable=False, server_default=""),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widgets")),
    )
    op.create_table(
        "dial_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("widget", sa.String(80), nullable=False, server_default=""),
        sa.Column("client", sa.String(64), nullable=False, server_default=""),
        sa.Column("origin", sa.String(200), nullable=False, server_default=""),
        sa.Column("number", sa.String(40), nullable=False, server_default=""),
        sa.Column("rule", sa.String(16), nullable=False, server_default=""),
        sa.Column("message", sa.String(300), nullable=False, server_default=""),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dial_requests")),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["callbacks.id"],
            name=op.f("fk_dial_requests_callback_id_callbacks"),
        ),
    )
    op.create_index(op.f("ix_dial_requests_at"), "dial_requests", ["at"])
    op.create_index(op.f("ix_dial_requests_rule"), "dial_requests", ["rule"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dial_requests_rule"), table_name="dial_requests")
    op.drop_index(op.f("ix_dial_requests_at"), table_name="dial_requests")
    op.drop_table("dial_requests")
    op.drop_table("widgets")
