"""Topics over HTTP on a real SQLite/PostgreSQL store: tags put on tickets (at creation and
later, by staff and by the chat side) are counted per day, a burst of one tag in the last
hour is a spike, and the tickets behind it are listed; agents may not read them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"


async def call(api: Api, method: str, path: str, role: Role, body: Any = None) -> tuple[int, Any]:
    resp = await api.client.request(method, V1 + path, json=body, headers=api.auth(role))
    return resp.status, await resp.json()


async def test_tags_are_counted_a_burst_spikes_and_its_tickets_are_listed(api: Api) -> None:
    numbers = []
    for n in range(6):
        body = {"subject": f"no internet {n}", "tags": ["outage"]}
        status, ticket = await call(api, "POST", "/tickets", Role.INTEGRATION, body)
        assert status == 201, ticket
        numbers.append(ticket["number"])
    # A tag added later counts once, when it is added; one already there does not again.
    await call(api, "PATCH", f"/tickets/{numbers[0]}", Role.AGENT, {"tags": ["outage", "router"]})
    await call(api, "PATCH", f"/tickets/{numbers[0]}", Role.AGENT, {"tags": ["outage", "router"]})

    status, trend = await call(api, "GET", "/topics/trend?interval=day", Role.SUPERVISOR)
    assert status == 200, trend
    assert (sum(trend["tags"]["outage"]), sum(trend["tags"]["router"])) == (6, 1)
    _, chat = await call(api, "GET", "/topics/trend?channel=api", Role.SUPERVISOR)
    assert sum(chat["tags"]["outage"]) == 6  # tickets made over the API: channel api

    _, spikes = await call(api, "GET", "/topics/spikes", Role.SUPERVISOR)
    assert [(s["tag"], s["count"]) for s in spikes["items"]] == [("outage", 6)]
    assert spikes["items"][0]["threshold"] == 5  # never seen before: 5 make a spike
    _, behind = await call(api, "GET", "/topics/tickets?tag=outage", Role.SUPERVISOR)
    assert sorted(t["number"] for t in behind["items"]) == sorted(numbers)
    assert (await call(api, "GET", "/topics/spikes", Role.AGENT))[0] == 403
    status, error = await call(api, "GET", "/topics/trend?since=2026-01-01T00:00:00Z", Role.ADMIN)
    assert (status, error["error"]["field"]) == (422, "since")


async def test_a_managed_list_merges_synonyms_and_retires_tags(api: Api) -> None:
    assert (await call(api, "PUT", "/topics/tags", Role.AGENT, {"name": "parcel"}))[0] == 403
    _, old = await call(api, "POST", "/tickets", Role.ADMIN, {"subject": "fax", "tags": ["fax"]})
    for body in (
        {"name": "delivery", "category": "Orders", "colour": "#336699"},
        {"name": "Parcel", "merged_into": "delivery"},
        {"name": "fax", "retired": True},
    ):
        status, saved = await call(api, "PUT", "/topics/tags", Role.SUPERVISOR, body)
        assert status == 200, saved
    _, ticket = await call(
        api, "POST", "/tickets", Role.INTEGRATION, {"subject": "s", "tags": ["parcel"]}
    )
    assert ticket["tags"] == ["delivery"]  # the synonym puts the tag it means
    status, error = await call(
        api, "POST", "/tickets", Role.ADMIN, {"subject": "s", "tags": ["fax"]}
    )
    assert (status, error["error"]["field"]) == (422, "tags")
    assert "retired" in error["error"]["message"]
    status, kept = await call(
        api, "PATCH", f"/tickets/{old['number']}", Role.AGENT, {"tags": ["fax", "urgent"]}
    )
    assert (status, kept["tags"]) == (200, ["fax", "urgent"])  # what it had stays

    _, tags = await call(api, "GET", "/topics/tags", Role.SUPERVISOR)
    by_name = {t["name"]: t for t in tags["items"]}
    assert (by_name["delivery"]["uses"], by_name["delivery"]["colour"]) == (1, "#336699")
    assert (by_name["parcel"]["merged_into"], by_name["fax"]["retired"]) == ("delivery", True)
    for bad, field in (
        ({"name": "x", "colour": "blue"}, "colour"),
        ({"name": "box", "merged_into": "parcel"}, "merged_into"),  # parcel is itself merged
        ({"name": "delivery", "merged_into": "shipping"}, "merged_into"),  # parcel points here
        ({"name": "a b"}, "name"),
    ):
        status, error = await call(api, "PUT", "/topics/tags", Role.SUPERVISOR, bad)
        assert (status, error["error"]["field"]) == (422, field), error


async def test_tags_named_by_a_calls_words_are_offered_for_wrap_up(api: Api) -> None:
    for body in ({"name": "delivery"}, {"name": "parcel", "merged_into": "delivery"},
                 {"name": "fax", "retired": True}, {"name": "order_status"}):  # fmt: skip
        assert (await call(api, "PUT", "/topics/tags", Role.SUPERVISOR, body))[0] == 200
    said = "my parcel never came, what is the status of the order? I sent a fax"
    status, offered = await call(
        api, "GET", "/topics/suggest?" + urlencode({"q": said}), Role.AGENT
    )
    assert status == 200, offered
    assert [t["name"] for t in offered["items"]] == ["delivery", "order_status"]
