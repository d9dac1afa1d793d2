"""The search page (``/search``): words said on calls and voicemail or written in chat,
email and notes, found with one query (``/api/v1/search``); each hit with who said it,
the second in the recording and a link to that moment on its ticket. Staff only; every
customer text is built from text nodes (the found words in <mark>), never as HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_search import SEARCH
from callcenter.http.page import Page
from callcenter.http.tickets_page import STAFF

PAGE = Path(__file__).with_name("static") / "search.html"


async def search_page(request: web.Request) -> web.Response:
    await page_principal(request, STAFF, "search")
    return await staff_page(request, PAGE, {})


def add_search_page(app: web.Application) -> None:
    app.router.add_get("/search", search_page)


SEARCH_PAGE = Page(SEARCH, lambda app, _s: add_search_page(app))
