"""The flow editor over HTTP on SQLite and PostgreSQL: a draft checked with every problem
at its line and column, simulated and drawn; publishing writes the file atomically and the
running registry takes it; versions, their difference and a rollback; admins publish,
supervisors read, agents neither."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from callcenter.app.features import api_routes, pages
from callcenter.domain.tickets import Role
from callcenter.http.api_auth import KEYS
from callcenter.http.api_flows import FLOW_EDITOR
from callcenter.http.api_routes import STORE
from callcenter.http.server import build_app
from callcenter.services.flow_registry import FlowRegistry
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_sessions
from callcenter.store.ticket_store import SqlTicketStore
from tests.integration.http.conftest import flow_editor


async def _health() -> dict[str, bool]:
    return {}


class Site:
    def __init__(
        self, client: TestClient, tokens: dict[Role, str], registry: FlowRegistry, d: Path
    ):
        self.client, self.tokens, self.registry, self.dir = client, tokens, registry, d

    def auth(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
async def site(db_engine: Engine, tmp_path: Path) -> AsyncIterator[Site]:
    sessions = make_sessions(db_engine)
    editor, registry, flows = flow_editor(sessions, tmp_path)
    keys = SqlApiKeys(sessions)
    tokens = {
        r: keys.create_token(f"t-{r.value}", r, "1001" if r is Role.AGENT else "")[1] for r in Role
    }
    store = SqlTicketStore(sessions, "RU", timedelta(hours=1))
    app = build_app(_health, {STORE: store, KEYS: keys, FLOW_EDITOR: editor}, api_routes(), pages())
    async with TestClient(TestServer(app)) as client:
        yield Site(client, tokens, registry, flows)


async def test_a_draft_is_checked_with_each_problem_at_its_line_and_column(site: Site) -> None:
    text = (site.dir / "main.yaml").read_text()
    broken = text.replace("queue: sales", "queue: nowhere", 1)
    line = broken.splitlines().index("    queue: nowhere") + 1
    resp = await site.client.post(
        "/api/v1/flows/check",
        json={"file": "main.yaml", "text": broken},
        headers=site.auth(Role.SUPERVISOR),
    )
    body = await resp.json()
    assert resp.status == 200
    [issue] = body["issues"]
    assert (issue["file"], issue["line"], issue["column"]) == ("main.yaml", line, 12)
    assert issue["code"] == "unknown-queue"
    ok = await site.client.post(
        "/api/v1/flows/check",
        json={"file": "main.yaml", "text": text},
        headers=site.auth(Role.SUPERVISOR),
    )
    graph = (await ok.json())["graph"]
    assert graph[0]["flow"] == "main"
    assert graph[0]["entry"] == "hours"
    assert {"from": "hours", "to": "choose_language", "label": "goto"} in graph[0]["edges"]


async def test_publish_is_checked_atomic_recorded_and_run_then_rolled_back(site: Site) -> None:
    path = site.dir / "main.yaml"
    before, version_before = path.read_text(), site.registry.current.version
    admin = site.auth(Role.ADMIN)
    refused = await site.client.post(
        "/api/v1/flows/main.yaml/versions", json={"text": "name: [oops"}, headers=admin
    )
    assert refused.status == 422
    error = (await refused.json())["error"]
    assert error["id"] == "invalid_flow"
    assert error["issues"][0]["code"] == "syntax"
    assert path.read_text() == before  # nothing written
    changed = before.replace("description: Demo main menu", "description: Main menu, winter hours")
    made = await site.client.post(
        "/api/v1/flows/main.yaml/versions", json={"text": changed, "note": "winter"}, headers=admin
    )
    assert made.status == 201, await made.text()
    new = await made.json()
    assert path.read_text() == changed
    assert site.registry.current.version != version_before  # new calls take it at once
    assert not list(site.dir.glob(".*publishing"))  # the temporary file is gone
    history = await (
        await site.client.get("/api/v1/flows/main.yaml/versions", headers=admin)
    ).json()
    first, latest = history["items"][-1], history["items"][0]
    assert (first["published_by"], latest["id"], latest["note"]) == ("file", new["id"], "winter")
    diff = await site.client.get(
        f"/api/v1/flows/main.yaml/diff?from={first['id']}&to={latest['id']}", headers=admin
    )
    lines = (await diff.json())["lines"]
    assert "-description: Demo main menu" in lines
    assert "+description: Main menu, winter hours" in lines
    back = await site.client.post(
        f"/api/v1/flows/main.yaml/versions/{first['id']}/rollback", headers=admin
    )
    assert back.status == 201
    assert path.read_text() == before
    assert site.registry.current.version == version_before
    assert (await back.json())["note"] == f"rollback to version {first['id']}"


async def test_the_simulator_runs_a_draft(site: Site) -> None:
    text = (site.dir / "main.yaml").read_text()
    resp = await site.client.post(
        "/api/v1/flows/simulate",
        json={
            "file": "main.yaml",
            "text": text,
            "flow": "main",
            "digits": ["1", "2"],
            "at": "2026-12-07T09:00:00+00:00",  # a Monday, open in Moscow
        },
        headers=site.auth(Role.SUPERVISOR),
    )
    lines = (await resp.json())["lines"]
    assert resp.status == 200
    assert "caller presses 1" in lines
    assert any(line.strip().startswith("outcome: queue") for line in lines)


async def test_who_may_do_what(site: Site) -> None:
    text = (site.dir / "main.yaml").read_text()
    lead = await site.client.post(
        "/api/v1/flows/main.yaml/versions", json={"text": text}, headers=site.auth(Role.SUPERVISOR)
    )
    assert lead.status == 403
    agent = await site.client.get("/api/v1/flows", headers=site.auth(Role.AGENT))
    assert agent.status == 403
    bad_name = await site.client.post(
        "/api/v1/flows/check",
        json={"file": "../etc.yaml", "text": text},
        headers=site.auth(Role.ADMIN),
    )
    assert bad_name.status == 422
