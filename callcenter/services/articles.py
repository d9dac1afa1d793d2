"""The knowledge base: articles written and changed (each change a version, found at once
by the one search), read by staff and the chat side, the public ones by a site's visitors.

Contract: :meth:`Articles.define` checks an article (ArticleError naming the field) and
keeps it as its next version; :meth:`Articles.restore` makes an old version the newest
(a new version, nothing lost); :meth:`Articles.listed` filters by category, language and
visibility."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Protocol

from callcenter.domain.articles import Article, Visibility, check_article
from callcenter.services.ports import Clock


class ArticleStore(Protocol):
    async def all(self) -> list[Article]: ...
    async def get(self, article_id: int) -> Article | None: ...
    async def save(self, article: Article, now: datetime) -> Article: ...
    async def versions(self, article_id: int) -> list[Article]: ...
    async def remove(self, article_id: int) -> bool: ...
    async def fingerprint(self) -> tuple[int, int, int]: ...


class Articles:
    def __init__(self, store: ArticleStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def listed(
        self, category: str = "", language: str = "", visibility: Visibility | None = None
    ) -> list[Article]:
        return [
            a
            for a in await self._store.all()
            if (not category or a.category == category)
            and (not language or a.language == language)
            and (visibility is None or a.visibility is visibility)
        ]

    async def get(self, article_id: int) -> Article:
        article = await self._store.get(article_id)
        if article is None:
            raise LookupError(f"article {article_id}: no such article")
        return article

    async def define(self, article: Article, by: str) -> Article:
        checked = check_article(dataclasses.replace(article, updated_by=by))
        return await self._store.save(checked, self._clock.now())

    async def versions(self, article_id: int) -> list[Article]:
        versions = await self._store.versions(article_id)
        if not versions:
            raise LookupError(f"article {article_id}: no such article")
        return versions

    async def restore(self, article_id: int, version: int, by: str) -> Article:
        """Version ``version`` of the article again, as its newest."""
        old = next((v for v in await self.versions(article_id) if v.version == version), None)
        if old is None:
            raise LookupError(f"article {article_id}: no version {version}")
        note = f"restored version {version}"
        return await self.define(dataclasses.replace(old, note=note), by)

    async def remove(self, article_id: int) -> bool:
        return await self._store.remove(article_id)

    async def fingerprint(self) -> tuple[int, int, int]:
        """Changes whenever an article changes, on any node: what a cache of them keys on."""
        return await self._store.fingerprint()
