"""The canned answers page (``/answers``): supervisors and admins write the answers agents
insert — shortcut, title, text with placeholders, language, team — and see how often each
was used; agents see them to copy. Every answer's text is set as text, never HTML. Its data
comes from ``/api/v1/answers``."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_answers import ANSWERS
from callcenter.http.page import Page
from callcenter.http.shell import STATIC
from callcenter.http.tickets_page import STAFF

PAGE = STATIC / "answers.html"


async def answers_page(request: web.Request) -> web.Response:
    await page_principal(request, STAFF, "the canned answers")
    return await staff_page(request, PAGE, {})


def add_answers_page(app: web.Application) -> None:
    app.router.add_get("/answers", answers_page)


ANSWERS_PAGE = Page(ANSWERS, lambda app, _s: add_answers_page(app))
