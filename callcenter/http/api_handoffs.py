"""/api/v1/agents/{ext}/workspace (the desk between calls), /agents/{ext}/handoffs/read
(the incoming agent's acknowledgement) and the supervisors' /handoffs/teams and
/handoffs/flagged (open tickets that crossed a shift change)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from callcenter.domain.handoffs import DeskTicket, HandedTicket, TeamHandoffs, Workspace
from callcenter.domain.tickets import Interaction, InteractionKind
from callcenter.http import api_json as j
from callcenter.http import api_params as p
from callcenter.http.api_agents import SHIFT_NOTES, agent_in_path
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_promises import PROMISE, promise_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import ID, INTERACTION, TICKET, check, obj
from callcenter.services.handoffs import Handoffs

HANDOFFS = SHIFT_NOTES  # one service: the logout's notes and the desk

_TEXT, _TIME = {"type": "string"}, {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"]}
_NOTE = {"oneOf": [INTERACTION, {"type": "null"}]}
HANDED = obj(
    {
        "id": ID,
        "ticket": TICKET,
        "team": _TEXT,
        "from_agent": _TEXT,
        "handed_at": _TEXT,
        "flagged": {"type": "boolean"},
        "note": _NOTE,
        "reads": {
            "type": "array",
            "items": obj({"agent": _TEXT, "read_at": _TEXT}, ("agent", "read_at")),
        },
    },
    ("id", "ticket", "team", "from_agent", "handed_at", "flagged", "note", "reads"),
)
DESK_TICKET = obj(
    {"ticket": TICKET, "latest": _NOTE, "channel": _TEXT, "handoff_note": _NOTE},
    ("ticket", "latest", "channel", "handoff_note"),
)
DUE = {**PROMISE, "properties": {**PROMISE["properties"], "seconds_left": {"type": "number"}}}
_SHIFT = {
    "oneOf": [
        obj(
            {"id": ID, "started_at": _TEXT, "ready_at": _MAYBE_TIME},
            ("id", "started_at", "ready_at"),
        ),
        {"type": "null"},
    ]
}
WORKSPACE = obj(
    {
        "agent": _TEXT,
        "team": _TEXT,
        "shift": _SHIFT,
        "must_read": {"type": "boolean"},
        "held": {"type": "boolean"},
        "mine": {"type": "array", "items": DESK_TICKET},
        "team_tickets": {"type": "array", "items": DESK_TICKET},
        "due": {"type": "array", "items": DUE},
        "to_read": {"type": "array", "items": HANDED},
        "to_note": {"type": "array", "items": HANDED},
    },
    (
        "agent",
        "team",
        "shift",
        "must_read",
        "held",
        "mine",
        "team_tickets",
        "due",
        "to_read",
        "to_note",
    ),
)
READ = {
    "type": "object",
    "properties": {
        "ids": {"type": "array", "items": ID, "minItems": 1, "maxItems": 200},
        "all": {"type": "boolean", "const": True},
    },
    "additionalProperties": False,
    "minProperties": 1,
    "maxProperties": 1,
}
READ_RESULT = obj(
    {
        "read": {"type": "array", "items": ID},
        "remaining": {"type": "integer"},
        "released": {"type": "boolean"},
    },
    ("read", "remaining", "released"),
)
_SECONDS = {"type": ["number", "null"]}
TEAM = obj(
    {
        "team": _TEXT,
        "crossing": {"type": "integer"},
        "noted": {"type": "integer"},
        "flagged": {"type": "integer"},
        "acknowledged": {"type": "integer"},
        "unread_noted": {"type": "integer"},
        "unread_flagged": {"type": "integer"},
        "ack_median_seconds": _SECONDS,
        "ack_max_seconds": _SECONDS,
    },
    ("team", "crossing", "noted", "flagged", "acknowledged", "unread_noted", "unread_flagged"),
)
TEAMS = obj({"since": _TIME, "teams": {"type": "array", "items": TEAM}}, ("since", "teams"))
FLAGGED = obj({"since": _TIME, "items": {"type": "array", "items": HANDED}}, ("since", "items"))

# Where a timeline entry came from, as the desk labels it.
_CHANNELS = {
    InteractionKind.CALL: "phone",
    InteractionKind.VOICEMAIL: "phone",
    InteractionKind.CALLBACK: "phone",
    InteractionKind.CHAT_MESSAGE: "chat",
    InteractionKind.EMAIL: "email",
}


def service(request: web.Request) -> Handoffs:
    shifts = request.app.get(HANDOFFS)
    if shifts is None:
        raise ApiError(503, "unavailable", "shifts are not served by this server")
    return shifts


def handed_json(h: HandedTicket) -> dict[str, Any]:
    return {
        "id": h.id,
        "ticket": j.ticket(h.ticket),
        "team": h.team,
        "from_agent": h.from_agent,
        "handed_at": h.handed_at.isoformat(),
        "flagged": h.flagged,
        "note": j.interaction(h.note) if h.note else None,
        "reads": [{"agent": r.agent, "read_at": r.read_at.isoformat()} for r in h.reads],
    }


def _channel(i: Interaction | None) -> str:
    return "" if i is None else _CHANNELS.get(i.kind, "internal")


def _desk_ticket(d: DeskTicket) -> dict[str, Any]:
    return {
        "ticket": j.ticket(d.ticket),
        "latest": j.interaction(d.latest) if d.latest else None,
        "channel": _channel(d.latest),
        "handoff_note": j.interaction(d.handoff_note) if d.handoff_note else None,
    }


def workspace_json(w: Workspace, now: datetime) -> dict[str, Any]:
    shift = w.shift
    return {
        "agent": w.agent,
        "team": w.team,
        "shift": None
        if shift is None
        else {
            "id": shift.id,
            "started_at": shift.started_at.isoformat(),
            "ready_at": shift.ready_at.isoformat() if shift.ready_at else None,
        },
        "must_read": w.must_read,
        "held": w.held,
        "mine": [_desk_ticket(d) for d in w.mine],
        "team_tickets": [_desk_ticket(d) for d in w.team_tickets],
        "due": [
            {**promise_json(x), "seconds_left": round((x.due_at - now).total_seconds())}
            for x in w.due
        ],
        "to_read": [handed_json(h) for h in w.to_read],
        "to_note": [handed_json(h) for h in w.to_note],
    }


def _team_json(t: TeamHandoffs) -> dict[str, Any]:
    return {
        "team": t.team,
        "crossing": t.crossing,
        "noted": t.noted,
        "flagged": t.flagged,
        "acknowledged": t.acknowledged,
        "unread_noted": t.unread_noted,
        "unread_flagged": t.unread_flagged,
        "ack_median_seconds": t.ack_median,
        "ack_max_seconds": t.ack_max,
    }


@permission("workspace:read")
async def agent_workspace(request: web.Request) -> web.Response:
    """The desk between calls: the agent's and their team's open tickets, the promises due
    in their shift, what was handed to them to read and what they left without a note."""
    ext = agent_in_path(request)
    shifts = service(request)
    work = await shifts.workspace(ext)
    return web.json_response(workspace_json(work, shifts.now()))


@permission("handoffs:acknowledge")
async def read_handoffs(request: web.Request) -> web.Response:
    ext = agent_in_path(request)
    body = check(READ, await read_json(request))
    done = await service(request).acknowledge(ext, None if body.get("all") else body["ids"])
    return web.json_response(
        {"read": [h.id for h in done.read], "remaining": done.remaining, "released": done.released}
    )


def _since(request: web.Request, shifts: Handoffs) -> datetime:
    return p.timestamp(request.query.get("since"), "since") or shifts.default_since()


@permission("handoffs:figures")
async def team_handoffs(request: web.Request) -> web.Response:
    shifts = service(request)
    since = _since(request, shifts)
    teams = await shifts.figures(since)
    return web.json_response({"since": since.isoformat(), "teams": [_team_json(t) for t in teams]})


@permission("handoffs:figures")
async def flagged_handoffs(request: web.Request) -> web.Response:
    shifts = service(request)
    since = _since(request, shifts)
    items = await shifts.flagged(since)
    return web.json_response({"since": since.isoformat(), "items": [handed_json(h) for h in items]})


ROUTES = [
    Route(
        "GET",
        "/agents/{ext}/workspace",
        agent_workspace,
        "The agent's desk between calls: their and their team's open tickets (latest "
        "interaction, handoff note), promises due in the shift, handoffs to read and to note",
        None,
        WORKSPACE,
        also=(503,),
    ),
    Route(
        "POST",
        "/agents/{ext}/handoffs/read",
        read_handoffs,
        "Acknowledge handoffs (`ids`, or `all`); a held agent with nothing left to read "
        "becomes available for calls",
        READ,
        READ_RESULT,
        also=(409, 503),
    ),
    Route(
        "GET",
        "/handoffs/teams",
        team_handoffs,
        "Per team: open tickets that crossed a shift change, with a note, acknowledged, and "
        "how long they waited for the incoming shift",
        None,
        TEAMS,
        query=("since",),
        also=(503,),
    ),
    Route(
        "GET",
        "/handoffs/flagged",
        flagged_handoffs,
        "Open tickets an agent left at logout without a handoff note",
        None,
        FLAGGED,
        query=("since",),
        also=(503,),
    ),
]
