"""The desk between calls and the shift handoff over HTTP (app_queue faked behind our
port; the real one, a browser and a SIPp call in tests/integration/test_shift_handoff.py),
on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from callcenter.domain.tickets import Agent, NewTicket, Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"


async def _night_team(api: Api) -> tuple[int, int]:
    """1001 and 1002 in the night team (which must read); two open tickets of 1001's."""
    for ext in ("1001", "1002"):
        await api.store.save_agent(Agent(0, f"Agent {ext}", ext, (), "night"))
    a = await api.store.create_ticket(NewTicket("Parcel <img src=x>", assignee="1001"))
    b = await api.store.create_ticket(NewTicket("Refund", assignee="1001"))
    return a.number, b.number


async def _json(resp: Any, status: int = 200) -> Any:
    assert resp.status == status, await resp.text()
    return await resp.json()


async def test_logout_asks_for_notes_and_login_holds_until_the_team_has_read(api: Api) -> None:
    first, second = await _night_team(api)
    agent = api.auth(Role.AGENT)  # 1001's token
    lead = api.auth(Role.SUPERVISOR)
    desk = await _json(await api.client.get(f"{V1}/agents/1001/workspace", headers=agent))
    assert sorted(d["ticket"]["number"] for d in desk["mine"]) == [first, second]
    assert desk["must_read"] is True
    assert desk["held"] is False

    out = await _json(await api.client.post(f"{V1}/agents/1001/logout", headers=agent))
    assert sorted(out["to_note"]) == [first, second]
    note = {"body": "courier calls her back at 18:00", "author": "1001"}
    await _json(
        await api.client.post(f"{V1}/tickets/{first}/handoff-notes", json=note, headers=agent),
        201,
    )
    desk = await _json(await api.client.get(f"{V1}/agents/1001/workspace", headers=agent))
    assert [h["ticket"]["number"] for h in desk["to_note"]] == [second]
    flagged = await _json(await api.client.get(f"{V1}/handoffs/flagged", headers=lead))
    assert [h["ticket"]["number"] for h in flagged["items"]] == [second]

    # 1002 comes on shift (a supervisor's token acts for them): held, paused in app_queue.
    login = await _json(await api.client.post(f"{V1}/agents/1002/login", headers=lead))
    assert login["held"] == "handoff-reading"
    board = await _json(await api.client.get(f"{V1}/queues/live", headers=lead))
    (support,) = board["queues"]
    states = {a["agent"]: (a["state"], a["pause_reason"]) for a in support["agents"]}
    assert states["1002"] == ("paused", "handoff-reading")
    refused = await api.client.post(f"{V1}/agents/1002/unpause", headers=lead)
    assert refused.status == 409
    assert "2 left to read" in (await refused.json())["error"]["message"]

    desk = await _json(await api.client.get(f"{V1}/agents/1002/workspace", headers=lead))
    assert desk["held"] is True
    to_read = {h["ticket"]["number"]: h for h in desk["to_read"]}
    assert to_read[first]["note"]["body"] == note["body"]
    assert to_read[second]["flagged"] is True
    assert to_read[second]["note"] is None
    assert to_read[first]["ticket"]["subject"] == "Parcel <img src=x>"  # as typed, JSON

    read = f"{V1}/agents/1002/handoffs/read"
    one = await _json(
        await api.client.post(read, json={"ids": [to_read[first]["id"]]}, headers=lead)
    )
    assert (one["remaining"], one["released"]) == (1, False)
    bad = await api.client.post(read, json={"ids": [to_read[first]["id"]]}, headers=lead)
    assert bad.status == 422
    assert (await bad.json())["error"]["field"] == "ids"
    rest = await _json(await api.client.post(read, json={"all": True}, headers=lead))
    assert (rest["remaining"], rest["released"]) == (0, True)
    board = await _json(await api.client.get(f"{V1}/queues/live", headers=lead))
    states = {a["agent"]: a["state"] for a in board["queues"][0]["agents"]}
    assert states["1002"] == "available"

    teams = await _json(await api.client.get(f"{V1}/handoffs/teams", headers=lead))
    (night,) = teams["teams"]
    assert (night["crossing"], night["noted"], night["flagged"]) == (2, 1, 1)
    assert night["acknowledged"] == 2
    assert night["ack_median_seconds"] is not None


async def test_an_agent_sees_only_their_own_desk_and_not_the_team_figures(api: Api) -> None:
    agent = api.auth(Role.AGENT)
    other = await api.client.get(f"{V1}/agents/1002/workspace", headers=agent)
    assert other.status == 403
    assert (await api.client.get(f"{V1}/handoffs/teams", headers=agent)).status == 403
    chat = api.auth(Role.INTEGRATION)
    assert (await api.client.get(f"{V1}/agents/1001/workspace", headers=chat)).status == 403
    # Acknowledgements are made by reading, never posted as a timeline entry.
    t = await api.store.create_ticket(NewTicket("x"))
    forged = {"kind": "handoff_read", "direction": "internal", "body": "read"}
    resp = await api.client.post(f"{V1}/tickets/{t.number}/interactions", json=forged, headers=chat)
    assert resp.status == 422


async def test_reading_off_shift_is_409(api: Api) -> None:
    await _night_team(api)
    await api.client.post(f"{V1}/agents/1001/logout", headers=api.auth(Role.AGENT))
    resp = await api.client.post(
        f"{V1}/agents/1001/handoffs/read", json={"all": True}, headers=api.auth(Role.AGENT)
    )
    assert resp.status == 409
    assert "not on shift" in (await resp.json())["error"]["message"]
