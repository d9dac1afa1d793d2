"""calls: the flow a call ran, its IVR path and where the IVR sent it

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("flow", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("ivr_path", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column("outcome_detail", sa.String(120), nullable=False, server_default="")
        )
    op.create_index(op.f("ix_calls_caller"), "calls", ["caller"])


def downgrade() -> None:
    op.drop_index(op.f("ix_calls_caller"), table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("outcome_detail")
        batch.drop_column("ivr_path")
        batch.drop_column("flow")
