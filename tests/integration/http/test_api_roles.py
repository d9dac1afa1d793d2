"""Every route and every role: allowed roles get past auth, the others get 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcenter.app.features import api_routes
from callcenter.domain.bans import SipBan
from callcenter.domain.tickets import Role
from callcenter.http.api import PREFIX
from callcenter.http.api_auth import PERMISSION_ATTR, PERMISSIONS
from tests.integration.http.conftest import LIVE_CALL, Api, leave_message
from tests.support.staff import link_token

BODIES: dict[str, Any] = {
    "create_customer": {"name": "Role test"},
    "merge_customer": {"from": 0},  # filled in below
    "create_ticket": {"subject": "Role test"},
    "update_ticket": {"priority": "high"},
    "append_interaction": {"kind": "note", "body": "x"},
    "add_handoff_note": {"body": "x", "author": "y"},
    "pause_agent": {"reason": "lunch"},
    "hold_ticket": {"reason": "dispute"},
    "listen_to_agent": {"mode": "whisper", "phone": "1090"},
    "request_callback": {"queue": "support", "number": "+79161234567"},
    "subscribe": {"url": "https://chat.example/hook", "events": ["call.ended"]},
    "answer_voicemail": {},
    "create_widget": {"id": "blog", "queue": "support", "origins": ["https://blog.example"]},
    "replace_widget": {"id": "shop", "queue": "support", "origins": ["https://shop.example"]},
    "call_ticket": {"queue": "support"},
    "read_handoffs": {"all": True},
    "create_answer": {"shortcut": "roles", "title": "t", "body": "b"},
    "replace_answer": {"shortcut": "hours", "title": "Hours", "body": "9-18"},
    "fill_answer": {},
    "create_article": {"slug": "roles", "title": "t", "body": "b"},
    "replace_article": {"slug": "router-reset", "title": "Reset", "body": "Unplug it."},
    "restore_article": {"version": 1},
    "define_topic_tag": {"name": "delivery", "category": "Orders", "colour": "#336699"},
    "create_survey_link": {"call_id": "1764669600.31", "queue": "support"},
    "define_scorecard": {
        "name": "Roles",
        "sections": [
            {"title": "s", "criteria": [{"id": "greeting", "text": "t", "kind": "yes_no"}]}
        ],
    },
    "supersede_evaluation": {"answers": {"greeting": False}, "reason": "misheard"},
    "dispute_evaluation": {"reason": "I did"},
}
FLOW = (Path(__file__).resolve().parents[3] / "ivr_flows" / "main.yaml").read_text()
BODIES |= {
    "check_flow": {"file": "main.yaml", "text": FLOW},
    "simulate_flow": {"file": "main.yaml", "text": FLOW, "flow": "main"},
    "publish_flow": {"text": FLOW},
}


# The widget's public routes carry no token of ours (test_widgets_api.py covers them).
GUARDED = [r for r in api_routes() if hasattr(r.handler, PERMISSION_ATTR)]


def _allowed(route: Any, role: Role) -> bool:
    return role in PERMISSIONS[getattr(route.handler, PERMISSION_ATTR)]


ALLOWED = [(route, role) for route in GUARDED for role in Role if _allowed(route, role)]
# Any value of the right shape: a refused role is refused before the path is looked at.
SHAPES = {
    "customer_id": 1, "number": 1, "ext": "1001", "address": "192.0.2.7",
    "recording_id": 1, "call_id": LIVE_CALL, "callback_id": 1, "webhook_id": 1,
    "voicemail_id": 1, "widget_id": "shop", "answer_id": 1, "article_id": 1,
    "file": "main.yaml", "version_id": 1, "username": "someone", "survey_id": 1,
    "evaluation_id": 1,
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
async def test_every_route_refuses_the_roles_it_does_not_allow(api: Api, role: Role) -> None:
    """One server for all the routes a role may not use: each answers 403 forbidden to the
    body an allowed role sends."""
    wrong = []
    for route in (r for r in GUARDED if not _allowed(r, role)):
        body = BODIES.get(route.handler.__name__)
        path = PREFIX + route.path.format(**SHAPES)
        resp = await api.client.request(route.method, path, json=body, headers=api.auth(role))
        error = (await resp.json()).get("error", {}) if resp.status >= 400 else {}
        if resp.status != 403 or error.get("id") != "forbidden":
            wrong.append(f"{route.method} {route.path}: {resp.status}")
    assert not wrong, wrong


async def _made(api: Api, route: Any, names: str, path: str, body: Any) -> Any:
    """What ``route`` names (``names`` in its path), made by an admin; else an id of 1."""
    if names not in route.path:
        return {"id": 1}
    resp = await api.client.post(f"{PREFIX}{path}", json=body, headers=api.auth(Role.ADMIN))
    return await resp.json()


def _case_id(x: Any) -> str:
    return str(x.value) if isinstance(x, Role) else f"{x.method} {x.path}"


# Who may do what does not depend on the database (the routes' own work runs on both in
# test_api*.py and schemathesis): the matrix of allowed cases runs on SQLite.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("route", "role"), ALLOWED, ids=_case_id)
async def test_route_permissions(api: Api, route: Any, role: Role) -> None:
    admin = api.auth(Role.ADMIN)
    customer = await (
        await api.client.post(f"{PREFIX}/customers", json={"name": "c"}, headers=admin)
    ).json()
    other = await (
        await api.client.post(f"{PREFIX}/customers", json={"name": "o"}, headers=admin)
    ).json()
    if route.handler.__name__ == "call_ticket":  # a ticket whose customer has a phone
        customer = await (
            await api.client.post(
                f"{PREFIX}/customers", json={"name": "p", "phones": ["+79161110000"]}, headers=admin
            )
        ).json()
    ticket = await (
        await api.client.post(
            f"{PREFIX}/tickets",
            json={"subject": "t", "customer_id": customer["id"]},
            headers=admin,
        )
    ).json()
    callback = await (
        await api.client.post(f"{PREFIX}/callbacks", json=BODIES["request_callback"], headers=admin)
    ).json()
    webhook = await (
        await api.client.post(f"{PREFIX}/webhooks", json=BODIES["subscribe"], headers=admin)
    ).json()
    # Made only for the routes that name one.
    article = await _made(
        api,
        route,
        "{article_id}",
        "/articles",
        {"slug": "router-reset", "title": "Reset", "body": "Unplug it."},
    )
    answer = await _made(
        api, route, "{answer_id}", "/answers", {"shortcut": "hours", "title": "h", "body": "9-18"}
    )
    survey = await _made(
        api, route, "{survey_id}", "/surveys/links", {"call_id": "1764669600.32"}
    )  # a link survey to review
    evaluation, submit = {"id": 1}, {}
    if "{evaluation_id}" in route.path or route.handler.__name__ == "submit_evaluation":
        form = await (
            await api.client.post(
                f"{PREFIX}/scorecards", json=BODIES["define_scorecard"], headers=admin
            )
        ).json()
        submit = {
            "recording_id": api.recording_id,
            "scorecard_id": form["id"],
            "answers": {"greeting": True},
        }
        evaluation = await (
            await api.client.post(f"{PREFIX}/evaluations", json=submit, headers=admin)
        ).json()
    history = await api.client.get(f"{PREFIX}/flows/main.yaml/versions", headers=admin)
    version = (await history.json())["items"][0]["id"]  # what is on disk, recorded
    link_token(api.sessions, Role.AGENT, "1001")  # a staff account to disable and enable
    staff = await (await api.client.get(f"{PREFIX}/staff", headers=admin)).json()
    username = staff["items"][-1]["username"]
    banned = "192.0.2.7"
    if route.handler.__name__ == "lift_ban":  # something to lift
        now = datetime.now(UTC)
        await api.ban_store.add_ban(SipBan(banned, "test", 10, now, now + timedelta(hours=1)))
    path = route.path.format(
        customer_id=customer["id"],
        number=ticket["number"],
        ext="1001",
        address=banned,
        recording_id=api.recording_id,
        call_id=LIVE_CALL,
        callback_id=callback["id"],
        webhook_id=webhook["id"],
        voicemail_id=await leave_message(api, "1764669600.7"),
        widget_id="shop",
        answer_id=answer["id"],
        article_id=article["id"],
        file="main.yaml",
        version_id=version,
        username=username,
        survey_id=survey["id"],
        evaluation_id=evaluation["id"],
    )
    if route.handler.__name__ == "read_handoffs":  # reading is done on shift
        await api.client.post(f"{PREFIX}/agents/1001/login", headers=admin)
    if route.path == "/customers/lookup":
        path += "?phone=89123456789"
    if route.path == "/search":
        path += "?q=anything"
    if route.path == "/topics/tickets":
        path += "?tag=outage"
    if route.path == "/flows/{file}/diff":
        path += f"?from={version}&to={version}"
    body = BODIES.get(route.handler.__name__)
    if route.handler.__name__ == "merge_customer":
        body = {"from": other["id"]}
    if route.handler.__name__ == "submit_evaluation":
        body = submit
    resp = await api.client.request(route.method, PREFIX + path, json=body, headers=api.auth(role))
    assert resp.status < 300, await resp.text()
