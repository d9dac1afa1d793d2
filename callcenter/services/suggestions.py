"""Articles suggested while a call rings and runs: the knowledge base ranked for what is
known of the call (its IVR path, its ticket's tags, the live transcript's words).

Contract: :meth:`Suggestions.suggest` answers from an index of the articles in the call's
language (every language's when none is in it), built once and rebuilt when the articles'
fingerprint changed (any article written, restored or removed, on any node): one small
query a suggestion, the articles read again only after a change."""

from __future__ import annotations

from callcenter.domain.articles import Article
from callcenter.domain.suggest import CallContext, SuggestIndex
from callcenter.services.articles import Articles


class Suggestions:
    def __init__(self, articles: Articles) -> None:
        self._articles = articles
        self._seen: tuple[int, int, int] | None = None
        self._by_language: dict[str, tuple[SuggestIndex, dict[int, Article]]] = {}

    async def suggest(
        self, context: CallContext, language: str = "", limit: int = 3
    ) -> list[tuple[Article, float]]:
        await self._fresh()
        found = self._by_language.get(language) or self._by_language.get("")
        if found is None:
            return []
        index, articles = found
        return [(articles[i], score) for i, score in index.rank(context, limit)]

    async def _fresh(self) -> None:
        seen = await self._articles.fingerprint()
        if seen == self._seen:
            return
        every = await self._articles.listed()
        groups: dict[str, list[Article]] = {"": every}
        for a in every:
            groups.setdefault(a.language, []).append(a)
        self._by_language = {
            lang: (SuggestIndex((a.id, a.title, a.body) for a in group), {a.id: a for a in group})
            for lang, group in groups.items()
        }
        self._seen = seen
