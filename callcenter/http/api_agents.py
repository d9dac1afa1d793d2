"""/api/v1/agents/{ext}/login|logout|pause|unpause and /api/v1/queues/live (the
supervisors' board)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from callcenter.domain.queue_view import QueueSnapshot
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_live_schema import LIVE
from callcenter.http.api_routes import CONTROL, Route
from callcenter.http.api_schemas import check, obj, string
from callcenter.services.agent_control import AgentControl
from callcenter.services.handoffs import Handoffs
from callcenter.services.ports import TelephonyError
from callcenter.services.supervision import SpyMode, Supervision, SupervisionError

PAUSE = obj({"reason": string(40, 1)}, ("reason",))
SUPERVISION = web.AppKey("supervision", Supervision)
SHIFT_NOTES = web.AppKey("shift_notes", Handoffs)
LISTEN = obj(
    {
        "mode": {"type": "string", "enum": [m.value for m in SpyMode]},
        "phone": {"type": "string", "pattern": "^[0-9]{2,15}$"},
    },
    ("mode", "phone"),
)
LISTENING = obj(
    {
        "agent": {"type": "string"},
        "mode": {"type": "string"},
        "phone": {"type": "string"},
        "dialled": {"type": "string"},
    },
    ("agent", "mode", "phone", "dialled"),
)


def pause_schema(reasons: tuple[str, ...]) -> dict[str, Any]:
    """The pause body as this server checks it: one of the configured reasons."""
    return obj({"reason": {"type": "string", "enum": list(reasons)}}, ("reason",))


_TEXT, _FLAG = {"type": "string"}, {"type": "boolean"}
AGENT_STATE = obj({"agent": _TEXT, "paused": _FLAG, "reason": _TEXT}, ("agent", "paused"))
PENALTIES = {"type": "object", "additionalProperties": {"type": "integer"}}
LOGIN_STATE = obj(
    {
        "agent": _TEXT,
        "logged_in": _FLAG,
        "queues": PENALTIES,
        # login: the pause reason the agent is held with until they read their handoffs
        "held": _TEXT,
        # logout: their open tickets handed over without a note (ticket numbers)
        "to_note": {"type": "array", "items": {"type": "integer"}},
    },
    ("agent", "logged_in", "queues"),
)


def _control(request: web.Request) -> AgentControl:
    control = request.app.get(CONTROL)
    if control is None:
        raise ApiError(503, "telephony_unavailable", "queue control is not running here")
    return control


def agent_in_path(request: web.Request) -> str:
    """The path's extension, one the caller may act for (agents: their own)."""
    ext = request.match_info["ext"]
    if not p.is_extension(ext):
        raise ApiError(404, "not_found", f"ext: no agent {ext!r}")
    who = principal(request)
    if not who.may_act_for(ext):
        raise ApiError(403, "forbidden", f"this token belongs to agent {who.agent}, not {ext}")
    return ext


@permission("agents:pause")
async def login_agent(request: web.Request) -> web.Response:
    ext = agent_in_path(request)
    control = _control(request)
    queues = await control.login(ext)
    held = await control.gate.hold_reason(ext) if control.gate else ""
    return web.json_response({"agent": ext, "logged_in": True, "queues": queues, "held": held})


@permission("agents:pause")
async def logout_agent(request: web.Request) -> web.Response:
    ext = agent_in_path(request)
    control = _control(request)
    await control.logout(ext)
    out: dict[str, Any] = {"agent": ext, "logged_in": False, "queues": {}}
    shifts = request.app.get(SHIFT_NOTES)
    if shifts is not None:  # the desk asks for a note on each of these
        out["to_note"] = [h.ticket.number for h in await shifts.to_note(ext)]
    return web.json_response(out)


@permission("agents:pause")
async def pause_agent(request: web.Request) -> web.Response:
    body = check(PAUSE, await read_json(request))
    ext = agent_in_path(request)
    await _control(request).pause(ext, body["reason"])
    return web.json_response({"agent": ext, "paused": True, "reason": body["reason"]})


