"""The topics page (``/topics``, supervisors and admins): tags counted per day for the
last weeks (drawn, per queue or channel), the tags spiking now, and the tickets behind a
tag (``?tag=``: where the board's spike banner leads). Tags and subjects are text."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_topics import TOPICS
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "topics.html"
LEADS = frozenset({Role.ADMIN, Role.SUPERVISOR})


async def topics_page(request: web.Request) -> web.Response:
    await page_principal(request, LEADS, "the topics")
    return await staff_page(request, PAGE, {})


def add_topics_page(app: web.Application) -> None:
    app.router.add_get("/topics", topics_page)


TOPICS_PAGE = Page(TOPICS, lambda app, _s: add_topics_page(app))
