"""The ticket page (``/tickets/{number}``): the ticket's timeline — calls and voicemail
with their recording and their transcript ("Caller: …" / "Agent: …", a click on a line
plays the recording from there), chat messages, emails and notes. ``?t=S#interaction-N``
opens it at second S of interaction N (where a search hit points). Staff only; its data
comes from the API with the page's session, every customer text set as text, never HTML."""

from __future__ import annotations

import re

from aiohttp import web

from callcenter.domain.staff import STAFF_ROLES
from callcenter.domain.tickets import NotFound
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_params import MAX_ID
from callcenter.http.api_routes import STORE
from callcenter.http.page import Page
from callcenter.http.shell import STATIC
from callcenter.services.ports import TicketStore

PAGE = STATIC / "ticket.html"
STAFF = frozenset(STAFF_ROLES)
_NUMBER = re.compile(r"[0-9]{1,10}")


async def ticket_page(request: web.Request) -> web.Response:
    await page_principal(request, STAFF, "tickets")
    raw = request.match_info["number"]
    if _NUMBER.fullmatch(raw) is None or not 1 <= int(raw) <= MAX_ID:
        raise web.HTTPNotFound(text=f"no ticket {raw!r}")
    number = int(raw)
    try:
        await request.app[STORE].get_ticket(number)
    except NotFound:
        raise web.HTTPNotFound(text=f"no ticket #{number}") from None
    return await staff_page(request, PAGE, {"number": str(number)})


def add_tickets_page(app: web.Application, store: TicketStore) -> None:
    app[STORE] = store  # an unknown ticket is a 404 page, not a form with an error under it
    app.router.add_get("/tickets/{number}", ticket_page)


TICKETS = Page(STORE, lambda app, s: add_tickets_page(app, s[STORE]))
