"""nodes: every daemon of the cluster with its epoch (the fencing counter) and lease;
callbacks.owner_node/fence: who claimed a callback waiting for an agent, and with which
epoch (a node that joined again cannot act on what it claimed before).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nodes",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queues", sa.String(2000), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("owner_node", sa.String(32), nullable=False, server_default=""))
        batch.add_column(sa.Column("fence", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index(op.f("ix_callbacks_owner_node"), ["owner_node"])


def downgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.drop_index(op.f("ix_callbacks_owner_node"))
        batch.drop_column("fence")
        batch.drop_column("owner_node")
    op.drop_table("nodes")
