"""The REST API end to end over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest

from callcenter.domain.tickets import Role
from callcenter.http.api_errors import MAX_BODY
from callcenter.http.api_flows_schemas import FLOW_TEXT
from tests.integration.http.conftest import Api

V1 = "/api/v1"
ANNA = {"name": "Anna", "phones": ["+7 (912) 345-67-89"], "emails": ["Anna@Example.org"]}


async def _post(api: Api, path: str, body: Any, role: Role = Role.ADMIN, **headers: str) -> Any:
    resp = await api.client.post(V1 + path, json=body, headers={**api.auth(role), **headers})
    return resp.status, await resp.json()


async def _get(api: Api, path: str, role: Role = Role.ADMIN) -> Any:
    resp = await api.client.get(V1 + path, headers=api.auth(role))
    return resp.status, await resp.json()


async def test_customer_create_get_search_and_lookup(api: Api) -> None:
    status, anna = await _post(api, "/customers", ANNA)
    assert status == 201
    assert anna["contacts"] == [
        {"kind": "phone", "value": "+79123456789"},
        {"kind": "email", "value": "anna@example.org"},
    ]
    assert (await _get(api, f"/customers/{anna['id']}"))[1] == anna
    status, found = await _get(api, "/customers?q=ann")
    assert status == 200
    assert [c["id"] for c in found["items"]] == [anna["id"]]
    for typed in ("89123456789", "%2B79123456789", "%2B7%20(912)%20345-67-89"):
        status, history = await _get(api, f"/customers/lookup?phone={typed}")
        assert status == 200, typed
        assert history["customer"]["id"] == anna["id"], typed
    status, history = await _get(api, "/customers/lookup?email=anna@EXAMPLE.org")
    assert history["customer"]["id"] == anna["id"]


async def test_lookup_of_an_unknown_caller_answers_with_the_number(api: Api) -> None:
    status, history = await _get(api, "/customers/lookup?phone=89990001122")
    assert status == 200
    assert history == {
        "phone": "+79990001122",
        "customer": None,
        "open_tickets": [],
        "recent": [],
        "ambiguous": False,
        "candidates": [],
        "handoff_notes": [],
    }


async def test_caller_history_has_open_tickets_and_recent_interactions(api: Api) -> None:
    _, anna = await _post(api, "/customers", ANNA)
    _, ticket = await _post(api, "/tickets", {"subject": "Late order", "customer_id": anna["id"]})
    msg = {
        "kind": "chat_message",
        "body": "where is my order?",
        "source": "chat",
        "source_id": "m1",
    }
    await _post(api, f"/tickets/{ticket['number']}/interactions", msg, Role.INTEGRATION)
    _, history = await _get(api, "/customers/lookup?phone=89123456789", Role.AGENT)
    assert [t["number"] for t in history["open_tickets"]] == [ticket["number"]]
    assert [i["body"] for i in history["recent"]] == ["where is my order?"]


async def test_merge(api: Api) -> None:
    _, a = await _post(api, "/customers", ANNA)
    _, b = await _post(api, "/customers", {"name": "anna chat", "chat_handles": ["Telegram:@anna"]})
    status, merged = await _post(api, f"/customers/{a['id']}/merge", {"from": b["id"]})
    assert status == 200
    assert {"kind": "chat", "value": "telegram:@anna"} in merged["contacts"]
    assert (await _get(api, f"/customers/{b['id']}"))[1]["merged_into"] == a["id"]


async def test_ticket_create_list_get_update(api: Api) -> None:
    _, anna = await _post(api, "/customers", ANNA)
    body = {"subject": "Refund", "customer_id": anna["id"], "tags": ["billing"], "queue": "sales"}
    status, t = await _post(api, "/tickets", body)
    assert status == 201
    assert t["status"] == "new"
    assert t["tags"] == ["billing"]
    n = t["number"]
    resp = await api.client.patch(
        f"{V1}/tickets/{n}",
        json={
            "status": "pending",
            "assignee": "1001",
            "priority": "high",
            "tags": ["billing", "vip"],
        },
        headers=api.auth(Role.AGENT),
    )
    updated = await resp.json()
    assert resp.status == 200
    assert (updated["status"], updated["assignee"], updated["priority"]) == (
        "pending",
        "1001",
        "high",
    )
    status, page = await _get(api, "/tickets?status=pending,open&assignee=1001&tag=vip")
    assert [x["number"] for x in page["items"]] == [n]
    status, view = await _get(api, f"/tickets/{n}")
    assert view["ticket"]["tags"] == ["billing", "vip"]
    assert view["timeline"] == []


async def test_interactions_and_handoff_notes(api: Api) -> None:
    _, t = await _post(api, "/tickets", {"subject": "Shift change"})
    n = t["number"]
    msg = {"kind": "chat_message", "body": "hi", "source": "chat", "source_id": "c1/m1"}
    assert (await _post(api, f"/tickets/{n}/interactions", msg, Role.INTEGRATION))[0] == 201
    # The chat side re-sends the same message: it is already there.
    assert (await _post(api, f"/tickets/{n}/interactions", msg, Role.INTEGRATION))[0] == 200
    note = {"body": "customer waits for the courier's call", "author": "olga"}
    status, created = await _post(api, f"/tickets/{n}/handoff-notes", note, Role.AGENT)
    assert status == 201
    assert created["kind"] == "handoff_note"
    status, handoffs = await _get(api, "/handoffs", Role.SUPERVISOR)
    assert [(h["ticket"]["number"], h["note"]["body"]) for h in handoffs["items"]] == [
        (n, "customer waits for the courier's call")
    ]
    _, view = await _get(api, f"/tickets/{n}")
    assert [i["kind"] for i in view["timeline"]] == ["chat_message", "handoff_note"]


async def test_every_list_is_paginated(api: Api) -> None:
    for n in range(3):
        await _post(api, "/tickets", {"subject": f"t{n}"})
        await _post(api, "/customers", {"name": f"c{n}"})
    for path in ("/tickets", "/customers", "/handoffs"):
        _, first = await _get(api, f"{path}?limit=2")
        _, rest = await _get(api, f"{path}?limit=2&cursor={first['next_cursor']}")
        assert len(first["items"]) == 2
        assert len(rest["items"]) == 1
        assert rest["next_cursor"] is None
    status, err = await _get(api, "/tickets?limit=500")
    assert status == 422
    assert err["error"]["field"] == "limit"
    status, err = await _get(api, "/tickets?cursor=bogus")
    assert status == 422
    assert err["error"]["field"] == "cursor"


# -- auth --------------------------------------------------------------------------------


async def test_no_token_or_a_bad_token_is_401(api: Api) -> None:
    resp = await api.client.get(f"{V1}/tickets")
    assert resp.status == 401
    assert (await resp.json())["error"]["id"] == "unauthorized"
    resp = await api.client.get(f"{V1}/tickets", headers={"Authorization": "Bearer cc_nope"})
    assert resp.status == 401


FORBIDDEN = [
    (Role.AGENT, "POST", "/customers/{c}/merge", {"from": 1}),
    (Role.INTEGRATION, "POST", "/customers/{c}/merge", {"from": 1}),
    (Role.INTEGRATION, "PATCH", "/tickets/{t}", {"status": "open"}),
    (Role.INTEGRATION, "POST", "/tickets/{t}/handoff-notes", {"body": "x", "author": "y"}),
    (Role.INTEGRATION, "GET", "/handoffs", None),
]


@pytest.mark.parametrize(("role", "method", "path", "body"), FORBIDDEN)
async def test_roles_without_the_permission_get_403(
    api: Api, role: Role, method: str, path: str, body: Any
) -> None:
    _, c = await _post(api, "/customers", {"name": "c"})
    _, t = await _post(api, "/tickets", {"subject": "t"})
    url = V1 + path.format(c=c["id"], t=t["number"])
    resp = await api.client.request(method, url, json=body, headers=api.auth(role))
    err = await resp.json()
    assert resp.status == 403
    assert err["error"]["id"] == "forbidden"
    assert role.value in err["error"]["message"]


async def test_a_revoked_token_is_refused(api: Api) -> None:
    from callcenter.store.api_keys import SqlApiKeys, token_hash

    keys = SqlApiKeys(api.store._sessions)
    ids = {name: i for i, name, *_ in keys.list_tokens()}
    keys.revoke_token(ids["test-agent"])
    assert token_hash(api.tokens[Role.AGENT])
    assert (await _get(api, "/tickets", Role.AGENT))[0] == 401


# -- idempotency -------------------------------------------------------------------------


async def test_a_retried_post_creates_nothing_twice(api: Api) -> None:
    status, first = await _post(api, "/customers", ANNA, **{"Idempotency-Key": "k-1"})
    resp = await api.client.post(
        f"{V1}/customers", json=ANNA, headers={**api.auth(Role.ADMIN), "Idempotency-Key": "k-1"}
    )
    assert status == 201
    assert resp.status == 201
    assert await resp.json() == first
    assert resp.headers["Idempotent-Replayed"] == "true"
    _, found = await _get(api, "/customers?q=anna")
    assert len(found["items"]) == 1
    status, err = await _post(api, "/customers", {"name": "Other"}, **{"Idempotency-Key": "k-1"})
    assert status == 422
    assert err["error"]["id"] == "idempotency_key_reused"


# -- bad input ---------------------------------------------------------------------------


async def test_malformed_json_is_400(api: Api) -> None:
    resp = await api.client.post(
        f"{V1}/customers", data=b"{name: oops", headers=api.auth(Role.ADMIN)
    )
    err = await resp.json()
    assert resp.status == 400
    assert err["error"]["id"] == "bad_json"


@pytest.mark.parametrize(
    ("body", "error_id", "field"),
    [
        ({"name": "A", "vip": True}, "unknown_field", "vip"),
        ({"name": "A" * 201}, "invalid_field", "name"),
        ({"phones": ["+79123456789"]}, "missing_field", "name"),
        ({"name": "A", "phones": ["+79123456789", "12"]}, "invalid_field", "phones[1]"),
        ({"name": "A", "emails": ["not-an-email"]}, "invalid_field", "emails[0]"),
        ({"name": "A", "phones": [42]}, "invalid_field", "phones[0]"),
        (["not", "an", "object"], "invalid_body", None),
    ],
)
async def test_bad_customer_input_is_422_naming_the_field(
    api: Api, body: Any, error_id: str, field: str | None
) -> None:
    status, err = await _post(api, "/customers", body)
    assert status == 422
    assert err["error"]["id"] == error_id
    assert err["error"].get("field") == field


async def test_a_body_over_the_limit_is_413(api: Api) -> None:
    big = io.BytesIO(b'{"name": "' + b"x" * MAX_BODY + b'"}')
    resp = await api.client.post(
        f"{V1}/customers",
        data=big,
        headers={**api.auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert resp.status == 413
    assert (await resp.json())["error"]["id"] == "body_too_large"


async def test_the_longest_text_a_schema_allows_fits_the_limit_escaped(api: Api) -> None:
    """A flow's text at its maxLength, every character an escaped surrogate pair (12 bytes
    of JSON): read and judged on its content (the checker's issue), never 413."""
    text = "\\ud83d\\ude00" * FLOW_TEXT["maxLength"]
    body = ('{"file": "big.yaml", "text": "' + text + '"}').encode()
    resp = await api.client.post(
        f"{V1}/flows/check",
        data=io.BytesIO(body),
        headers={**api.auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    assert resp.status == 200, await resp.text()
    assert [i["code"] for i in (await resp.json())["issues"]] == ["unsafe-yaml"]


async def test_unknown_ticket_is_404_and_bad_status_is_422(api: Api) -> None:
    status, err = await _get(api, "/tickets/999999")
    assert status == 404
    assert err["error"]["id"] == "not_found"
    _, t = await _post(api, "/tickets", {"subject": "t"})
    resp = await api.client.patch(
        f"{V1}/tickets/{t['number']}", json={"status": "lost"}, headers=api.auth(Role.ADMIN)
    )
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == "status"
    resp = await api.client.patch(
        f"{V1}/tickets/{t['number']}", json={"assignee": "9999"}, headers=api.auth(Role.ADMIN)
    )
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == "assignee"
    status, err = await _post(api, "/tickets", {"subject": "t", "due_at": "tomorrow"})
    assert status == 422
    assert err["error"]["field"] == "due_at"
    status, err = await _get(api, "/customers/lookup?phone=12")
    assert status == 422
    assert err["error"]["field"] == "phone"


@pytest.mark.parametrize(
    "path",
    [
        "/customers?limit=%C2%B2",  # "²": str.isdigit() says yes, int() says no
        "/tickets?customer_id=%D9%A3",  # "٣", an Arabic-Indic three
        "/tickets?limit=99999999999999999999999",
    ],
)
async def test_non_ascii_digits_and_huge_numbers_in_queries_are_422(api: Api, path: str) -> None:
    status, body = await _get(api, path)
    assert status == 422, body
    assert body["error"]["field"] in ("limit", "customer_id")


@pytest.mark.parametrize(
    "path", ["/customers/%C2%B2", "/tickets/99999999999999999999", "/tickets/%D9%A3%D9%A3"]
)
async def test_odd_ids_in_paths_are_404(api: Api, path: str) -> None:
    status, body = await _get(api, path)
    assert status == 404, body
    assert body["error"]["id"] == "not_found"


async def test_ids_beyond_64_bits_in_bodies_name_the_field(api: Api) -> None:
    status, body = await _post(api, "/tickets", {"subject": "x", "customer_id": 2**64})
    assert status == 422, body
    assert body["error"]["field"] == "customer_id"
    status, body = await _post(api, "/customers/1/merge", {"from": -(2**70)})
    assert status == 422, body


async def test_a_lone_surrogate_is_refused_naming_the_field(api: Api) -> None:
    raw = b'{"name": "Anna \\ud800", "phones": ["+79123456789"]}'
    resp = await api.client.post(
        V1 + "/customers",
        data=raw,
        headers={**api.auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    body = await resp.json()
    assert resp.status == 422, body
    assert body["error"]["field"] == "name"
    assert "lone surrogate" in body["error"]["message"]


@pytest.mark.parametrize("depth", [40, 5000, 200_000])
async def test_json_nested_deeply_is_400(api: Api, depth: int) -> None:
    raw = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    resp = await api.client.post(
        V1 + "/customers",
        data=raw,
        headers={**api.auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    body = await resp.json()
    assert resp.status == 400, body
    assert "nests deeper than 32" in body["error"]["message"]


@pytest.mark.parametrize(
    ("raw", "status", "says"),
    [
        (b'{"subject": "x", "queue": "a\\u0000b"}', 422, "queue: holds a NUL character"),
        (b'{"subject": "x", "customer_id": 1e400}', 400, "out of range"),
        (b'{"subject": "x", "customer_id": NaN}', 400, "NaN is not a JSON number"),
    ],
)
async def test_nul_and_numbers_no_column_holds_are_refused(
    api: Api, raw: bytes, status: int, says: str
) -> None:
    resp = await api.client.post(
        V1 + "/tickets",
        data=raw,
        headers={**api.auth(Role.ADMIN), "Content-Type": "application/json"},
    )
    body = await resp.json()
    assert resp.status == status, body
    assert says in body["error"]["message"]


async def test_an_integral_float_is_the_integer(api: Api) -> None:
    _, anna = await _post(api, "/customers", ANNA)
    status, ticket = await _post(api, "/tickets", {"subject": "x", "customer_id": anna["id"] * 1.0})
    assert status == 201, ticket
    assert ticket["customer_id"] == anna["id"]
