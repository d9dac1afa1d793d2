"""/api/v1/admission: the load the centre takes (the configured ceilings), whether the
daemon's door is open now and why not, the live signals it looks at, and the callers
admitted, refused (503) and offered a callback since the daemon started."""

from __future__ import annotations

from aiohttp import web

from callcenter.config_admission import AdmissionConfig
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import obj
from callcenter.services.admission import Admission

ADMISSION: web.AppKey[tuple[Admission, AdmissionConfig]] = web.AppKey("admission")
_INT = {"type": "integer"}
_NUMBER = {"type": "number"}
_NULLABLE_NUMBER = {"type": ["number", "null"]}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time", "maxLength": 40}
LIMITS = obj(
    {
        "max_calls": _INT,
        "max_rate": _INT,
        "max_told": _INT,
        "mode": {"type": "string", "enum": ["callback", "refuse"]},
        "callback_queue": {"type": "string"},
        "retry_after": _INT,
        "max_loop_lag": _NUMBER,
        "max_asterisk_cpu": _NUMBER,
        "max_entry_lag": _NUMBER,
    },
    (
        "max_calls",
        "max_rate",
        "max_told",
        "mode",
        "callback_queue",
        "retry_after",
        "max_loop_lag",
        "max_asterisk_cpu",
        "max_entry_lag",
    ),
)
ADMISSION_STATE = obj(
    {
        "open": {"type": "boolean"},
        "calls_up": {"type": ["integer", "null"]},
        "why": {"type": "string"},
        "closed_since": _NULLABLE_TIME,
        "signals": obj(
            {"loop_lag": _NUMBER, "asterisk_cpu": _NULLABLE_NUMBER, "entry_lag": _NUMBER},
            ("loop_lag", "asterisk_cpu", "entry_lag"),
        ),
        "counts": obj(
            {"admitted": _INT, "refused": _INT, "callback": _INT},
            ("admitted", "refused", "callback"),
        ),
        "by_reason": {"type": "object", "additionalProperties": _INT},
        "limits": LIMITS,
    },
    ("open", "calls_up", "why", "closed_since", "signals", "counts", "by_reason", "limits"),
)


def limits_json(c: AdmissionConfig, queue: str) -> dict[str, object]:
    return {
        "max_calls": c.max_calls,
        "max_rate": c.max_rate,
        "max_told": c.max_told,
        "mode": c.mode,
        "callback_queue": queue,
        "retry_after": c.retry_after,
        "max_loop_lag": c.max_loop_lag,
        "max_asterisk_cpu": c.max_asterisk_cpu,
        "max_entry_lag": c.max_entry_lag,
    }


@permission("admission:read")
async def admission_state(request: web.Request) -> web.Response:
    found = request.app.get(ADMISSION)
    if found is None:
        raise ApiError(503, "unavailable", "admission is not watched by this server")
    admission, config = found
    limits = limits_json(config, admission.callback_queue)
    return web.json_response({**admission.state(), "limits": limits})


ROUTES = [
    Route(
        "GET",
        "/admission",
        admission_state,
        "The load the centre takes and whether it takes more now: the ceilings, the door"
        " the live signals close, and the callers admitted, refused and offered a callback",
        None,
        ADMISSION_STATE,
        also=(503,),
    ),
]
