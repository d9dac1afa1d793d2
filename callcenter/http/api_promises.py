"""/api/v1/promises: the promises told to callers (a callback's or a voicemail's due time, never
changed once told), newest first, and the board's summary per queue and day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aiohttp import web

from callcenter.domain.promises import Promise, PromiseDay, PromiseFilter, PromiseState
from callcenter.domain.tickets import Page
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_json import iso_time
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, OPT_ID, OPT_TIME, TEXT, obj, page_of

PROMISE = obj(
    {
        "id": ID,
        "kind": {"type": "string", "enum": ["callback", "voicemail"]},
        "subject_id": ID,
        "queue": TEXT,
        "made_at": DATETIME,
        "due_at": DATETIME,
        "state": {"type": "string", "enum": [s.value for s in PromiseState]},
        "projected_at": OPT_TIME,
        "ticket_number": OPT_ID,
        "closed_at": OPT_TIME,
        "outcome": TEXT,
        "escalated_at": OPT_TIME,
        "slack": {"type": ["number", "null"]},
        "expected_at": OPT_TIME,
        "earliest_at": OPT_TIME,
        "basis": {"type": "string", "enum": ["", "measured", "roster"]},
        "first_due_at": OPT_TIME,
        "repromised_at": OPT_TIME,
    },
    ("id", "kind", "subject_id", "queue", "made_at", "due_at", "state"),
)


DAY = obj(
    {
        "queue": TEXT,
        "day": TEXT,
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


PROMISE_STATE = {"type": "string", "enum": [s.value for s in PromiseState]}


def promise_json(x: Promise) -> dict[str, Any]:
    return {
        "id": x.id,
        "kind": x.kind.value,
        "subject_id": x.subject_id,
        "queue": x.queue,
        "made_at": x.made_at.isoformat(),
        "due_at": x.due_at.isoformat(),
        "state": x.state.value,
        "projected_at": iso_time(x.projected_at),
        "ticket_number": x.ticket_number,
        "closed_at": iso_time(x.closed_at),
        "outcome": x.outcome,
        "escalated_at": iso_time(x.escalated_at),
        "slack": x.slack,
        "expected_at": iso_time(x.expected_at),
        "earliest_at": iso_time(x.earliest_at),
        "basis": x.basis,
        "first_due_at": iso_time(x.first_due_at),
        "repromised_at": iso_time(x.repromised_at),
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


class PromiseLedger(Protocol):
    """What serves the promises (the callbacks' service, which makes and keeps them)."""

    async def promises(
        self, where: PromiseFilter, limit: int, before: int | None
    ) -> Page[Promise]: ...

    async def summary(self, since: datetime, until: datetime) -> list[PromiseDay]: ...


PROMISES: web.AppKey[PromiseLedger] = web.AppKey("promises")


def _ledger(request: web.Request) -> PromiseLedger:
    ledger = request.app.get(PROMISES)
    if ledger is None:
        raise ApiError(503, "unavailable", "promises are not served by this server")
    return ledger


@permission("promises:read")
async def list_promises(request: web.Request) -> web.Response:
    where = PromiseFilter(
        state=p.state(request, PromiseState),
        queue=request.query.get("queue", ""),
        since=p.timestamp(request.query.get("from"), "from"),
        until=p.timestamp(request.query.get("to"), "to"),
    )
    page = await _ledger(request).promises(where, p.limit(request), p.id_cursor(request))
    return web.json_response(
        {"items": [promise_json(x) for x in page.items], "next_cursor": page.next_cursor}
    )


@permission("promises:read")
async def promise_summary(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    since = p.timestamp(request.query.get("from"), "from") or now - timedelta(days=7)
    until = p.timestamp(request.query.get("to"), "to") or now + timedelta(minutes=1)
    days = await _ledger(request).summary(since, until)
    return web.json_response({"days": [day_json(d) for d in days]})


ROUTES = [
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
