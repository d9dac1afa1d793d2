"""Wiring of search across phone and chat: the index the ticket store writes as it stores
interactions, read through the search service. (Composition root.)"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.http import api_search
from callcenter.http.api_search import SEARCH
from callcenter.http.search_page import SEARCH_PAGE
from callcenter.services.search import Search
from callcenter.store.db_threads import DbThreads
from callcenter.store.search import SqlSearch


def search_service(sessions: sessionmaker[Session], threads: DbThreads) -> Search:
    return Search(SqlSearch(sessions, threads))


def _plug(parts: Parts, plug: Plug) -> None:
    plug.serve(SEARCH, search_service(parts[slots.SESSIONS], parts[slots.DB_THREADS]))


FEATURE = Feature(
    "search",
    needs=(slots.SESSIONS, slots.DB_THREADS),
    provides=(),
    build=_plug,
    routes=tuple(api_search.ROUTES),
    pages=(SEARCH_PAGE,),
)
