"""The widgets page (``/widgets``): the click-to-call widgets with their snippets, and what
the toll-fraud guard decided in the last 24 hours — accepted and refused per rule, drawn
as bars — with its latest decisions (who asked, which number, which rule). Supervisors
and admins; every value a visitor could have typed (number, origin, user agent) is set
as text, never HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_widgets import WIDGETS
from callcenter.http.page import Page, Services
from callcenter.http.widget_script import WEB_CALL_BRIDGE, add_widget_routes

PAGE = Path(__file__).with_name("static") / "widgets.html"
LEADS = frozenset({Role.ADMIN, Role.SUPERVISOR})


async def widgets_page(request: web.Request) -> web.Response:
    await page_principal(request, LEADS, "widgets")
    return await staff_page(request, PAGE, {})


def add_widgets_page(app: web.Application) -> None:
    app.router.add_get("/widgets", widgets_page)


def _widgets(app: web.Application, s: Services) -> None:
    add_widget_routes(app, s[WIDGETS], s.get(WEB_CALL_BRIDGE))
    add_widgets_page(app)


WIDGET_PAGES = Page(WIDGETS, _widgets)
