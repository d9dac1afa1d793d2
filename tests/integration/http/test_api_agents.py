"""Logging in and out, pausing agents and the live queue board over HTTP (app_queue faked
behind our port; the real one is driven in tests/integration/test_queue_agents.py)."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"


async def test_pause_with_a_listed_reason_shows_on_the_board(api: Api) -> None:
    resp = await api.client.post(
        f"{V1}/agents/1001/pause", json={"reason": "lunch"}, headers=api.auth(Role.AGENT)
    )
    assert resp.status == 200
    assert await resp.json() == {"agent": "1001", "paused": True, "reason": "lunch"}
    board = await (
        await api.client.get(f"{V1}/queues/live", headers=api.auth(Role.SUPERVISOR))
    ).json()
    (support,) = board["queues"]
    states = {a["agent"]: (a["state"], a["pause_reason"]) for a in support["agents"]}
    assert states == {"1001": ("paused", "lunch"), "1002": ("available", "")}
    assert support["longest_wait"] == 12.0
    assert support["today"]["offered"] == 0
    resp = await api.client.post(f"{V1}/agents/1001/unpause", headers=api.auth(Role.AGENT))
    assert (await resp.json())["paused"] is False


async def test_an_unlisted_reason_is_422_naming_it(api: Api) -> None:
    resp = await api.client.post(
        f"{V1}/agents/1001/pause", json={"reason": "nap"}, headers=api.auth(Role.AGENT)
    )
    err = (await resp.json())["error"]
    assert resp.status == 422
    assert err["field"] == "reason"
    assert "'nap' is not one of lunch, training" in err["message"]


async def test_agents_cannot_read_the_board(api: Api) -> None:
    resp = await api.client.get(f"{V1}/queues/live", headers=api.auth(Role.AGENT))
    assert resp.status == 403


async def test_an_agent_pauses_itself_not_others(api: Api) -> None:
    resp = await api.client.post(
        f"{V1}/agents/1002/pause", json={"reason": "lunch"}, headers=api.auth(Role.AGENT)
    )
    err = (await resp.json())["error"]
    assert resp.status == 403
    assert "belongs to agent 1001" in err["message"]


async def test_login_and_logout_follow_skills_and_show_on_the_board(api: Api) -> None:
    resp = await api.client.post(f"{V1}/agents/1001/logout", headers=api.auth(Role.AGENT))
    assert await resp.json() == {"agent": "1001", "logged_in": False, "queues": {}, "to_note": []}
    board = await (
        await api.client.get(f"{V1}/queues/live", headers=api.auth(Role.SUPERVISOR))
    ).json()
    agents = {a["agent"]: a for a in board["agents"]}
    assert (agents["1001"]["state"], agents["1001"]["logged_in"]) == ("logged_out", False)
    assert agents["1002"]["queues"] == {"support": 0}
    assert [a["agent"] for a in board["queues"][0]["agents"]] == ["1002"]
    resp = await api.client.post(f"{V1}/agents/1001/login", headers=api.auth(Role.AGENT))
    assert await resp.json() == {
        "agent": "1001",
        "logged_in": True,
        "queues": {"support": 0},
        "held": "",
    }
    resp = await api.client.post(f"{V1}/agents/1002/login", headers=api.auth(Role.AGENT))
    assert resp.status == 403


async def test_logging_in_an_unknown_agent_is_404(api: Api) -> None:
    resp = await api.client.post(f"{V1}/agents/1009/login", headers=api.auth(Role.SUPERVISOR))
    assert resp.status == 404
    assert (await resp.json())["error"]["message"] == "agent 1009: no such agent"


async def test_a_paused_agent_shows_how_long_on_the_board(api: Api) -> None:
    await api.client.post(
        f"{V1}/agents/1002/pause", json={"reason": "lunch"}, headers=api.auth(Role.SUPERVISOR)
    )
    board = await (
        await api.client.get(f"{V1}/queues/live", headers=api.auth(Role.SUPERVISOR))
    ).json()
    paused = next(a for a in board["agents"] if a["agent"] == "1002")
    assert (paused["state"], paused["pause_reason"]) == ("paused", "lunch")
    assert paused["paused_for"] > 0
