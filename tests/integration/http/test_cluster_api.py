"""The cluster's API and the dial gate over HTTP (the daemon's node joined; its callbacks
on a real store), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import GATE_KEY, Api

V1 = "/api/v1"


async def _json(resp: Any, status: int = 200) -> Any:
    assert resp.status == status, await resp.text()
    return await resp.json()


async def _ask(api: Api, number: str) -> int:
    body = {"queue": "support", "number": number}
    made = await _json(
        await api.client.post(f"{V1}/callbacks", json=body, headers=api.auth(Role.ADMIN)), 201
    )
    return int(made["id"])


async def test_the_nodes_show_their_lease_and_the_callbacks_they_hold(api: Api) -> None:
    await _ask(api, "+79161234567")
    view = await _json(
        await api.client.get(f"{V1}/cluster/nodes", headers=api.auth(Role.SUPERVISOR))
    )
    assert (view["me"], view["state"], view["epoch"]) == ("main", "active", 1)
    (node,) = view["nodes"]
    assert node["live"] is True
    assert node["queues"] == []
    # Made by a store outside the cluster's claims (this test app's): held by no node.
    assert (node["waiting"], view["unowned_waiting"]) == (0, 1)
    refused = await api.client.get(f"{V1}/cluster/nodes", headers=api.auth(Role.AGENT))
    assert refused.status == 403


async def test_the_gate_says_dial_once_and_only_with_the_key(api: Api) -> None:
    callback = await _ask(api, "+79161234568")
    url = f"/internal/callbacks/{callback}/1/take"
    form = {"node": "main"}
    no_key = await api.client.post(url, data=form)
    assert (no_key.status, await no_key.text()) == (403, "no")
    wrong_node = await api.client.post(url, data={"node": "b"}, headers={"X-CC-Gate": GATE_KEY})
    assert await wrong_node.text() == "no"
    first = await api.client.post(url, data=form, headers={"X-CC-Gate": GATE_KEY})
    assert (first.status, await first.text()) == (200, "dial")
    again = await api.client.post(url, data=form, headers={"X-CC-Gate": GATE_KEY})
    assert await again.text() == "no"  # one attempt dials once
    shown = await _json(
        await api.client.get(f"{V1}/callbacks/{callback}", headers=api.auth(Role.ADMIN))
    )
    assert shown["state"] == "dialing"
    bad = await api.client.post("/internal/callbacks/x/1/take", headers={"X-CC-Gate": GATE_KEY})
    assert bad.status == 404


async def test_a_cancelled_callback_dials_nobody(api: Api) -> None:
    callback = await _ask(api, "+79161234569")
    await _json(await api.client.delete(f"{V1}/callbacks/{callback}", headers=api.auth(Role.ADMIN)))
    gate = await api.client.post(
        f"/internal/callbacks/{callback}/1/take",
        data={"node": "main"},
        headers={"X-CC-Gate": GATE_KEY},
    )
    assert await gate.text() == "no"
