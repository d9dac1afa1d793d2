"""/api/v1/callbacks (request, list, one, cancel) and /api/v1/promises (list, the board's
summary per queue and day).

A request names a queue and the number to call; the number passes the same toll-fraud
guard as a number keyed in at the IVR (422 naming the rule otherwise). Asking again for a
number that already waits in that queue returns the open request (200, ``merged``), never
a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from callcenter.domain.callbacks import Callback, CallbackError, CallbackState
from callcenter.domain.dial_guard import DialAttempt, Refusal
from callcenter.domain.promises import Promise, PromiseDay, PromiseFilter, PromiseState
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_refusals import GUARD, refused
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj, page_of, string
from callcenter.services.callback_ports import CallbackAnswer
from callcenter.services.callbacks import CallbackRequest, Callbacks
from callcenter.services.dial_guard import RequestRefused

CALLBACKS: web.AppKey[Callbacks] = web.AppKey("callbacks")
_TEXT, _NUM = {"type": "string"}, {"type": "number"}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}
_OPT_ID = {"type": ["integer", "null"]}
PROMISE = obj(
    {
        "id": ID,
        "kind": {"type": "string", "enum": ["callback", "voicemail"]},
        "subject_id": ID,
        "queue": _TEXT,
        "made_at": DATETIME,
        "due_at": DATETIME,
        "state": {"type": "string", "enum": [s.value for s in PromiseState]},
        "projected_at": _OPT_TIME,
        "ticket_number": _OPT_ID,
        "closed_at": _OPT_TIME,
        "outcome": _TEXT,
        "escalated_at": _OPT_TIME,
        "slack": {"type": ["number", "null"]},
    },
    ("id", "kind", "subject_id", "queue", "made_at", "due_at", "state"),
)
CALLBACK = obj(
    {
        "id": ID,
        "queue": _TEXT,
        "number": _TEXT,
        "state": {"type": "string", "enum": [s.value for s in CallbackState]},
        "requested_at": DATETIME,
        "joined_at": DATETIME,
        "priority": {"type": "integer"},
        "call_id": _TEXT,
        "ticket_number": _OPT_ID,
        "attempts": {"type": "integer"},
        "max_attempts": {"type": "integer"},
        "next_attempt_at": _OPT_TIME,
        "agent": _TEXT,
        "outcome": _TEXT,
        "reason": _TEXT,
        "source": _TEXT,
        "node": _TEXT,  # the cluster node whose placeholder holds the attempt ("": none)
        "merged": {"type": "boolean"},
        "promise": {"anyOf": [PROMISE, {"type": "null"}]},
    },
    ("id", "queue", "number", "state", "requested_at", "attempts"),
)
CALLBACK_CREATE = obj(
    {
        "queue": string(80, 1),
        "number": string(32, 1),
        "ticket_number": ID,
        "reason": string(300),
        "at": DATETIME,
    },
    ("queue", "number"),
)
DAY = obj(
    {
        "queue": _TEXT,
        "day": _TEXT,
        "made": {"type": "integer"},
        "kept": {"type": "integer"},
        "broken": {"type": "integer"},
        "at_risk": {"type": "integer"},
        "open": {"type": "integer"},
        "cancelled": {"type": "integer"},
        "kept_share": {"type": ["number", "null"]},
        "median_slack": {"type": ["number", "null"]},
    },
    ("queue", "day", "made", "kept", "broken", "at_risk", "open", "cancelled"),
)
SUMMARY = obj({"days": {"type": "array", "items": DAY}}, ("days",))
CALLBACK_STATE = {"type": "string", "enum": [s.value for s in CallbackState]}
PROMISE_STATE = {"type": "string", "enum": [s.value for s in PromiseState]}


def _service(request: web.Request) -> Callbacks:
    service = request.app.get(CALLBACKS)
    if service is None:
        raise ApiError(503, "unavailable", "callbacks are not served by this server")
    return service


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def promise_json(x: Promise) -> dict[str, Any]:
    return {
        "id": x.id,
        "kind": x.kind.value,
        "subject_id": x.subject_id,
        "queue": x.queue,
        "made_at": x.made_at.isoformat(),
        "due_at": x.due_at.isoformat(),
        "state": x.state.value,
        "projected_at": _time(x.projected_at),
        "ticket_number": x.ticket_number,
        "closed_at": _time(x.closed_at),
        "outcome": x.outcome,
        "escalated_at": _time(x.escalated_at),
        "slack": x.slack,
    }


def callback_json(c: Callback, promise: Promise | None, merged: bool = False) -> dict[str, Any]:
    return {
        "id": c.id,
        "queue": c.queue,
        "number": c.number,
        "state": c.state.value,
        "requested_at": c.requested_at.isoformat(),
        "joined_at": c.joined_at.isoformat(),
        "priority": c.priority,
        "call_id": c.call_id,
        "ticket_number": c.ticket_number,
        "attempts": c.attempts,
        "max_attempts": c.max_attempts,
        "next_attempt_at": _time(c.next_attempt_at),
        "agent": c.agent,
        "outcome": c.outcome,
        "reason": c.reason,
        "source": c.source,
        "node": c.owner_node,
        "merged": merged,
        "promise": promise_json(promise) if promise is not None else None,
    }


def day_json(d: PromiseDay) -> dict[str, Any]:
    return {
        "queue": d.queue,
        "day": d.day,
        "made": d.made,
        "kept": d.kept,
        "broken": d.broken,
        "at_risk": d.at_risk,
        "open": d.open,
        "cancelled": d.cancelled,
        "kept_share": d.kept_share,
        "median_slack": d.median_slack,
    }


def _state(request: web.Request, states: type[CallbackState] | type[PromiseState]) -> Any:
    raw = request.query.get("state")
    if raw is None:
        return None
    allowed = [s.value for s in states]
    if raw not in allowed:
        raise ApiError(
            422, "invalid_field", f"state: {raw!r} is not one of {', '.join(allowed)}", "state"
        )
    return states(raw)


@permission("callbacks:request")
async def request_callback(request: web.Request) -> web.Response:
    body = check(CALLBACK_CREATE, await read_json(request))
    who = principal(request)
    at = p.timestamp(body.get("at"), "at")
    service = _service(request)

    async def dial(number: str) -> CallbackAnswer:
        return await service.request(
            CallbackRequest(
                queue=body["queue"],
                number=number,
                ticket_number=body.get("ticket_number"),
                reason=body.get("reason", "") or f"requested by {who.name}",
                source="api",
                field="number",
                at=at,
            )
        )

    guard = request.config_dict.get(GUARD)
    try:
        if guard is None:
            answer = await dial(body["number"])
        else:  # every API-initiated dial passes the toll-fraud guard (and is audited)
            attempt = DialAttempt("api", body["number"], "", f"token:{who.name}")
            answer = await guard.guarded(attempt, body["queue"], dial)
    except (CallbackError, RequestRefused) as exc:
        field = str(exc).split(":", 1)[0] if str(exc).startswith(("queue:", "at:")) else "number"
        raise ApiError(422, "invalid_field", str(exc), field) from None
    except Refusal as exc:
        raise refused(exc) from None
    return web.json_response(
        callback_json(answer.callback, answer.promise, merged=not answer.created),
        status=201 if answer.created else 200,
    )


@permission("callbacks:read")
async def list_callbacks(request: web.Request) -> web.Response:
    page = await _service(request).search(
        _state(request, CallbackState),
        request.query.get("queue", ""),
        p.limit(request),
        p.id_cursor(request),
    )
    return web.json_response(
        {"items": [callback_json(c, None) for c in page.items], "next_cursor": page.next_cursor}
    )


@permission("callbacks:read")
async def get_callback(request: web.Request) -> web.Response:
    callback_id = p.path_id(request, "callback_id")
    found = await _service(request).get(callback_id)
    if found is None:
        raise ApiError(404, "not_found", f"no callback {callback_id}")
    return web.json_response(callback_json(*found))


@permission("callbacks:cancel")
async def cancel_callback(request: web.Request) -> web.Response:
    callback_id = p.path_id(request, "callback_id")
    service, who = _service(request), principal(request)
    if await service.get(callback_id) is None:
        raise ApiError(404, "not_found", f"no callback {callback_id}")
    try:
        done = await service.cancel(callback_id, f"cancelled by {who.name}")
    except CallbackError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    found = await service.get(done.id)
    return web.json_response(callback_json(*found) if found else callback_json(done, None))


@permission("promises:read")
async def list_promises(request: web.Request) -> web.Response:
    where = PromiseFilter(
        state=_state(request, PromiseState),
        queue=request.query.get("queue", ""),
        since=p.timestamp(request.query.get("from"), "from"),
        until=p.timestamp(request.query.get("to"), "to"),
    )
    page = await _service(request).promises(where, p.limit(request), p.id_cursor(request))
    return web.json_response(
        {"items": [promise_json(x) for x in page.items], "next_cursor": page.next_cursor}
    )


@permission("promises:read")
async def promise_summary(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    since = p.timestamp(request.query.get("from"), "from") or now - timedelta(days=7)
    until = p.timestamp(request.query.get("to"), "to") or now + timedelta(minutes=1)
    days = await _service(request).summary(since, until)
    return web.json_response({"days": [day_json(d) for d in days]})


_STATE_OF_CALLBACKS = (("state", CALLBACK_STATE),)
ROUTES = [
    Route(
        "POST",
        "/callbacks",
        request_callback,
        "Ask for a callback (now, or `at` a time inside business hours): the number passes"
        " the toll-fraud guard; one open per number and queue (asking again returns it)",
        CALLBACK_CREATE,
        CALLBACK,
        status=201,
        also=(200, 503),
    ),
    Route(
        "GET",
        "/callbacks",
        list_callbacks,
        "Callback requests, newest first",
        None,
        page_of(CALLBACK),
        query=("state", "queue", "limit", "cursor"),
        also=(503,),
        query_schemas=_STATE_OF_CALLBACKS,
    ),
    Route(
        "GET",
        "/callbacks/{callback_id}",
        get_callback,
        "One callback request with its promise",
        None,
        CALLBACK,
        also=(503,),
    ),
    Route(
        "DELETE",
        "/callbacks/{callback_id}",
        cancel_callback,
        "Cancel a waiting callback (its promise is cancelled; nobody is dialled)",
        None,
        CALLBACK,
        also=(409, 503),
    ),
    Route(
        "GET",
        "/promises",
        list_promises,
        "Promises told to callers, newest first: due time (never changed), projection, outcome",
        None,
        page_of(PROMISE),
        query=("state", "queue", "from", "to", "limit", "cursor"),
        also=(503,),
        query_schemas=(("state", PROMISE_STATE),),
    ),
    Route(
        "GET",
        "/promises/summary",
        promise_summary,
        "Per queue and day: promises made, kept, broken, at risk, and the median slack",
        None,
        SUMMARY,
        query=("from", "to"),
        also=(503,),
    ),
]
