"""Knowledge base articles on SQLAlchemy: a change writes the article, its new version and
its lines in the one search index (search_lines) in one transaction — an article is found
from the commit that stored it, as a transcript is."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.articles import Article, ArticleError, Visibility
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import ArticleRow, ArticleVersionRow, SearchLineRow
from callcenter.store.search import index_article


class SqlArticles:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def all(self) -> list[Article]:
        return await self._threads.run("articles.all", self.all_sync)

    def all_sync(self) -> list[Article]:
        with self._sessions() as s:
            rows = s.scalars(select(ArticleRow).order_by(ArticleRow.category, ArticleRow.title))
            return [_article(r) for r in rows]

    async def fingerprint(self) -> tuple[int, int, int]:
        return await self._threads.run("articles.fingerprint", self.fingerprint_sync)

    def fingerprint_sync(self) -> tuple[int, int, int]:
        """(how many, their versions summed, the newest id): changes when any article is
        written, restored or removed, on any node."""
        with self._sessions() as s:
            n, versions, newest = s.execute(
                select(
                    func.count(ArticleRow.id),
                    func.coalesce(func.sum(ArticleRow.version), 0),
                    func.coalesce(func.max(ArticleRow.id), 0),
                )
            ).one()
            return int(n), int(versions), int(newest)

    async def get(self, article_id: int) -> Article | None:
        return await self._threads.run("articles.get", self.get_sync, article_id)

    def get_sync(self, article_id: int) -> Article | None:
        with self._sessions() as s:
            row = s.get(ArticleRow, article_id)
            return _article(row) if row is not None else None

    async def save(self, article: Article, now: datetime) -> Article:
        return await self._threads.run("articles.save", self.save_sync, article, now)

    def save_sync(self, article: Article, now: datetime) -> Article:
        """A new article (``id`` 0: version 1) or its next version; ArticleError naming
        the slug taken, LookupError for an id that does not exist."""
        try:
            with self._sessions.begin() as s:
                row = s.get(ArticleRow, article.id) if article.id else None
                if article.id and row is None:
                    raise LookupError(f"article {article.id}: no such article")
                if row is None:
                    row = ArticleRow(version=0)
                    s.add(row)
                row.slug, row.title, row.body = article.slug, article.title, article.body
                row.category, row.language = article.category, article.language
                row.visibility, row.version = article.visibility.value, row.version + 1
                row.updated_at, row.updated_by = now, article.updated_by
                s.flush()
                s.add(_version(row, article.note))
                saved = dataclasses.replace(_article(row), note=article.note)
                index_article(s, row.id, saved, now)
                return saved
        except IntegrityError:
            raise ArticleError(f"slug: {article.slug!r} is taken in {article.language!r}") from None

    async def versions(self, article_id: int) -> list[Article]:
        return await self._threads.run("articles.versions", self.versions_sync, article_id)

    def versions_sync(self, article_id: int) -> list[Article]:
        """Every version of the article, newest first (empty: no such article)."""
        with self._sessions() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                return []
            versions = s.scalars(
                select(ArticleVersionRow)
                .where(ArticleVersionRow.article_id == article_id)
                .order_by(ArticleVersionRow.version.desc())
            )
            return [_of_version(row, v) for v in versions]

    async def remove(self, article_id: int) -> bool:
        return await self._threads.run("articles.remove", self.remove_sync, article_id)

    def remove_sync(self, article_id: int) -> bool:
        with self._sessions.begin() as s:
            row = s.get(ArticleRow, article_id)
            if row is None:
                return False
            s.execute(delete(SearchLineRow).where(SearchLineRow.article_id == article_id))
            s.execute(delete(ArticleVersionRow).where(ArticleVersionRow.article_id == article_id))
            s.delete(row)
            return True


def _version(row: ArticleRow, note: str) -> ArticleVersionRow:
    return ArticleVersionRow(
        article_id=row.id,
        version=row.version,
        title=row.title,
        body=row.body,
        category=row.category,
        visibility=row.visibility,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        note=note,
    )


def _article(row: ArticleRow) -> Article:
    return Article(
        id=row.id,
        slug=row.slug,
        title=row.title,
        body=row.body,
        category=row.category,
        language=row.language,
        visibility=Visibility(row.visibility),
        version=row.version,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
    )


def _of_version(row: ArticleRow, v: ArticleVersionRow) -> Article:
    """The article as version ``v`` had it (its slug and language never change)."""
    return dataclasses.replace(
        _article(row),
        title=v.title,
        body=v.body,
        category=v.category,
        visibility=Visibility(v.visibility),
        version=v.version,
        updated_at=as_utc(v.updated_at),
        updated_by=v.updated_by,
        note=v.note,
    )
