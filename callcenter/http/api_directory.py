"""/api/v1/queues, /agents and /staff: who and what the centre is made of — the queues as
configured (how they ring, their limits, their skills), the agents with their skills, team
and state now (leads), and the staff accounts (admins), which an admin disables (signed
out everywhere at once) and enables again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.staff import USERNAME, StaffError, StaffUser
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import CONTROL, Route
from callcenter.http.staff_auth import STAFF
from callcenter.services.agent_control import AgentControl
from callcenter.services.ports import StaffDirectory

_TEXT, _INT, _FLAG = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_PENALTIES = {"type": "object", "additionalProperties": _INT}


def _items(props: dict[str, Any]) -> dict[str, Any]:
    item = {"type": "object", "required": list(props), "properties": props}
    return {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": item}},
    }


QUEUES = _items(
    {
        "name": _TEXT,
        "strategy": _TEXT,
        "ring_timeout": _INT,
        "wrap_up": _INT,
        "max_length": _INT,
        "max_wait": _INT,
        "overflow": _TEXT,
        "overflow_node": _TEXT,
        "skills": _PENALTIES,
        "record": _FLAG,
        "callback_digit": _TEXT,
        "mailbox": _TEXT,
    }
)
AGENTS = _items(
    {
        "extension": _TEXT,
        "name": _TEXT,
        "team": _TEXT,
        "skills": {"type": "array", "items": _TEXT},
        "logged_in": _FLAG,
        "state": _TEXT,  # the board's word
    }
)
STAFF_USER = {
    "username": _TEXT,
    "role": _TEXT,
    "agent": _TEXT,
    "locale": _TEXT,  # "": the browser's
    "disabled": _FLAG,
}
STAFF_LIST = _items(STAFF_USER)
ONE_STAFF = {"type": "object", "required": list(STAFF_USER), "properties": STAFF_USER}


def _control(request: web.Request) -> AgentControl:
    control = request.app.get(CONTROL)
    if control is None:
        raise ApiError(503, "telephony_unavailable", "queue control is not running here")
    return control


def _staff(request: web.Request) -> StaffDirectory:
    staff = request.app.get(STAFF)
    if staff is None:
        raise ApiError(503, "unavailable", "staff accounts are not kept by this server")
    return staff


def queue_json(q: QueueDef) -> dict[str, Any]:
    return {
        "name": q.name,
        "strategy": q.strategy,
        "ring_timeout": q.ring_timeout,
        "wrap_up": q.wrap_up,
        "max_length": q.max_length,
        "max_wait": q.max_wait,
        "overflow": q.overflow,
        "overflow_node": q.overflow_node,
        "skills": dict(q.skills),
        "record": q.record,
        "callback_digit": q.callback_digit,
        "mailbox": q.mailbox,
    }


def staff_json(u: StaffUser) -> dict[str, Any]:
    return {
        "username": u.username,
        "role": u.role.value,
        "agent": u.agent,
        "locale": u.locale,
        "disabled": u.disabled,
    }


@permission("directory:read")
async def list_queues(request: web.Request) -> web.Response:
    defs = _control(request).queue_defs
    return web.json_response({"items": [queue_json(defs[name]) for name in sorted(defs)]})


@permission("directory:read")
async def list_agents(request: web.Request) -> web.Response:
    control = _control(request)
    states = {p.agent: p.state for p in await control.presences()}
    items = [
        {
            "extension": a.extension,
            "name": a.name,
            "team": a.team,
            "skills": list(a.skills),
            "logged_in": a.logged_in,
            "state": states.get(a.extension, "logged_out"),
        }
        for a in await control.agents()
    ]
    return web.json_response({"items": items})


@permission("staff:manage")
async def list_staff(request: web.Request) -> web.Response:
    users = await _staff(request).list_users()
    return web.json_response({"items": [staff_json(u) for u in users]})


async def _set_disabled(request: web.Request, disabled: bool) -> web.Response:
    username = request.match_info["username"]
    if USERNAME.fullmatch(username) is None:
        raise ApiError(422, "invalid_field", f"username {username!r}: not a username", "username")
    try:
        user = await _staff(request).set_disabled(username, disabled, datetime.now(UTC))
    except StaffError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(staff_json(user))


@permission("staff:manage")
async def disable_staff(request: web.Request) -> web.Response:
    return await _set_disabled(request, True)


@permission("staff:manage")
async def enable_staff(request: web.Request) -> web.Response:
    return await _set_disabled(request, False)


ROUTES = [
    Route(
        "GET",
        "/queues",
        list_queues,
        "The queues as configured (queues.yaml)",
        None,
        QUEUES,
        also=(503,),
    ),
    Route(
        "GET",
        "/agents",
        list_agents,
        "The agents: skills, team, logged in, and their state now (the board's word)",
        None,
        AGENTS,
        also=(503,),
    ),
]
# The core's (staff accounts are the core's): staff.
STAFF_ROUTES = [
    Route("GET", "/staff", list_staff, "The staff accounts of the pages", None, STAFF_LIST),
    Route(
        "POST",
        "/staff/{username}/disable",
        disable_staff,
        "Disable a staff account: every session of it ends at once",
        None,
        ONE_STAFF,
    ),
    Route(
        "POST",
        "/staff/{username}/enable",
        enable_staff,
        "Enable a staff account again",
        None,
        ONE_STAFF,
    ),
]
