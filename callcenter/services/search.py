"""Search across phone and chat: one query over call and voicemail transcripts, chat
messages, emails and notes (the lines the ticket store indexes as it writes them).

Contract: :meth:`Search.find` parses the query (SearchError naming ``q`` when it holds no
word, or too many) and returns the lines that hold every word, best first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from callcenter.domain.search import SearchHit, Term, parse_query

log = logging.getLogger(__name__)


class SearchIndex(Protocol):
    async def find(
        self,
        terms: tuple[Term, ...],
        limit: int,
        kinds: Sequence[str] = (),
        ticket: int | None = None,
    ) -> list[SearchHit]: ...

    async def reindex(self) -> int: ...


class Search:
    def __init__(self, index: SearchIndex) -> None:
        self._index = index

    async def find(
        self, q: str, limit: int = 50, kinds: Sequence[str] = (), ticket: int | None = None
    ) -> list[SearchHit]:
        terms = parse_query(q)
        hits = await self._index.find(terms, limit, kinds, ticket)
        log.debug("search %r: %d hit(s)", [t.word for t in terms], len(hits))
        return hits

    async def reindex(self) -> int:
        """Every interaction's lines written anew; how many lines there are."""
        lines = await self._index.reindex()
        log.info("search index rebuilt: %d line(s)", lines)
        return lines
