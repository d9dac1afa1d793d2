"""The agent's desk: a server-rendered page plus a websocket that carries the screen pop
(who is calling, their open tickets and history, this call's IVR path) before answer.

    GET /agents/{ext}/desk?token=…   the page (staff tokens: admin, supervisor, agent)
    GET /agents/{ext}/ws?token=…     its websocket; messages are DeskMessage as JSON
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections import defaultdict
from pathlib import Path

from aiohttp import WSMsgType, web

from callcenter.domain.tickets import Role
from callcenter.http import api_json
from callcenter.http.api_auth import KEYS
from callcenter.http.api_params import is_extension
from callcenter.http.api_routes import CONTROL
from callcenter.http.page import Page, Services
from callcenter.http.shell import render
from callcenter.http.staff_auth import same_origin, signin_url, staff_session
from callcenter.services.ports import ApiKeys, ApiPrincipal
from callcenter.services.screen_pop import DeskMessage, desk_json

log = logging.getLogger(__name__)

PAGE = Path(__file__).with_name("static") / "desk.html"
BOARD = Path(__file__).with_name("static") / "board.html"
SECURITY = Path(__file__).with_name("static") / "security.html"
DESK_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})


class AgentHub:
    """Open desk pages per agent extension; implements the AgentDesks port."""

    def __init__(self) -> None:
        self._sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self.closed = False  # the daemon is stopping: a page that reconnects is refused

    def pages(self, agent: str) -> int:
        return len(self._sockets.get(agent, ()))

    async def publish(self, agent: str, message: DeskMessage) -> int:
        text = json.dumps(desk_json(message, api_json.history))
        sockets = list(self._sockets.get(agent, ()))
        results = await asyncio.gather(
            *(ws.send_str(text) for ws in sockets), return_exceptions=True
        )
        for ws, result in zip(sockets, results, strict=True):
            if isinstance(result, Exception):
                self._sockets[agent].discard(ws)
        return sum(1 for r in results if not isinstance(r, Exception))

    def add(self, agent: str, ws: web.WebSocketResponse) -> None:
        self._sockets[agent].add(ws)

    def remove(self, agent: str, ws: web.WebSocketResponse) -> None:
        self._sockets[agent].discard(ws)

    async def close(self) -> None:
        self.closed = True
        for sockets in list(self._sockets.values()):
            for ws in list(sockets):
                await ws.close()


HUB = web.AppKey("agent_hub", AgentHub)
REASONS: web.AppKey[tuple[str, ...]] = web.AppKey("pause_reasons")
BOARD_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


async def page_principal(request: web.Request, roles: frozenset[Role], what: str) -> ApiPrincipal:
    """The signed-in staff member opening a page (their session cookie); a browser that is
    not signed in is sent to the sign-in page, and back here after it."""
    session = await staff_session(request)
    if session is None:
        raise web.HTTPSeeOther(signin_url(request.path_qs))
    user = session.user
    if user.role not in roles:
        raise web.HTTPForbidden(text=f"role {user.role.value} cannot open {what}")
    return ApiPrincipal(0, user.username, user.role, user.agent)


async def staff_page(
    request: web.Request, page: Path, replacements: dict[str, str]
) -> web.Response:
    """A staff page in the shell (see :mod:`callcenter.http.shell`) for the signed-in user."""
    session = await staff_session(request)
    assert session is not None  # page_principal ran first
    return render(request, session, page, replacements)


async def _authorised(request: web.Request) -> str:
    ext = request.match_info["ext"]
    if not is_extension(ext):
        raise web.HTTPNotFound(text=f"no agent {ext!r}")
    who = await page_principal(request, DESK_ROLES, "the desk")
    if not who.may_act_for(ext):
        raise web.HTTPForbidden(text=f"this token belongs to agent {who.agent}, not {ext}")
    return ext


async def desk_page(request: web.Request) -> web.Response:
    ext = await _authorised(request)
    response = await staff_page(request, PAGE, {"ext": ext})
    options = "".join(
        f'<option value="{html.escape(r)}">{html.escape(r)}</option>' for r in request.app[REASONS]
    )
    assert response.text is not None
    response.text = response.text.replace("{{reason_options}}", options)
    return response


async def desk_socket(request: web.Request) -> web.WebSocketResponse:
    if not same_origin(request):  # a page of another site must not listen to a desk
        raise web.HTTPForbidden(text="websocket from another site refused")
    ext = await _authorised(request)
    hub = request.app[HUB]
    if hub.closed:  # the page would reconnect and hold the server's stop for its timeout
        raise web.HTTPServiceUnavailable(text="the daemon is stopping")
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    hub.add(ext, ws)
    log.info("desk of %s open (%d page(s))", ext, hub.pages(ext))
    hello: dict[str, object] = {"kind": "hello", "agent": ext}
    control = request.app.get(CONTROL)
    if control is not None and control.states is not None:
        state = control.states.get(ext)
        word = control.states.board_state(ext)
        hello["presence"] = {"state": word, "reason": state.pause_reason}
    await ws.send_str(json.dumps(hello))
    try:
        async for msg in ws:
            if msg.type is WSMsgType.ERROR:
                break
    finally:
        hub.remove(ext, ws)
    return ws


async def supervisor_board(request: web.Request) -> web.Response:
    """The live queue board; its data comes from /api/v1/queues/live (leads only), with
    the token of the page's URL."""
    await page_principal(request, BOARD_ROLES, "the board")
    return await staff_page(request, BOARD, {})


def add_desk_routes(
    app: web.Application, hub: AgentHub, keys: ApiKeys, reasons: tuple[str, ...] = ()
) -> None:
    app[HUB] = hub
    app[REASONS] = reasons
    app[KEYS] = keys
    app.router.add_get("/agents/{ext}/desk", desk_page)
    app.router.add_get("/agents/{ext}/ws", desk_socket)
    app.router.add_get("/supervisor", supervisor_board)
    app.router.add_get("/security", security_page)


async def security_page(request: web.Request) -> web.Response:
    """SIP bans (admins): the data comes from /api/v1/security/bans."""
    await page_principal(request, frozenset({Role.ADMIN}), "the security page")
    return await staff_page(request, SECURITY, {})


def _desk(app: web.Application, s: Services) -> None:
    control = s.get(CONTROL)
    if control is not None:
        app[CONTROL] = control  # the desk's hello says the agent's state, as the board does
    add_desk_routes(app, s[HUB], s[KEYS], control.pause_reasons if control else ())


DESK = Page(HUB, _desk)
