"""The directory's pages: ``/queues`` (the queues as configured) and ``/agents`` (every
agent, their skills, team and state now) for leads, ``/staff`` (the accounts that sign in
here, disabled and enabled after a confirmation) for admins."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_errors import Handler
from callcenter.http.api_routes import CONTROL
from callcenter.http.page import Page, Services
from callcenter.http.shell import STATIC
from callcenter.http.staff_auth import STAFF

ADMINS = frozenset({Role.ADMIN})


def _page(name: str, roles: frozenset[Role]) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        await page_principal(request, roles, f"the {name} page")
        return await staff_page(request, STATIC / f"{name}.html", {})

    return handler


def _add(path: str, name: str, roles: frozenset[Role]) -> Page:
    def add(app: web.Application, _s: Services) -> None:
        app.router.add_get(path, _page(name, roles))

    return Page(STAFF if name == "staff" else CONTROL, add)


QUEUES_PAGE = _add("/queues", "queues", BOARD_ROLES)
AGENTS_PAGE = _add("/agents", "agents", BOARD_ROLES)
STAFF_PAGE = _add("/staff", "staff", ADMINS)
