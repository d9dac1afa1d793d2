"""flow_versions: every version of every IVR flow file, published in the browser or found on
disk — its whole text, who, when and why — so a version can be read, compared and restored
(before, a version was only a content hash).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(40), nullable=False),
        sa.Column("note", sa.String(500), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_versions")),
    )
    op.create_index(op.f("ix_flow_versions_file"), "flow_versions", ["file"])


def downgrade() -> None:
    op.drop_index(op.f("ix_flow_versions_file"), table_name="flow_versions")
    op.drop_table("flow_versions")
