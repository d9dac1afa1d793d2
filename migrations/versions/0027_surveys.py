"""surveys: a caller asked how it went after the call (by phone, or by a signed link):
scores, the spoken comment and its transcript, the call's queue and agent, when a
supervisor reviewed it.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(32), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment_path", sa.String(200), nullable=False),
        sa.Column("comment_text", sa.Text(), nullable=False),
        sa.Column("ticket_number", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(80), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("call_id", "channel", name="uq_surveys_call_id_channel"),
    )
    op.create_index("ix_surveys_created_at", "surveys", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_surveys_created_at", table_name="surveys")
    op.drop_table("surveys")
