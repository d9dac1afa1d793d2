"""Wiring of the knowledge base: the articles' store (which indexes them in the one search
index), the service, the API and the page. (Composition root.)"""

from __future__ import annotations

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.http import api_articles
from callcenter.http.api_articles import ARTICLES, SUGGESTIONS
from callcenter.http.articles_page import ARTICLES_PAGE
from callcenter.http.help_page import HELP_PAGE
from callcenter.services.articles import Articles
from callcenter.services.suggestions import Suggestions
from callcenter.store.articles import SqlArticles


def _plug(parts: Parts, plug: Plug) -> None:
    store = SqlArticles(parts[slots.SESSIONS], parts[slots.DB_THREADS])
    articles = Articles(store, SystemClock())
    plug.serve(ARTICLES, articles)
    plug.serve(SUGGESTIONS, Suggestions(articles))


FEATURE = Feature(
    "articles",
    needs=(slots.SESSIONS, slots.DB_THREADS),
    provides=(),
    build=_plug,
    routes=tuple(api_articles.ROUTES),
    pages=(ARTICLES_PAGE, HELP_PAGE),
)
