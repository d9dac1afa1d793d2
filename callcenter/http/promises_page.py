"""The promises page (``/promises``): what was promised to callers and whether it was kept
— per queue and day (drawn), the promises at risk, and the callbacks waiting, which a
supervisor may cancel. Its data comes from /api/v1/promises and /api/v1/callbacks with the
page's session; every customer-supplied text is set with textContent, never as HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_promises import PROMISES
from callcenter.http.page import Page

PAGE = Path(__file__).with_name("static") / "promises.html"


async def promises_page(request: web.Request) -> web.Response:
    await page_principal(request, BOARD_ROLES, "the promises")
    return await staff_page(request, PAGE, {})


def add_promises_page(app: web.Application) -> None:
    app.router.add_get("/promises", promises_page)


PROMISES_PAGE = Page(PROMISES, lambda app, _s: add_promises_page(app))
