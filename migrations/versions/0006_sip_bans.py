"""sip_bans: addresses banned from SIP after failed authentications (and who lifted them)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sip_bans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(45), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("banned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(120), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sip_bans")),
    )
    op.create_index(op.f("ix_sip_bans_address"), "sip_bans", ["address"])
    op.create_index(op.f("ix_sip_bans_expires_at"), "sip_bans", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sip_bans_expires_at"), table_name="sip_bans")
    op.drop_index(op.f("ix_sip_bans_address"), table_name="sip_bans")
    op.drop_table("sip_bans")
