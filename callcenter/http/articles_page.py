"""The knowledge base page (``/articles``): articles by category with their rendered text
(Markdown with raw HTML off, http(s) links only), found with the one search; supervisors
and admins write them with a preview and see every version, restoring one after a
confirmation. Its data comes from ``/api/v1/articles`` and ``/api/v1/search``."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_articles import ARTICLES
from callcenter.http.page import Page
from callcenter.http.shell import STATIC
from callcenter.http.tickets_page import STAFF

PAGE = STATIC / "articles.html"


async def articles_page(request: web.Request) -> web.Response:
    await page_principal(request, STAFF, "the knowledge base")
    return await staff_page(request, PAGE, {})


def add_articles_page(app: web.Application) -> None:
    app.router.add_get("/articles", articles_page)


ARTICLES_PAGE = Page(ARTICLES, lambda app, _s: add_articles_page(app))