@permission("agents:pause")
async def unpause_agent(request: web.Request) -> web.Response:
    ext = agent_in_path(request)
    await _control(request).unpause(ext)
    return web.json_response({"agent": ext, "paused": False})


@permission("agents:listen")
async def listen_to_agent(request: web.Request) -> web.Response:
    """Ring the supervisor's phone into the agent's live call (listen, whisper or barge)."""
    ext = agent_in_path(request)
    body = check(LISTEN, await read_json(request))
    supervision = request.app.get(SUPERVISION)
    if supervision is None:
        raise ApiError(503, "telephony_unavailable", "supervision is not running here")
    mode = SpyMode(body["mode"])
    try:
        code = await supervision.join(ext, mode, body["phone"], principal(request).name)
    except SupervisionError as exc:
        field = str(exc).split(":", 1)[0]
        raise ApiError(422, "invalid_field", str(exc), field) from None
    except TelephonyError as exc:
        raise ApiError(503, "telephony_unavailable", str(exc)) from None
    return web.json_response(
        {"agent": ext, "mode": mode.value, "phone": body["phone"], "dialled": code}, status=202
    )


@permission("queues:read")
async def live_queues(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    since = p.timestamp(request.query.get("since"), "since") or now.replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    clock = time.time()
    view = await _control(request).live(since, clock)
    return web.json_response(
        {
            "since": since.isoformat(),
            "queues": [_snapshot(s) for s in view.queues],
            "agents": [
                {
                    "agent": a.agent,
                    "name": a.name,
                    "logged_in": a.logged_in,
                    "state": a.state,
                    "pause_reason": a.pause_reason,
                    "paused_for": round(clock - a.paused_since) if a.paused_since else None,
                    "queues": {q: penalty for q, penalty in a.queues},
                }
                for a in view.agents
            ],
        }
    )


def _snapshot(s: QueueSnapshot) -> dict[str, Any]:
    k = s.kpis
    return {
        "queue": s.queue,
        "waiting": [
            {"call_id": w.call_id, "caller": w.caller, "position": w.position, "wait": w.wait}
            for w in s.waiting
        ],
        "longest_wait": s.longest_wait,
        "agents": [
            {
                "agent": m.agent,
                "state": m.state,
                "paused": m.paused,
                "pause_reason": m.pause_reason,
                "calls_taken": m.calls_taken,
            }
            for m in s.members
        ],
        "today": None
        if k is None
        else {
            "offered": k.offered,
            "answered": k.answered,
            "abandoned": k.abandoned,
            "timed_out": k.timed_out,
            "service_level": k.service_level,
            "average_speed_of_answer": k.average_speed_of_answer,
            "abandonment_rate": k.abandonment_rate,
            "average_handle_time": k.average_handle_time,
        },
    }


ROUTES = [
    Route(
        "POST",
        "/agents/{ext}/login",
        login_agent,
        "Log an agent in: they join the queues their skills match (with penalties)",
        None,
        LOGIN_STATE,
        also=(409, 503),
    ),
    Route(
        "POST",
        "/agents/{ext}/logout",
        logout_agent,
        "Log an agent out of every queue",
        None,
        LOGIN_STATE,
        also=(409, 503),
    ),
    Route(
        "POST",
        "/agents/{ext}/pause",
        pause_agent,
        "Pause an agent in every queue (reason from the configured list)",
        PAUSE,
        AGENT_STATE,
        also=(409, 503),
    ),
    Route(
        "POST",
        "/agents/{ext}/unpause",
        unpause_agent,
        "Make a paused agent available again",
        None,
        AGENT_STATE,
        also=(409, 503),
    ),
    Route(
        "POST",
        "/agents/{ext}/listen",
        listen_to_agent,
        "Ring a supervisor's phone into the agent's live call: listen, whisper (only the "
        "agent hears) or barge (both hear)",
        LISTEN,
        LISTENING,
        status=202,
        also=(503,),
    ),
    Route(
        "GET",
        "/queues/live",
        live_queues,
        "Per queue: waiting callers, agents by state, today's figures",
        None,
        LIVE,
        query=("since",),
        also=(503,),
    ),
]
