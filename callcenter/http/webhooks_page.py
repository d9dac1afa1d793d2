"""The webhooks page (``/webhooks``, admins): each subscription — where, which events,
active — its latest deliveries (state, attempts, the receiver's last answer), and removing
one after a confirmation. Its data comes from ``/api/v1/webhooks``."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_webhooks import WEBHOOKS
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "webhooks.html"


async def webhooks_page(request: web.Request) -> web.Response:
    await page_principal(request, frozenset({Role.ADMIN}), "the webhooks")
    return await staff_page(request, PAGE, {})


def add_webhooks_page(app: web.Application) -> None:
    app.router.add_get("/webhooks", webhooks_page)


WEBHOOKS_PAGE = Page(WEBHOOKS, lambda app, _s: add_webhooks_page(app))
