"""The recordings page (``/recordings``): filters, the list, and a player that plays both
speakers or one, marks PCI pauses and shows (to admins) who listened. Its data comes from
/api/v1/recordings with the page's session; every customer-supplied text is set with
textContent, never as HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.http.agent_desk import DESK_ROLES, page_principal, staff_page
from callcenter.http.api_recordings import RECORDINGS
from callcenter.http.page import Page

PAGE = Path(__file__).with_name("static") / "recordings.html"


async def recordings_page(request: web.Request) -> web.Response:
    who = await page_principal(request, DESK_ROLES, "the recordings")
    return await staff_page(request, PAGE, {"role": who.role.value, "agent": who.agent})


def add_recordings_page(app: web.Application) -> None:
    app.router.add_get("/recordings", recordings_page)


RECORDINGS_PAGE = Page(RECORDINGS, lambda app, _s: add_recordings_page(app))
