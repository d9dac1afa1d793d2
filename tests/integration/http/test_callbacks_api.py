"""The callbacks and promises API on a real SQLite/PostgreSQL store (Asterisk's queue and
placeholders are fakes behind their ports here; the real ones: test_callbacks.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api


async def test_request_merge_read_and_cancel(api: Api) -> None:
    body = {"queue": "support", "number": "8 916 555-01-02", "reason": "chat: card blocked"}
    created = await api.client.post(
        "/api/v1/callbacks", json=body, headers=api.auth(Role.INTEGRATION)
    )
    assert created.status == 201
    first = await created.json()
    assert first["number"] == "+79165550102"
    assert first["state"] == "waiting"
    assert first["promise"]["state"] == "open"
    again = await api.client.post("/api/v1/callbacks", json=body, headers=api.auth(Role.AGENT))
    assert again.status == 200
    merged = await again.json()
    assert merged["merged"]
    assert merged["id"] == first["id"]
    listed = await api.client.get(
        "/api/v1/callbacks?state=waiting", headers=api.auth(Role.SUPERVISOR)
    )
    assert [c["id"] for c in (await listed.json())["items"]] == [first["id"]]
    promises = await api.client.get("/api/v1/promises?state=open", headers=api.auth(Role.AGENT))
    assert [p["subject_id"] for p in (await promises.json())["items"]] == [first["id"]]
    summary = await (
        await api.client.get("/api/v1/promises/summary", headers=api.auth(Role.ADMIN))
    ).json()
    (day,) = summary["days"]
    assert (day["queue"], day["made"], day["open"]) == ("support", 1, 1)
    gone = await api.client.delete(
        f"/api/v1/callbacks/{first['id']}", headers=api.auth(Role.SUPERVISOR)
    )
    cancelled = await gone.json()
    assert cancelled["state"] == "cancelled"
    assert cancelled["promise"]["state"] == "cancelled"
    twice = await api.client.delete(
        f"/api/v1/callbacks/{first['id']}", headers=api.auth(Role.SUPERVISOR)
    )
    assert twice.status == 409


async def test_refusals_name_the_rule(api: Api) -> None:
    for number, rule in (("+78091234567", "premium_rate"), ("+12025550123", "in US")):
        resp = await api.client.post(
            "/api/v1/callbacks",
            json={"queue": "support", "number": number},
            headers=api.auth(Role.INTEGRATION),
        )
        assert resp.status == 422
        error = (await resp.json())["error"]
        assert rule in error["message"]
        assert error["field"] == "number"
    listed = await api.client.get("/api/v1/callbacks", headers=api.auth(Role.ADMIN))
    assert (await listed.json())["items"] == []


async def test_integrations_may_ask_but_not_read(api: Api) -> None:
    resp = await api.client.get("/api/v1/callbacks", headers=api.auth(Role.INTEGRATION))
    assert resp.status == 403
    missing = await api.client.get("/api/v1/callbacks/999", headers=api.auth(Role.ADMIN))
    assert missing.status == 404


async def test_webhooks_are_for_admins_and_show_the_secret_once(api: Api) -> None:
    body = {"url": "https://chat.example/hooks/callcenter", "events": ["promise.broken"]}
    for role in (Role.SUPERVISOR, Role.INTEGRATION):
        resp = await api.client.post("/api/v1/webhooks", json=body, headers=api.auth(role))
        assert resp.status == 403
    created = await api.client.post("/api/v1/webhooks", json=body, headers=api.auth(Role.ADMIN))
    assert created.status == 201
    sub = await created.json()
    assert len(sub["secret"]) >= 32
    listed = await (await api.client.get("/api/v1/webhooks", headers=api.auth(Role.ADMIN))).json()
    assert [s["id"] for s in listed["items"]] == [sub["id"]]
    assert "secret" not in listed["items"][0]
    bad = await api.client.post(
        "/api/v1/webhooks",
        json={"url": "https://u:p@chat.example/h", "events": ["promise.kept"]},
        headers=api.auth(Role.ADMIN),
    )
    assert bad.status == 422
    assert (await bad.json())["error"]["field"] == "url"
    gone = await api.client.delete(f"/api/v1/webhooks/{sub['id']}", headers=api.auth(Role.ADMIN))
    assert (await gone.json())["active"] is False
    again = await api.client.delete(f"/api/v1/webhooks/{sub['id']}", headers=api.auth(Role.ADMIN))
    assert again.status == 404


async def test_a_callback_at_a_time_waits_as_a_scheduled_retry(api: Api) -> None:
    at = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    resp = await api.client.post(
        "/api/v1/callbacks",
        json={"queue": "support", "number": "+79165550177", "at": at.isoformat()},
        headers=api.auth(Role.AGENT),
    )
    assert resp.status == 201
    cb = await resp.json()
    assert cb["state"] == "retry"
    assert cb["attempts"] == 0
    assert datetime.fromisoformat(cb["next_attempt_at"]) == at - timedelta(minutes=5)
    assert datetime.fromisoformat(cb["promise"]["due_at"]) == at + timedelta(minutes=15)
    past = await api.client.post(
        "/api/v1/callbacks",
        json={"queue": "support", "number": "+79165550178", "at": "2020-01-01T10:00:00+03:00"},
        headers=api.auth(Role.AGENT),
    )
    assert past.status == 422
    error = (await past.json())["error"]
    assert error["field"] == "at"
    assert "in the past" in error["message"]
