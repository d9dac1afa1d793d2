"""Canned answers over HTTP on a real SQLite/PostgreSQL store: supervisors write them, the
chat side (an integration token) and agents get the same list and fill one from a ticket —
its customer's name, the agent's — with the use counted; bad input named, conflicts 409."""

from __future__ import annotations

import dataclasses
from typing import Any

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"
HOURS = {
    "shortcut": "hours",
    "title": "Opening hours",
    "body": "Hello {customer.name}, ticket {ticket.number}: we call back by {promise.due}."
    " {agent.name}",
}


async def call(api: Api, method: str, path: str, role: Role, body: Any = None) -> tuple[int, Any]:
    resp = await api.client.request(method, V1 + path, json=body, headers=api.auth(role))
    return resp.status, await resp.json()


async def test_written_by_leads_found_and_filled_by_anyone_with_the_use_counted(api: Api) -> None:
    status, made = await call(api, "POST", "/answers", Role.SUPERVISOR, HOURS)
    assert status == 201, made
    assert (made["language"], made["team"], made["uses"]) == ("en", "", 0)
    ru = {**HOURS, "language": "ru", "body": "Здравствуйте, {customer.name}!"}
    assert (await call(api, "POST", "/answers", Role.ADMIN, ru))[0] == 201
    assert (await call(api, "POST", "/answers", Role.AGENT, HOURS))[0] == 403

    for role in (Role.INTEGRATION, Role.AGENT):  # the chat side sees what the desk sees
        status, found = await call(api, "GET", "/answers?q=/hou&language=ru", role)
        assert status == 200, found
        assert [a["body"] for a in found["items"]] == ["Здравствуйте, {customer.name}!"]

    _, anna = await call(
        api, "POST", "/customers", Role.ADMIN, {"name": "Anna", "phones": ["+79123456789"]}
    )
    _, ticket = await call(
        api, "POST", "/tickets", Role.ADMIN, {"subject": "Late", "customer_id": anna["id"]}
    )
    status, filled = await call(
        api, "POST", f"/answers/{made['id']}/fill", Role.AGENT, {"ticket_number": ticket["number"]}
    )
    assert status == 200, filled
    assert filled["text"] == (
        f"Hello Anna, ticket {ticket['number']}: we call back by . test-agent"
    )
    assert filled["missing"] == ["promise.due"]  # no open promise on this ticket: named
    assert filled["answer"]["uses"] == 1
    _, found = await call(api, "GET", "/answers?q=opening&language=en", Role.INTEGRATION)
    assert [a["uses"] for a in found["items"]] == [1]


async def test_bad_input_is_named_and_conflicts_refused(api: Api) -> None:
    bad = {**HOURS, "body": "Dear {customer.nme}"}
    status, error = await call(api, "POST", "/answers", Role.SUPERVISOR, bad)
    assert (status, error["error"]["field"]) == (422, "body")
    assert "{customer.nme}" in error["error"]["message"]
    status, error = await call(
        api, "POST", "/answers", Role.SUPERVISOR, {**HOURS, "shortcut": "A B"}
    )
    assert (status, error["error"]["field"]) == (422, "shortcut")
    _, made = await call(api, "POST", "/answers", Role.SUPERVISOR, HOURS)
    status, error = await call(api, "POST", "/answers", Role.SUPERVISOR, HOURS)
    assert (status, error["error"]["field"]) == (409, "shortcut")
    status, _ = await call(api, "POST", "/answers", Role.SUPERVISOR, {**HOURS, "team": "billing"})
    assert status == 201  # the same shortcut for one team is another answer
    status, changed = await call(
        api, "PUT", f"/answers/{made['id']}", Role.SUPERVISOR, {**HOURS, "title": "Hours"}
    )
    assert (status, changed["title"]) == (200, "Hours")
    assert (await call(api, "POST", "/answers/999/fill", Role.AGENT, {}))[0] == 404
    status, error = await call(
        api, "POST", f"/answers/{made['id']}/fill", Role.AGENT, {"ticket_number": 99999}
    )
    assert status == 404, error
    assert (await call(api, "DELETE", f"/answers/{made['id']}", Role.SUPERVISOR))[0] == 200
    assert (await call(api, "DELETE", f"/answers/{made['id']}", Role.SUPERVISOR))[0] == 404


async def test_an_agents_list_is_their_teams_own_first_then_everyones(api: Api) -> None:
    agent = next(a for a in await api.store.list_agents() if a.extension == "1001")
    await api.store.save_agent(dataclasses.replace(agent, team="billing"))
    for team in ("", "billing", "sales"):
        body = {**HOURS, "team": team, "title": f"Hours for {team or 'all'}"}
        assert (await call(api, "POST", "/answers", Role.SUPERVISOR, body))[0] == 201
    _, mine = await call(api, "GET", "/answers?q=/hours", Role.AGENT)  # the token of 1001
    assert [a["team"] for a in mine["items"]] == ["billing", ""]
    _, theirs = await call(api, "GET", "/answers?q=/hours&team=sales", Role.AGENT)
    assert [a["team"] for a in theirs["items"]] == ["sales", ""]
    _, chat = await call(api, "GET", "/answers?q=/hours", Role.INTEGRATION)  # no team: all
    assert len(chat["items"]) == 3
