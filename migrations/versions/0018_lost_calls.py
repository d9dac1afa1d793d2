"""calls: the node whose Asterisk has the call, when the caller's channel hung up, and why
a call was lost (its node failed) — so a survivor knows which calls died with a node,
records each once and offers its caller one callback.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("node", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("hung_up_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("lost", sa.String(80), nullable=False, server_default=""))
        # Calls still on a node: what a survivor reads when that node fails.
        batch.create_index("ix_calls_node_hung_up_at", ["node", "hung_up_at"])


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_node_hung_up_at")
        batch.drop_column("lost")
        batch.drop_column("hung_up_at")
        batch.drop_column("node")
