"""The reports' API answers and query parameters, as the OpenAPI document declares them."""

from __future__ import annotations

from typing import Any

from callcenter.domain.reports import GroupBy, Interval
from callcenter.services.reports import OUTCOMES

_TEXT = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}
_RATIO = {"type": ["number", "null"]}
_TIME = {"type": "string", "format": "date-time"}


def _answer(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(props), "properties": props}


DAY = {"type": "string", "format": "date", "maxLength": 10}
QUERY = (
    ("from", {**DAY, "description": "the first local day (default: today)"}),
    ("to", {**DAY, "description": "the last local day, included (default: from)"}),
    ("interval", {"type": "string", "enum": [i.value for i in Interval]}),
    ("group", {"type": "string", "enum": [g.value for g in GroupBy]}),
    ("outcome", {"type": "string", "enum": list(OUTCOMES)}),
    ("day", DAY),
)
FIGURES = _answer(
    {
        "offered": _INT,
        "answered": _INT,
        "abandoned": _INT,
        "short_abandoned": _INT,
        "overflowed": _INT,
        "transferred": _INT,
        "service_level": _RATIO,
        "abandonment_rate": _RATIO,
        "average_speed_of_answer": _RATIO,
        "longest_wait": _RATIO,
        "average_handle_time": _RATIO,
        "target_met": {"type": ["boolean", "null"]},
    }
)
QUEUE_REPORT = _answer(
    {
        "from": DAY,
        "to": DAY,
        "interval": _TEXT,
        "group": _TEXT,
        "timezone": _TEXT,
        "rows": {
            "type": "array",
            "items": _answer({"start": _TIME, "group": _TEXT, "figures": FIGURES}),
        },
        "total": FIGURES,
        "calls": _answer(
            {
                "calls": _INT,
                "contained": _INT,
                "containment": _RATIO,
                "ivr_abandoned": _INT,
                "repeat_24h": _INT,
                "repeat_72h": _INT,
                "repeat_rate_24h": _RATIO,
                "repeat_rate_72h": _RATIO,
            }
        ),
        "counts": {"type": "object", "additionalProperties": _INT},
    }
)
AGENT_REPORT = _answer(
    {
        "from": DAY,
        "to": DAY,
        "agents": {
            "type": "array",
            "items": _answer(
                {
                    "agent": _TEXT,
                    "logged_in": _NUM,
                    "paused": _NUM,
                    "pause_by_reason": {"type": "object", "additionalProperties": _NUM},
                    "ringing": _NUM,
                    "talk": _NUM,
                    "wrap_up": _NUM,
                    "logins": _INT,
                    "answered": _INT,
                    "handle_time": _NUM,
                    "occupancy": _RATIO,
                }
            ),
        },
    }
)
CALL = _answer(
    {
        "id": _INT,
        "call_id": _TEXT,
        "queue": _TEXT,
        "caller": _TEXT,
        "dialled": _TEXT,
        "entered_at": _TIME,
        "outcome": _TEXT,
        "wait": _NUM,
        "talk": _NUM,
        "wrap_up": _NUM,
        "agent": _TEXT,
        "position": _INT,
        "ended_by": _TEXT,
        "source": _TEXT,
    }
)
CALLS = _answer(
    {"items": {"type": "array", "items": CALL}, "next_cursor": {"type": ["string", "null"]}}
)
ALERT = _answer({"rule": _TEXT, "subject": _TEXT, "value": _NUM, "limit": _NUM, "since": _TIME})
ALERTS = _answer({"items": {"type": "array", "items": ALERT}})
VERIFY = _answer(
    {
        "day": DAY,
        "ours": _INT,
        "queue_log": _INT,
        "differences": {
            "type": "array",
            "items": _answer(
                {"call_id": _TEXT, "queue": _TEXT, "what": _TEXT, "ours": _TEXT, "theirs": _TEXT}
            ),
        },
    }
)
CSV = {"type": "string"}
