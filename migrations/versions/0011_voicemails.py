"""voicemails: messages callers left, each with its audio in the recordings store
(recordings.kind = voicemail), its ticket and its callback

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("kind", sa.String(10), nullable=False, server_default="call"))
        batch.create_index(op.f("ix_recordings_kind"), ["kind"])
    op.create_table(
        "voicemails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(90), nullable=False),
        sa.Column("mailbox", sa.String(10), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False, server_default=""),
        sa.Column("caller", sa.String(24), nullable=False, server_default=""),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False, server_default="0"),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(300), nullable=False, server_default=""),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(120), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voicemails")),
        sa.UniqueConstraint("key", name=op.f("uq_voicemails_key")),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recordings.id"], name=op.f("fk_voicemails_recording_id_recordings")
        ),
        sa.ForeignKeyConstraint(
            ["callback_id"], ["callbacks.id"], name=op.f("fk_voicemails_callback_id_callbacks")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_voicemails_ticket_id_tickets")
        ),
    )
    for column in (
        "mailbox",
        "queue",
        "received_at",
        "state",
        "call_id",
        "callback_id",
        "ticket_id",
    ):
        op.create_index(op.f(f"ix_voicemails_{column}"), "voicemails", [column])


def downgrade() -> None:
    op.drop_table("voicemails")
    with op.batch_alter_table("recordings") as batch:
        batch.drop_index(op.f("ix_recordings_kind"))
        batch.drop_column("kind")
