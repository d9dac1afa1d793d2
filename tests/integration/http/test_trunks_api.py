"""GET /api/v1/trunks: supervisors and admins read the trunks' state and our numbers;
agents and integrations may not."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api


async def test_leads_read_the_trunks_and_numbers(api: Api) -> None:
    response = await api.client.get("/api/v1/trunks", headers=api.auth(Role.SUPERVISOR))
    assert response.status == 200
    body = await response.json()
    (carrier,) = body["trunks"]
    assert (carrier["name"], carrier["registers"], carrier["status"]) == (
        "carrier",
        True,
        "unknown",
    )
    assert carrier["up"] is False  # not heard of yet: /healthz says degraded
    assert body["numbers"] == [
        {"number": "7000", "flow": "main", "name": "dialplan.virtual_number"}
    ]
    assert (body["refused"], body["refused_total"]) == ([], 0)


async def test_agents_may_not(api: Api) -> None:
    for role in (Role.AGENT, Role.INTEGRATION):
        response = await api.client.get("/api/v1/trunks", headers=api.auth(role))
        assert response.status == 403
