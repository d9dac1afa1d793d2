"""/api/v1/promises/calibration: for each queue and local hour, the window told to callers
against the time it took to serve them, the share kept and the share of the window left —
and the alerts of queues drifting from the targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from callcenter.domain.promise_calibration import (
    KEPT_TARGET,
    LEFT_TARGET,
    CalibrationAlert,
    CalibrationCell,
)
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, TEXT, obj
from callcenter.services.promise_calibration import PromiseCalibration

SHARE = {"type": ["number", "null"]}
COUNT = {"type": "integer"}
CELL = obj(
    {
        "queue": TEXT,
        "hour": {"type": "integer", "minimum": -1, "maximum": 23},
        "made": COUNT,
        "kept": COUNT,
        "repromised": COUNT,
        "broken": COUNT,
        "kept_share": SHARE,
        "median_window": SHARE,
        "median_served": SHARE,
        "median_left": SHARE,
        "p95_left": SHARE,
    },
    ("queue", "hour", "made", "kept", "repromised", "broken"),
)
ALERT = obj(
    {
        "queue": TEXT,
        "figure": {"type": "string", "enum": ["kept_share", "median_left"]},
        "value": {"type": "number"},
        "target": {"type": "number"},
    },
    ("queue", "figure", "value", "target"),
)
CALIBRATION_SCHEMA = obj(
    {
        "from": DATETIME,
        "to": DATETIME,
        "targets": obj({"kept_share": {"type": "number"}, "median_left": {"type": "number"}}),
        "hours": {"type": "array", "items": CELL},
        "queues": {"type": "array", "items": CELL},
        "alerts": {"type": "array", "items": ALERT},
    },
    ("from", "to", "targets", "hours", "queues", "alerts"),
)

CALIBRATION: web.AppKey[PromiseCalibration] = web.AppKey("promise_calibration")


def cell_json(c: CalibrationCell) -> dict[str, Any]:
    return {
        "queue": c.queue,
        "hour": c.hour,
        "made": c.made,
        "kept": c.kept,
        "repromised": c.repromised,
        "broken": c.broken,
        "kept_share": c.kept_share,
        "median_window": c.median_window,
        "median_served": c.median_served,
        "median_left": c.median_left,
        "p95_left": c.p95_left,
    }


def alert_json(a: CalibrationAlert) -> dict[str, Any]:
    return {"queue": a.queue, "figure": a.figure, "value": a.value, "target": a.target}


@permission("promises:read")
async def promise_calibration(request: web.Request) -> web.Response:
    service = request.app.get(CALIBRATION)
    if service is None:
        raise ApiError(503, "unavailable", "promises are not served by this server")
    now = datetime.now(UTC)
    since = p.timestamp(request.query.get("from"), "from") or now - timedelta(days=7)
    until = p.timestamp(request.query.get("to"), "to") or now + timedelta(minutes=1)
    found = await service.calibration(since, until)
    return web.json_response(
        {
            "from": since.isoformat(),
            "to": until.isoformat(),
            "targets": {"kept_share": KEPT_TARGET, "median_left": LEFT_TARGET},
            "hours": [cell_json(c) for c in found.hours],
            "queues": [cell_json(c) for c in found.queues],
            "alerts": [alert_json(a) for a in found.alerts],
        }
    )


ROUTES = [
    Route(
        "GET",
        "/promises/calibration",
        promise_calibration,
        "Per queue and local hour made: the window told against the time to serve, the share"
        " kept, the share of the window left; alerts of queues drifting from the targets",
        None,
        CALIBRATION_SCHEMA,
        query=("from", "to"),
        also=(503,),
    ),
]
