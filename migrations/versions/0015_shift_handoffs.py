"""shifts: each agent's login to logout; shift_handoffs: the open tickets a logout handed
to the agent's team (with the note that covers each, or none: flagged); handoff_reads: who
of the incoming shift acknowledged which.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(20), nullable=False),
        sa.Column("team", sa.String(80), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    op.create_index("ix_shifts_agent_started_at", "shifts", ["agent", "started_at"])
    op.create_table(
        "shift_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(80), nullable=False, server_default=""),
        sa.Column("from_agent", sa.String(20), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_handoffs")),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_shift_handoffs_shift_id_shifts")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_shift_handoffs_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["interactions.id"], name=op.f("fk_shift_handoffs_note_id_interactions")
        ),
        sa.UniqueConstraint("shift_id", "ticket_id", name="uq_shift_handoffs_shift_id_ticket_id"),
    )
    op.create_index("ix_shift_handoffs_team_handed_at", "shift_handoffs", ["team", "handed_at"])
    op.create_index(op.f("ix_shift_handoffs_ticket_id"), "shift_handoffs", ["ticket_id"])
    op.create_table(
        "handoff_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(20), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_reads")),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["shift_handoffs.id"],
            name=op.f("fk_handoff_reads_handoff_id_shift_handoffs"),
        ),
        sa.UniqueConstraint("handoff_id", "agent", name="uq_handoff_reads_handoff_id_agent"),
    )


def downgrade() -> None:
    op.drop_table("handoff_reads")
    op.drop_index(op.f("ix_shift_handoffs_ticket_id"), table_name="shift_handoffs")
    op.drop_index("ix_shift_handoffs_team_handed_at", table_name="shift_handoffs")
    op.drop_table("shift_handoffs")
    op.drop_index("ix_shifts_agent_started_at", table_name="shifts")
    op.drop_table("shifts")
