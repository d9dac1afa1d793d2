"""GET /api/v1/admission: supervisors and admins read the load taken and the door;
agents and integrations may not."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api


async def test_leads_read_the_ceilings_the_door_and_the_counts(api: Api) -> None:
    response = await api.client.get("/api/v1/admission", headers=api.auth(Role.SUPERVISOR))
    assert response.status == 200
    body = await response.json()
    assert (body["open"], body["why"], body["closed_since"]) == (True, "", None)
    assert body["counts"] == {"admitted": 1, "refused": 2, "callback": 0}
    assert body["by_reason"] == {"calls": 2}
    assert body["limits"]["max_calls"] == 30
    assert body["limits"]["mode"] == "refuse"
    assert body["limits"]["callback_queue"] == "support"
    assert body["signals"] == {"loop_lag": 0.0, "asterisk_cpu": None, "entry_lag": 0.0}


async def test_agents_may_not(api: Api) -> None:
    for role in (Role.AGENT, Role.INTEGRATION):
        response = await api.client.get("/api/v1/admission", headers=api.auth(role))
        assert response.status == 403
