"""The desk page and its websocket over HTTP, and staff sign-in (the browser tests drive
the same pages), on SQLite and PostgreSQL."""

from __future__ import annotations

import urllib.parse
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.app.features import api_routes, pages
from callcenter.domain.tickets import CallerHistory, Role
from callcenter.http.agent_desk import HUB, AgentHub
from callcenter.http.api_auth import KEYS
from callcenter.http.api_routes import STORE
from callcenter.http.server import build_app
from callcenter.http.staff_auth import SESSION_TTL, STAFF
from callcenter.services.screen_pop import DeskMessage, Pop
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_sessions
from callcenter.store.staff import SqlStaff
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.staff import link_token


async def _health() -> dict[str, bool]:
    return {}


class Site:
    def __init__(self, client: TestClient, staff: SqlStaff, engine: Engine) -> None:
        self.client, self.staff, self.sessions = client, staff, make_sessions(engine)

    async def sign_in(self, role: Role, agent: str = "") -> None:
        self.client.session.cookie_jar.clear()
        resp = await self.client.get(f"/signin/link/{link_token(self.sessions, role, agent)}")
        assert resp.status == 200, await resp.text()  # followed to the user's page

    async def csrf(self, page: str) -> str:
        text = await (await self.client.get(page)).text()
        return text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


@pytest.fixture
async def site(db_engine: Engine) -> AsyncIterator[tuple[Site, AgentHub]]:
    sessions = make_sessions(db_engine)
    keys, staff, hub = SqlApiKeys(sessions), SqlStaff(sessions), AgentHub()
    store = SqlTicketStore(sessions, "RU", timedelta(hours=1))
    app = build_app(
        _health,
        {STORE: store, KEYS: keys, HUB: hub, STAFF: staff, SESSION_TTL: timedelta(hours=1)},
        api_routes(),
        pages(),
    )
    async with TestClient(TestServer(app)) as client:
        yield Site(client, staff, db_engine), hub


async def open_desk(s: Site, agent: str) -> ClientWebSocketResponse:
    """A desk page's socket for ``agent``, past its hello."""
    ws = await s.client.ws_connect(f"/agents/{agent}/ws")
    assert (await ws.receive_json())["kind"] == "hello"
    return ws


async def test_a_pop_published_for_an_agent_reaches_their_open_page(
    site: tuple[Site, AgentHub],
) -> None:
    s, hub = site
    await s.sign_in(Role.SUPERVISOR)
    page = await s.client.get("/agents/1001/desk")
    assert page.status == 200
    assert "<title>Desk 1001 — callcenter</title>" in await page.text()
    ws = await open_desk(s, "1001")
    other = await open_desk(s, "1002")
    history = CallerHistory("+79161234567", None)
    pop = Pop("1.1", "support", "89161234567", history, ({"node": "menu"},), "demo@1")
    assert await hub.publish("1001", DeskMessage("ringing", "1.1", "support", pop=pop)) == 1
    got = await ws.receive_json()
    assert got["kind"] == "ringing"
    assert got["pop"]["history"]["phone"] == "+79161234567"
    await ws.close()
    await other.close()


async def test_a_stopping_daemon_closes_the_desks_and_refuses_a_page_that_reconnects(
    site: tuple[Site, AgentHub],
) -> None:
    s, hub = site
    await s.sign_in(Role.SUPERVISOR)
    ws = await open_desk(s, "1001")
    await hub.close()
    assert (await ws.receive()).type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    again = await s.client.get("/agents/1001/ws")  # a reconnect would hold the server's stop
    assert again.status == 503


async def test_pages_send_strangers_to_sign_in_and_back(site: tuple[Site, AgentHub]) -> None:
    s, _ = site
    resp = await s.client.get("/agents/1001/desk?x=1", allow_redirects=False)
    assert resp.status == 303
    target = urllib.parse.urlsplit(resp.headers["Location"])
    assert target.path == "/signin"
    assert urllib.parse.parse_qs(target.query)["next"] == ["/agents/1001/desk?x=1"]
    assert (await s.client.get("/agents/1001/desk?token=cc_anything")).url.path == "/signin"
    assert (await s.client.get("/agents/10x1/desk")).status == 404
    ws = await s.client.get("/agents/1001/ws", allow_redirects=False)
    assert ws.status == 303


