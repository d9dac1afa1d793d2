"""/api/v1/trunks: the carriers' trunks (registration state, calls passed on to the next),
our numbers and the flow each leads to, and the latest calls refused at our door."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.trunks import Refusal, TrunkState
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, obj
from callcenter.services.trunks import Trunks

TRUNKS: web.AppKey[Trunks] = web.AppKey("trunks")
NUMBERS: web.AppKey[list[dict[str, str]]] = web.AppKey("numbers")
_TEXT = {"type": "string"}
TRUNK = obj(
    {
        "name": _TEXT,
        "host": _TEXT,
        "registers": {"type": "boolean"},
        "status": {
            "type": "string",
            "enum": [
                "by address",
                "unknown",
                "registered",
                "unregistered",
                "rejected",
                "stopping",
                "stopped",
            ],
        },
        "since": DATETIME,
        "up": {"type": "boolean"},
        "failovers": {"type": "integer"},
    },
    ("name", "host", "registers", "status", "since", "up", "failovers"),
)
NUMBER = obj({"number": _TEXT, "flow": _TEXT, "name": _TEXT}, ("number", "flow", "name"))
REFUSAL = obj(
    {"at": DATETIME, "number": _TEXT, "caller": _TEXT, "trunk": _TEXT},
    ("at", "number", "caller", "trunk"),
)
TRUNK_LIST = obj(
    {
        "trunks": {"type": "array", "items": TRUNK},
        "numbers": {"type": "array", "items": NUMBER},
        "refused": {"type": "array", "items": REFUSAL},
        "refused_total": {"type": "integer"},
    },
    ("trunks", "numbers", "refused", "refused_total"),
)


def trunk_json(state: TrunkState) -> dict[str, Any]:
    return {
        "name": state.name,
        "host": state.host,
        "registers": state.registers,
        "status": state.status,
        "since": state.since.isoformat(),
        "up": state.up,
        "failovers": state.failovers,
    }


def refusal_json(refusal: Refusal) -> dict[str, Any]:
    return {
        "at": refusal.at.isoformat(),
        "number": refusal.number,
        "caller": refusal.caller,
        "trunk": refusal.trunk,
    }


@permission("trunks:read")
async def list_trunks(request: web.Request) -> web.Response:
    trunks = request.app.get(TRUNKS)
    if trunks is None:
        raise ApiError(503, "unavailable", "trunks are not watched by this server")
    return web.json_response(
        {
            "trunks": [trunk_json(s) for s in trunks.states()],
            "numbers": request.app.get(NUMBERS, []),
            "refused": [refusal_json(r) for r in trunks.refusals()],
            "refused_total": trunks.board.refused,
        }
    )


ROUTES = [
    Route(
        "GET",
        "/trunks",
        list_trunks,
        "The trunks (registration state, calls passed on to the next), our numbers and"
        " their flows, and the latest calls refused because the number is not ours",
        None,
        TRUNK_LIST,
        also=(503,),
    ),
]
