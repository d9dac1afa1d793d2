"""articles, article_versions: the knowledge base (Markdown, categories, internal or public,
languages, every version kept); search_lines holds an article's lines too (article_id; an
interaction's line has interaction_id), so one index finds transcripts, chat and articles.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# SQLite rebuilds search_lines to change it: its FTS5 triggers go with the old table and
# are made again (migration 0013's), the index itself is rebuilt from the content.
TRIGGERS = (
    "CREATE TRIGGER search_lines_ai AFTER INSERT ON search_lines BEGIN "
    "INSERT INTO search_lines_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_lines_ad AFTER DELETE ON search_lines BEGIN "
    "INSERT INTO search_lines_fts(search_lines_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_lines_au AFTER UPDATE ON search_lines BEGIN "
    "INSERT INTO search_lines_fts(search_lines_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_lines_fts(rowid, text) VALUES (new.id, new.text); END",
)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("visibility", sa.String(10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("slug", "language", name=op.f("uq_articles_slug")),
    )
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("visibility", sa.String(10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_versions")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_versions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("article_id", "version", name=op.f("uq_article_versions_article_id")),
    )
    sqlite = op.get_bind().dialect.name != "postgresql"
    with op.batch_alter_table("search_lines") as batch:
        batch.alter_column("interaction_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("article_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_search_lines_article_id_articles"),
            "articles",
            ["article_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_search_lines_article_id"), ["article_id"])
    if sqlite:
        for trigger in ("search_lines_ai", "search_lines_ad", "search_lines_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for create in TRIGGERS:
            op.execute(create)
        op.execute("INSERT INTO search_lines_fts(search_lines_fts) VALUES ('rebuild')")


def downgrade() -> None:
    op.execute("DELETE FROM search_lines WHERE article_id IS NOT NULL")
    with op.batch_alter_table("search_lines") as batch:
        batch.drop_index(op.f("ix_search_lines_article_id"))
        batch.drop_constraint(op.f("fk_search_lines_article_id_articles"), type_="foreignkey")
        batch.drop_column("article_id")
        batch.alter_column("interaction_id", existing_type=sa.Integer(), nullable=False)
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("search_lines_ai", "search_lines_ad", "search_lines_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for create in TRIGGERS:
            op.execute(create)
        op.execute("INSERT INTO search_lines_fts(search_lines_fts) VALUES ('rebuild')")
    op.drop_table("article_versions")
    op.drop_table("articles")
