"""/api/v1/dial-guard (what the toll-fraud guard decided, for supervisors) and
/api/v1/tickets/{number}/call (a chat ticket's "call" button: the customer's number on
the ticket, through the guard, as an agent-first callback at the front of its queue).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from callcenter.domain.contacts import ContactKind
from callcenter.domain.dial_guard import DialAttempt, DialRecord, Refusal, Rule
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_callbacks_json import CALLBACK, callback_json
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_refusals import GUARD, refused
from callcenter.http.api_routes import STORE, Route
from callcenter.http.api_schemas import DATETIME, check, obj, page_of, string
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.callbacks import Callbacks
from callcenter.services.dial_guard import DialGuard, RequestRefused

TICKET_CALLS: web.AppKey[Callbacks] = web.AppKey("ticket_call_callbacks")
TICKET_PRIORITY = 10  # a customer who was chatting a moment ago goes first
_TEXT = {"type": "string"}
RULE = {"type": ["string", "null"], "enum": [*(r.value for r in Rule), None]}
DECISION = obj(
    {
        "id": {"type": "integer"},
        "at": DATETIME,
        "source": _TEXT,
        "number": _TEXT,
        "accepted": {"type": "boolean"},
        "rule": RULE,
        "message": _TEXT,
        "widget": _TEXT,
        "client": _TEXT,
        "origin": _TEXT,
        "user_agent": _TEXT,
        "callback_id": {"type": ["integer", "null"]},
    },
    ("id", "at", "source", "accepted", "rule", "message"),
)
SUMMARY = obj(
    {
        "since": DATETIME,
        "accepted": {"type": "integer"},
        "refused": {"type": "object", "additionalProperties": {"type": "integer"}},
        "breaker_open": {"type": "boolean"},
        "limits": {"type": "object", "additionalProperties": {"type": "number"}},
    },
    ("since", "accepted", "refused", "breaker_open", "limits"),
)
TICKET_CALL = obj({"queue": string(80, 1), "number": string(32, 1), "reason": string(300)})


def _guard(request: web.Request) -> DialGuard:
    guard = request.config_dict.get(GUARD)
    if guard is None:
        raise ApiError(404, "not_found", "the dial guard is not enabled on this server")
    return guard


def decision_json(r: DialRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "at": r.at.isoformat(),
        "source": r.source,
        "number": r.number,
        "accepted": r.rule is None,
        "rule": r.rule.value if r.rule is not None else None,
        "message": r.message,
        "widget": r.widget,
        "client": r.client,
        "origin": r.origin,
        "user_agent": r.user_agent,
        "callback_id": r.callback_id,
    }


@permission("guard:read")
async def list_decisions(request: web.Request) -> web.Response:
    raw = request.query.get("refused")
    if raw not in (None, "true", "false"):
        raise ApiError(422, "invalid_field", f"refused: {raw!r} is not true or false", "refused")
    refused_only = None if raw is None else raw == "true"
    page = await _guard(request).audit(refused_only, p.limit(request), p.id_cursor(request))
    return web.json_response(
        {"items": [decision_json(r) for r in page.items], "next_cursor": page.next_cursor}
    )


@permission("guard:read")
async def guard_summary(request: web.Request) -> web.Response:
    guard = _guard(request)
    since = p.timestamp(request.query.get("since"), "since") or (
        datetime.now(UTC) - timedelta(hours=24)
    )
    counts = await guard.counts(since)
    limits = guard.limits
    return web.json_response(
        {
            "since": since.isoformat(),
            "accepted": counts.pop("", 0),
            "refused": counts,
            "breaker_open": guard.breaker_open,
            "limits": {
                "per_number_day": limits.per_number_day,
                "per_client": limits.per_client,
                "client_window_seconds": limits.client_window_seconds,
                "per_widget_hour": limits.per_widget_hour,
                "budget_hour": limits.budget_hour,
                "breaker_minutes": limits.breaker_minutes,
            },
        }
    )


@permission("tickets:call")
async def call_ticket(request: web.Request) -> web.Response:
    number = p.path_id(request, "number")
    body = check(TICKET_CALL, await read_json(request))
    callbacks = request.config_dict.get(TICKET_CALLS)
    if callbacks is None:
        raise ApiError(404, "not_found", "callbacks are not enabled on this server")
    store, who, guard = request.config_dict[STORE], principal(request), _guard(request)
    view = await store.get_ticket(number)  # NotFound: 404
    customer_id = view.ticket.customer_id
    customer = await store.get_customer(customer_id) if customer_id is not None else None
    phones = [c.value for c in customer.contacts if c.kind is ContactKind.PHONE] if customer else []
    wanted = body.get("number", "")
    if not phones:
        raise ApiError(
            422, "invalid_field", f"ticket {number}: its customer has no phone", "number"
        )
    if wanted and wanted not in phones:
        # Only a number the customer gave: a ticket's call never dials what a caller typed.
        raise ApiError(
            422, "invalid_field", f"number: {wanted!r} is not one of the customer's", "number"
        )
    queue = body.get("queue") or view.ticket.queue or ""
    attempt = DialAttempt("ticket", wanted or phones[0], "", f"token:{who.name}")

    async def dial(e164: str) -> CallbackAnswer:
        return await callbacks.request(
            CallbackRequest(
                queue=queue,
                number=e164,
                ticket_number=number,
                priority=TICKET_PRIORITY,
                reason=body.get("reason") or f"call from ticket #{number} ({who.name})",
                source="ticket",
            )
        )

    try:
        answer = await guard.guarded(
            attempt, queue, dial, user_agent=request.headers.get("User-Agent", "")
        )
    except Refusal as exc:
        raise refused(exc) from None
    except RequestRefused as exc:
        field = "queue" if str(exc).startswith("queue:") else None
        raise ApiError(422, "invalid_field", str(exc), field) from None
    return web.json_response(
        callback_json(answer.callback, answer.promise, merged=not answer.created),
        status=201 if answer.created else 200,
    )


ROUTES = [
    Route("GET", "/dial-guard/decisions", list_decisions,
          "The toll-fraud guard's decisions, newest first (refused=true: refusals only)",
          None, page_of(DECISION), query=("refused", "limit", "cursor"),
          query_schemas=(("refused", {"type": "string", "enum": ["true", "false"]}),)),
    Route("GET", "/dial-guard/summary", guard_summary,
          "Accepted and refused (per rule) since a time; the breaker; the limits", None,
          SUMMARY, query=("since",)),
    Route("POST", "/tickets/{number}/call", call_ticket,
          "Call the ticket's customer: an agent first, then their number (the guard applies)",
          TICKET_CALL, CALLBACK, status=201, also=(200, 409, 429)),
]  # fmt: skip
