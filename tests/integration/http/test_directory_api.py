"""The directory over HTTP (SQLite and PostgreSQL): the queues as configured and the agents
with their state for leads, the staff accounts for admins — disabling one ends its
sessions at once."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api
from tests.support.staff import link_token


async def test_leads_read_the_queues_and_the_agents(api: Api) -> None:
    queues = await api.client.get("/api/v1/queues", headers=api.auth(Role.SUPERVISOR))
    assert queues.status == 200
    [support] = (await queues.json())["items"]
    assert support["name"] == "support"
    assert support["skills"] == {}
    agents = await api.client.get("/api/v1/agents", headers=api.auth(Role.SUPERVISOR))
    items = {a["extension"]: a for a in (await agents.json())["items"]}
    assert items["1001"]["logged_in"] is True
    assert items["1001"]["state"] in ("available", "unavailable")
    refused = await api.client.get("/api/v1/agents", headers=api.auth(Role.AGENT))
    assert refused.status == 403


async def test_an_admin_disables_a_staff_account_and_its_session_ends(api: Api) -> None:
    token = link_token(api.sessions, Role.SUPERVISOR)
    signed = await api.client.get(f"/signin/link/{token}")
    assert signed.status == 200  # the supervisor's board, with a session cookie
    staff = await api.client.get("/api/v1/staff", headers=api.auth(Role.ADMIN))
    users = (await staff.json())["items"]
    lead = next(u for u in users if u["role"] == "supervisor")
    assert lead["disabled"] is False
    assert (await api.client.get("/api/v1/staff", headers=api.auth(Role.SUPERVISOR))).status == 403
    off = await api.client.post(
        f"/api/v1/staff/{lead['username']}/disable", headers=api.auth(Role.ADMIN)
    )
    assert off.status == 200
    assert (await off.json())["disabled"] is True
    board = await api.client.get("/supervisor", allow_redirects=False)
    assert board.status == 303  # the session ended: back to sign in
    on = await api.client.post(
        f"/api/v1/staff/{lead['username']}/enable", headers=api.auth(Role.ADMIN)
    )
    assert (await on.json())["disabled"] is False
    unknown = await api.client.post("/api/v1/staff/nobody/disable", headers=api.auth(Role.ADMIN))
    assert unknown.status == 404
