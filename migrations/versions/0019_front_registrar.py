"""sip_front_subscribers, sip_front_locations, sip_front_versions: the cluster's SIP front
(Kamailio's auth_db and usrloc, db_mode 3) keeps agents' digests and registrations in the
shared PostgreSQL, so a front restarted — or a second front — knows every phone. The
columns are Kamailio 6.1's own (auth_db table version 7, usrloc 9, as its
postgres/*-create.sql give them); ``sip_front_versions`` is its version table.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_NOT_SET = sa.text("'2000-01-01 00:00:01'")


def upgrade() -> None:
    versions = op.create_table(
        "sip_front_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("table_name", sa.String(32), nullable=False),
        sa.Column("table_version", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("table_name", name=op.f("uq_sip_front_versions_table_name")),
    )
    op.create_table(
        "sip_front_subscribers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("domain", sa.String(64), nullable=False, server_default=""),
        sa.Column("password", sa.String(64), nullable=False, server_default=""),
        sa.Column("ha1", sa.String(128), nullable=False, server_default=""),
        sa.Column("ha1b", sa.String(128), nullable=False, server_default=""),
        sa.UniqueConstraint("username", "domain", name=op.f("uq_sip_front_subscribers_username")),
    )
    op.create_table(
        "sip_front_locations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ruid", sa.String(64), nullable=False, server_default=""),
        sa.Column("username", sa.String(64), nullable=False, server_default=""),
        sa.Column("domain", sa.String(64), nullable=True),
        sa.Column("contact", sa.String(512), nullable=False, server_default=""),
        sa.Column("received", sa.String(128), nullable=True),
        sa.Column("path", sa.String(512), nullable=True),
        sa.Column("expires", sa.DateTime(), nullable=False, server_default=_NOT_SET),
        sa.Column("q", sa.Float(), nullable=False, server_default="1.0"),
        sa.Column("callid", sa.String(255), nullable=False, server_default="Default-Call-ID"),
        sa.Column("cseq", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("last_modified", sa.DateTime(), nullable=False, server_default=_NOT_SET),
        sa.Column("flags", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("cflags", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("user_agent", sa.String(255), nullable=False, server_default=""),
        sa.Column("socket", sa.String(64), nullable=True),
        sa.Column("methods", sa.Integer(), nullable=True),
        sa.Column("instance", sa.String(255), nullable=True),
        sa.Column("reg_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("server_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("connection_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("keepalive", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("partition", sa.Integer(), nullable=False, server_default="0"),
        sa.UniqueConstraint("ruid", name=op.f("uq_sip_front_locations_ruid")),
    )
    op.create_index(
        "ix_sip_front_locations_account", "sip_front_locations", ["username", "domain", "contact"]
    )
    op.create_index("ix_sip_front_locations_expires", "sip_front_locations", ["expires"])
    op.bulk_insert(
        versions,
        [
            {"table_name": "sip_front_subscribers", "table_version": 7},
            {"table_name": "sip_front_locations", "table_version": 9},
        ],
    )


def downgrade() -> None:
    op.drop_table("sip_front_locations")
    op.drop_table("sip_front_subscribers")
    op.drop_table("sip_front_versions")