async def test_an_agent_opens_their_own_desk_only(site: tuple[Site, AgentHub]) -> None:
    s, _ = site
    await s.sign_in(Role.AGENT, "1002")
    assert (await s.client.get("/agents/1002/desk")).status == 200
    other = await s.client.get("/agents/1001/desk")
    assert other.status == 403
    assert "belongs to agent 1002" in await other.text()
    assert (await s.client.get("/supervisor")).status == 403


async def test_password_sign_in_csrf_and_sign_out(site: tuple[Site, AgentHub]) -> None:
    s, _ = site
    s.staff.create_user_sync("olga", "correct horse battery", Role.AGENT, "1002", datetime.now(UTC))
    wrong = await s.client.post("/signin", data={"username": "olga", "password": "nope-nope-1"})
    assert wrong.status == 401
    assert "Wrong username or password" in await wrong.text()
    resp = await s.client.post(
        "/signin",
        data={"username": "olga", "password": "correct horse battery", "next": "//evil.example/x"},
        allow_redirects=False,
    )
    assert resp.status == 303
    assert resp.headers["Location"] == "/agents/1002/desk"  # never off-site
    cookie = resp.cookies["cc_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    csrf = await s.csrf("/agents/1002/desk")
    # The API takes the session for reads; a change without the CSRF token is refused.
    assert (await s.client.get("/api/v1/handoffs")).status == 200
    body = {"reason": "lunch"}
    refused = await s.client.post("/api/v1/agents/1002/pause", json=body)
    assert refused.status == 403
    assert (await refused.json())["error"]["id"] == "csrf"
    foreign = await s.client.post(
        "/api/v1/agents/1002/pause",
        json=body,
        headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"},
    )
    assert foreign.status == 403
    taken = await s.client.post(
        "/api/v1/agents/1002/pause", json=body, headers={"X-CSRF-Token": csrf}
    )
    assert taken.status == 503  # past auth and CSRF: no telephony in this app
    # Sign out: the cookie is cleared and the old session is dead on the server too.
    old = s.client.session.cookie_jar.filter_cookies(s.client.make_url("/"))["cc_session"].value
    out = await s.client.post("/signout", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 303
    s.client.session.cookie_jar.update_cookies({"cc_session": old})
    assert (await s.client.get("/agents/1002/desk")).url.path == "/signin"


async def test_links_are_spent_sessions_expire_and_disabled_staff_are_out(
    site: tuple[Site, AgentHub],
) -> None:
    s, _ = site
    token = link_token(s.sessions, Role.ADMIN)
    assert (await s.client.get(f"/signin/link/{token}")).url.path == "/supervisor"
    s.client.session.cookie_jar.clear()
    again = await s.client.get(f"/signin/link/{token}")
    assert again.status == 401
    assert "used or expired" in await again.text()
    user = s.staff.create_user_sync("vera", None, Role.SUPERVISOR, "", datetime.now(UTC))
    cookie = await s.staff.start_session(
        user, datetime.now(UTC) - timedelta(hours=2), timedelta(hours=1)
    )
    s.client.session.cookie_jar.update_cookies({"cc_session": cookie})
    assert (await s.client.get("/supervisor")).url.path == "/signin"  # expired
    fresh = await s.staff.start_session(user, datetime.now(UTC), timedelta(hours=1))
    s.client.session.cookie_jar.update_cookies({"cc_session": fresh})
    assert (await s.client.get("/supervisor")).status == 200
    s.staff.set_disabled_sync("vera", True, datetime.now(UTC))
    assert (await s.client.get("/supervisor")).url.path == "/signin"
