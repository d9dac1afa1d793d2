"""The voicemail page (``/voicemails``): the messages callers left, newest first — who,
for which queue, how long, its callback and ticket — to hear in the browser (the audio
comes from the recordings API: audited) and to mark answered; messages per day are drawn.
Its data comes from /api/v1/voicemails with the page's session; every customer-supplied
text is set with textContent, never as HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_voicemails import VOICEMAILS
from callcenter.http.page import Page

PAGE = Path(__file__).with_name("static") / "voicemails.html"


async def voicemails_page(request: web.Request) -> web.Response:
    await page_principal(request, BOARD_ROLES, "the voicemail")
    return await staff_page(request, PAGE, {})


def add_voicemails_page(app: web.Application) -> None:
    app.router.add_get("/voicemails", voicemails_page)


VOICEMAILS_PAGE = Page(VOICEMAILS, lambda app, _s: add_voicemails_page(app))
