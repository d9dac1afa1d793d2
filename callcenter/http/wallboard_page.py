"""The wallboard (``/wallboard``): each queue's figures large enough for a wall screen —
waiting, longest wait, today's service level and abandonment, agents free / talking /
paused — coloured against the targets, with no interaction needed; it reconnects by itself
when the daemon restarts (its data comes from ``/api/v1/queues/live``). Supervisors and
admins."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_routes import CONTROL
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "wallboard.html"


async def wallboard_page(request: web.Request) -> web.Response:
    await page_principal(request, BOARD_ROLES, "the wallboard")
    return await staff_page(request, PAGE, {})


def add_wallboard_page(app: web.Application) -> None:
    app.router.add_get("/wallboard", wallboard_page)


WALLBOARD_PAGE = Page(CONTROL, lambda app, _s: add_wallboard_page(app))
