"""search_lines: what can be searched across phone and chat (a transcript's utterance, a
chat message, a note), full-text indexed — SQLite: an FTS5 table kept by triggers;
PostgreSQL: a GIN index on to_tsvector('simple', text). calls.language: the language the
IVR left the call in (it picks the transcription model).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# 'simple': no stemming and no stop words, so a word is found in any language (the
# transcripts are en, ru, ko...), and what is searched is exactly what was said.
FTS_CONFIG = "simple"


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("language", sa.String(10), nullable=False, server_default=""))
    op.create_table(
        "search_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False, server_default=""),
        sa.Column("start", sa.Float(), nullable=True),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_lines")),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_search_lines_interaction_id_interactions"),
        ),
    )
    op.create_index(op.f("ix_search_lines_interaction_id"), "search_lines", ["interaction_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_search_lines_text_fts ON search_lines "
            f"USING gin (to_tsvector('{FTS_CONFIG}', text))"
        )
    else:
        # External-content FTS5: the text lives once, in search_lines; the triggers keep
        # the index in step with every insert, update and delete.
        op.execute(
            "CREATE VIRTUAL TABLE search_lines_fts USING fts5(text, content='search_lines', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER search_lines_ai AFTER INSERT ON search_lines BEGIN "
            "INSERT INTO search_lines_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER search_lines_ad AFTER DELETE ON search_lines BEGIN "
            "INSERT INTO search_lines_fts(search_lines_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER search_lines_au AFTER UPDATE ON search_lines BEGIN "
            "INSERT INTO search_lines_fts(search_lines_fts, rowid, text) "
            "VALUES ('delete', old.id, old.text); "
            "INSERT INTO search_lines_fts(rowid, text) VALUES (new.id, new.text); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("search_lines_ai", "search_lines_ad", "search_lines_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_lines_fts")
    op.drop_table("search_lines")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("language")
