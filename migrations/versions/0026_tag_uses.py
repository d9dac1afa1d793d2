"""tag_uses: every tag put on a ticket, when, with the ticket's queue and channel — what
the topics' trends and spikes are counted from (tags already on tickets are taken as put
when the ticket was last updated); topic_tags: tags managed — category, colour, merged
into another (a synonym), retired.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag_uses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_uses")),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_tag_uses_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_tag_uses_ticket_id"), "tag_uses", ["ticket_id"])
    op.create_table(
        "topic_tags",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("merged_into", sa.String(64), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_topic_tags")),
    )
    op.create_index("ix_tag_uses_at_tag", "tag_uses", ["at", "tag"])
    op.execute(
        "INSERT INTO tag_uses (tag, ticket_id, queue, channel, at) "
        "SELECT tags.name, tickets.id, tickets.queue, tickets.channel, tickets.updated_at "
        "FROM ticket_tags JOIN tags ON tags.id = ticket_tags.tag_id "
        "JOIN tickets ON tickets.id = ticket_tags.ticket_id"
    )


def downgrade() -> None:
    op.drop_table("topic_tags")
    op.drop_index("ix_tag_uses_at_tag", table_name="tag_uses")
    op.drop_index(op.f("ix_tag_uses_ticket_id"), table_name="tag_uses")
    op.drop_table("tag_uses")
