"""promises: the prediction behind each told time (expected_at, the range's earliest_at,
its basis) and re-promises (the first told time kept in first_due_at, when it was
re-promised) — the calibration of promises is read from them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("promises") as batch:
        batch.add_column(sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("earliest_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("basis", sa.String(10), nullable=False, server_default=""))
        batch.add_column(sa.Column("first_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("repromised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("promises") as batch:
        for name in ("repromised_at", "first_due_at", "basis", "earliest_at", "expected_at"):
            batch.drop_column(name)
