"""scorecards: quality review forms, one row per version; evaluations: a supervisor's
review of a recorded call with a form (never edited: superseded, with a reason), and its
agent's acknowledgement or dispute.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecards")),
        sa.UniqueConstraint("name", "version", name="uq_scorecards_name_version"),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(32), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.Column("grader", sa.String(80), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.Integer(), nullable=True),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("response", sa.String(12), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dispute", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"], name=op.f("fk_evaluations_recording_id_recordings")
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"], ["scorecards.id"], name=op.f("fk_evaluations_scorecard_id_scorecards")
        ),
    )
    op.create_index(op.f("ix_evaluations_recording_id"), "evaluations", ["recording_id"])
    op.create_index(op.f("ix_evaluations_agent"), "evaluations", ["agent"])
    op.create_index(op.f("ix_evaluations_submitted_at"), "evaluations", ["submitted_at"])


def downgrade() -> None:
    op.drop_table("evaluations")
    op.drop_table("scorecards")
