"""Search across phone and chat on SQLAlchemy: the lines of every interaction, full-text
indexed (SQLite FTS5, PostgreSQL ``to_tsvector('simple', …)`` with a GIN index; both
built by migration 0013).

Contract: :func:`index_interaction` rewrites one interaction's lines inside the caller's
transaction — the ticket store calls it on every append and every change of an
interaction, so a line is searchable from the commit that stored it. :meth:`SqlSearch.find`
returns the lines holding every term, best first, each with its interaction's ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import column, delete, func, select, table, text
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.articles import Article
from callcenter.domain.articles import lines_of as article_lines
from callcenter.domain.search import SearchHit, Term, fts5_query, lines_of, tsquery
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import ArticleRow, InteractionRow, SearchLineRow

ARTICLE = "article"  # the kind of an article's lines

FTS_CONFIG = "simple"  # as migration 0013's index: the same expression, or no index
REINDEX_BATCH = 500
FTS5 = table("search_lines_fts", column("rowid"), column("rank"))  # SQLite


def index_interaction(s: Session, row: InteractionRow) -> int:
    """Replace ``row``'s searchable lines with what it says now; how many it has."""
    s.flush()  # the interaction's id, and its latest data
    s.execute(delete(SearchLineRow).where(SearchLineRow.interaction_id == row.id))
    lines = lines_of(row.kind, row.direction, row.body or "", row.data or {})
    for line in lines:
        s.add(
            SearchLineRow(
                interaction_id=row.id,
                kind=line.kind,
                speaker=line.speaker,
                start=line.start,
                recording_id=line.recording_id,
                occurred_at=row.occurred_at,
                text=line.text,
            )
        )
    return len(lines)


def article_of(row: ArticleRow) -> Article:
    """What the index needs of an article's row: its title and body."""
    return Article(row.id, row.slug, row.title, row.body)


def index_article(s: Session, article_id: int, article: Article, at: datetime) -> int:
    """Replace an article's lines with what it says now (its title, its paragraphs)."""
    s.execute(delete(SearchLineRow).where(SearchLineRow.article_id == article_id))
    lines = article_lines(article)
    for line in lines:
        s.add(SearchLineRow(article_id=article_id, kind=ARTICLE, occurred_at=at, text=line))
    return len(lines)


class SqlSearch:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def find(
        self,
        terms: tuple[Term, ...],
        limit: int,
        kinds: Sequence[str] = (),
        ticket: int | None = None,
    ) -> list[SearchHit]:
        return await self._threads.run("search.find", self.find_sync, terms, limit, kinds, ticket)

    def find_sync(
        self,
        terms: tuple[Term, ...],
        limit: int,
        kinds: Sequence[str] = (),
        ticket: int | None = None,
    ) -> list[SearchHit]:
        """Lines holding every term (``kinds``: of those interaction kinds — or ``article``
        — only; ``ticket``: on that ticket only), the best matches first, newest among
        equals."""
        with self._sessions() as s:
            query = select(SearchLineRow, InteractionRow.ticket_id).outerjoin(
                InteractionRow, InteractionRow.id == SearchLineRow.interaction_id
            )
            if s.get_bind().dialect.name == "postgresql":
                vector = func.to_tsvector(text(f"'{FTS_CONFIG}'"), SearchLineRow.text)
                wanted = func.to_tsquery(text(f"'{FTS_CONFIG}'"), tsquery(terms))
                query = query.where(vector.op("@@")(wanted)).order_by(
                    func.ts_rank(vector, wanted).desc()
                )
            else:
                query = (
                    query.join(FTS5, FTS5.c.rowid == SearchLineRow.id)
                    .where(
                        text("search_lines_fts MATCH :match").bindparams(match=fts5_query(terms))
                    )
                    .order_by(FTS5.c.rank)  # bm25: the lower, the better
                )
            if kinds:
                query = query.where(SearchLineRow.kind.in_(list(kinds)))
            if ticket is not None:
                query = query.where(InteractionRow.ticket_id == ticket)
            query = query.order_by(SearchLineRow.occurred_at.desc(), SearchLineRow.id).limit(limit)
            return [_hit(line, ticket_id) for line, ticket_id in s.execute(query).all()]

    async def reindex(self) -> int:
        return await self._threads.run("search.reindex", self.reindex_sync)

    def reindex_sync(self) -> int:
        """Every interaction's and article's lines written anew (after an import that
        bypassed the store, or to rebuild the index); how many lines there are."""
        lines, last = 0, 0
        while True:
            with self._sessions.begin() as s:
                rows = list(
                    s.scalars(
                        select(InteractionRow)
                        .where(InteractionRow.id > last)
                        .order_by(InteractionRow.id)
                        .limit(REINDEX_BATCH)
                    )
                )
                for row in rows:
                    lines += index_interaction(s, row)
            if not rows:
                return lines + self._reindex_articles()
            last = rows[-1].id

    def _reindex_articles(self) -> int:
        with self._sessions.begin() as s:
            return sum(
                index_article(s, row.id, article_of(row), row.updated_at)
                for row in s.scalars(select(ArticleRow))
            )


def _hit(line: SearchLineRow, ticket_id: Any) -> SearchHit:
    return SearchHit(
        ticket_number=int(ticket_id) if ticket_id is not None else None,
        interaction_id=line.interaction_id,
        kind=line.kind,
        speaker=line.speaker,
        text=line.text,
        occurred_at=as_utc(line.occurred_at),
        start=line.start,
        recording_id=line.recording_id,
        article_id=line.article_id,
    )
