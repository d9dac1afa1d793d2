from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_view import WaitingCaller
from callcenter.domain.sip_bans import BanPolicy
from callcenter.domain.tickets import Role
from callcenter.http.server import build_app
from callcenter.services.agent_control import AgentControl
from callcenter.services.sip_bans import SipBans
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_sessions
from callcenter.store.sip_bans import SqlSipBans
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.fakes import MemoryQueues, RecordingFirewall


class Api:
    """An HTTP client holding one token per role."""

    def __init__(
        self,
        client: TestClient,
        tokens: dict[Role, str],
        store: SqlTicketStore,
        ban_store: SqlSipBans,
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.store = store
        self.ban_store = ban_store

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


async def _health() -> dict[str, bool]:
    return {"db": True}


@pytest.fixture
async def api(db_engine: Engine) -> AsyncIterator[Api]:
    sessions = make_sessions(db_engine)
    store = SqlTicketStore(sessions, "RU", timedelta(hours=72))
    keys = SqlApiKeys(sessions)
    await store.ensure_agents(["1001", "1002"])  # logged in: the resync puts them in support
    tokens = {
        role: keys.create_token(f"test-{role.value}", role, "1001" if role is Role.AGENT else "")[1]
        for role in Role
    }
    queues = MemoryQueues(("support",), {"support": (WaitingCaller("1.1", "+79161234567", 1, 12),)})
    control = AgentControl(queues, store, {"support": QueueDef("support")}, ("lunch", "training"))
    await control.resync()
    ban_store = SqlSipBans(sessions)
    bans = SipBans(ban_store, RecordingFirewall(), BanPolicy(), lambda: datetime.now(UTC))
    client = TestClient(TestServer(build_app(_health, store, keys, control=control, bans=bans)))
    await client.start_server()
    try:
        yield Api(client, tokens, store, ban_store)
    finally:
        await client.close()
