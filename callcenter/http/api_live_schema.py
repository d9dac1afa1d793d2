"""The live board's answer (``GET /queues/live``) as the OpenAPI document declares it: each
queue (who waits, its members, today's figures) and each agent across queues — what the
staff application's types are generated from."""

from __future__ import annotations

from typing import Any

_TEXT, _FLAG, _INT = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
_RATIO = {"type": ["number", "null"]}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(props), "properties": props}


WAITING = _obj({"call_id": _TEXT, "caller": _TEXT, "position": _INT, "wait": {"type": "number"}})
MEMBER = _obj(
    {
        "agent": _TEXT,
        "state": _TEXT,
        "paused": _FLAG,
        "pause_reason": _TEXT,
        "calls_taken": _INT,
    }
)
TODAY = {
    **_obj(
        {
            "offered": _INT,
            "answered": _INT,
            "abandoned": _INT,
            "timed_out": _INT,
            "service_level": _RATIO,
            "average_speed_of_answer": _RATIO,
            "abandonment_rate": _RATIO,
            "average_handle_time": _RATIO,
        }
    ),
    "type": ["object", "null"],
}
QUEUE = _obj(
    {
        "queue": _TEXT,
        "waiting": {"type": "array", "items": WAITING},
        "longest_wait": {"type": "number"},
        "agents": {"type": "array", "items": MEMBER},
        "today": TODAY,
    }
)
AGENT = _obj(
    {
        "agent": _TEXT,
        "name": _TEXT,
        "logged_in": _FLAG,
        # the board's word: available, ringing, on_call, wrap_up, paused, unavailable,
        # logged_out (the desk shows the same)
        "state": _TEXT,
        "pause_reason": _TEXT,
        "paused_for": {"type": ["integer", "null"]},
        "queues": {"type": "object", "additionalProperties": _INT},
    }
)
LIVE = _obj(
    {
        "since": {"type": "string", "format": "date-time"},
        "queues": {"type": "array", "items": QUEUE},
        "agents": {"type": "array", "items": AGENT},
    }
)
