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
}
FLOW = (Path(__file__).resolve().parents[3] / "ivr_flows" / "main.yaml").read_text()
BODIES |= {
    "check_flow": {"file": "main.yaml", "text": FLOW},
    "simulate_flow": {"file": "main.yaml", "text": FLOW, "flow": "main"},
    "publish_flow": {"text": FLOW},
}


# The widget's public routes carry no token of ours (test_widgets_api.py covers them).
GUARDED = [r for r in api_routes() if hasattr(r.handler, PERMISSION_ATTR)]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("route", GUARDED, ids=lambda r: f"{r.method} {r.path}")
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
        file="main.yaml",
        version_id=version,
        username=username,
    )
    if route.handler.__name__ == "read_handoffs":  # reading is done on shift
        await api.client.post(f"{PREFIX}/agents/1001/login", headers=admin)
    if route.path == "/customers/lookup":
        path += "?phone=89123456789"
    if route.path == "/search":
        path += "?q=anything"
    if route.path == "/flows/{file}/diff":
        path += f"?from={version}&to={version}"
    body = BODIES.get(route.handler.__name__)
    if route.handler.__name__ == "merge_customer":
        body = {"from": other["id"]}
    resp = await api.client.request(route.method, PREFIX + path, json=body, headers=api.auth(role))
    allowed = role in PERMISSIONS[getattr(route.handler, PERMISSION_ATTR)]
    if allowed:
        assert resp.status < 300, await resp.text()
    else:
        assert resp.status == 403
        assert (await resp.json())["error"]["id"] == "forbidden"
