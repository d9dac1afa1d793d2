"""The reports page (``/reports``): queue figures for any range of local days by interval
and group, drawn (service level over time, a heat map by weekday and hour, the wait-time
distribution with the abandoned apart), agents' time, the calls behind a figure (an
abandoned caller can be called back, through the toll-fraud guard), CSV exports, and the
alerts now. Supervisors and admins."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_reports import REPORTS
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "reports.html"


async def reports_page(request: web.Request) -> web.Response:
    await page_principal(request, BOARD_ROLES, "the reports")
    return await staff_page(request, PAGE, {})


def add_reports_page(app: web.Application) -> None:
    app.router.add_get("/reports", reports_page)


REPORTS_PAGE = Page(REPORTS, lambda app, _s: add_reports_page(app))
