"""agent_holds: each agent's latest pause (by whichever node) and latest wrap-up, which
every node of a cluster applies to its own Asterisk.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_holds",
        sa.Column("agent", sa.String(20), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("reason", sa.String(80), nullable=False, server_default=""),
        sa.Column("node", sa.String(32), nullable=False, server_default=""),
        sa.Column("wrap_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrap_node", sa.String(32), nullable=False, server_default=""),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agent", name=op.f("pk_agent_holds")),
    )


def downgrade() -> None:
    op.drop_table("agent_holds")
