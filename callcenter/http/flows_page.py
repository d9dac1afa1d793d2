"""The flows page (``/flows``): the admin edits an IVR flow file in the browser — the YAML
checked as it is typed (the same validator as the files: every problem at its line and
column), the diagram beside it, a simulator (digits, caller, time of day), publish (atomic,
recorded), the versions with the difference between two and a one-click rollback.
Supervisors read it; admins publish."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_flows import FLOW_EDITOR
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "flows.html"


async def flows_page(request: web.Request) -> web.Response:
    who = await page_principal(request, BOARD_ROLES, "the flows")
    return await staff_page(request, PAGE, {"may_publish": str(who.role.value == "admin").lower()})


def add_flows_page(app: web.Application) -> None:
    app.router.add_get("/flows", flows_page)


FLOWS_PAGE = Page(FLOW_EDITOR, lambda app, _s: add_flows_page(app))
