"""The desk page and its websocket over HTTP (the browser test drives the same page)."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.domain.tickets import CallerHistory, Role
from callcenter.http.agent_desk import AgentHub
from callcenter.http.server import build_app
from callcenter.services.screen_pop import DeskMessage, Pop
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_sessions
from callcenter.store.ticket_store import SqlTicketStore


async def _health() -> dict[str, bool]:
    return {}


async def test_a_pop_published_for_an_agent_reaches_their_open_page(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)
    keys = SqlApiKeys(sessions)
    _, token = keys.create_token("lead", Role.SUPERVISOR)
    hub = AgentHub()
    app = build_app(_health, SqlTicketStore(sessions, "RU", timedelta(hours=1)), keys, hub)
    async with TestClient(TestServer(app)) as client:
        page = await client.get(f"/agents/1001/desk?token={token}")
        assert page.status == 200
        assert "Agent 1001" in await page.text()
        ws = await client.ws_connect(f"/agents/1001/ws?token={token}")
        assert (await ws.receive_json())["kind"] == "hello"
        other = await client.ws_connect(f"/agents/1002/ws?token={token}")
        await other.receive_json()
        history = CallerHistory("+79161234567", None)
        pop = Pop("1.1", "support", "89161234567", history, ({"node": "menu"},), "demo@1")
        assert await hub.publish("1001", DeskMessage("ringing", "1.1", "support", pop=pop)) == 1
        got = await ws.receive_json()
        assert got["kind"] == "ringing"
        assert got["pop"]["history"]["phone"] == "+79161234567"
        assert got["pop"]["ivr_path"] == [{"node": "menu"}]
        await ws.close()
        await other.close()


async def test_the_desk_refuses_missing_and_non_staff_tokens(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)
    keys = SqlApiKeys(sessions)
    _, chat = keys.create_token("chat", Role.INTEGRATION)
    app = build_app(_health, SqlTicketStore(sessions, "RU"), keys, AgentHub())
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/agents/1001/desk")).status == 401
        assert (await client.get(f"/agents/1001/desk?token={chat}")).status == 403
        assert (await client.get("/agents/10x1/desk?token=x")).status == 404


async def test_an_agent_token_opens_its_own_desk_only(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)
    keys = SqlApiKeys(sessions)
    _, mine = keys.create_token("olga", Role.AGENT, "1002")
    app = build_app(_health, SqlTicketStore(sessions, "RU"), keys, AgentHub())
    async with TestClient(TestServer(app)) as client:
        assert (await client.get(f"/agents/1002/desk?token={mine}")).status == 200
        other = await client.get(f"/agents/1001/desk?token={mine}")
        assert other.status == 403
        assert "belongs to agent 1002" in await other.text()
