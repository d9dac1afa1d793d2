"""The callbacks' and promises' API documents: their JSON schemas (the OpenAPI document's)
and how a callback, a promise and a day of promises are written."""

from __future__ import annotations

from typing import Any

from callcenter.domain.callbacks import Callback, CallbackState
from callcenter.domain.promises import Promise
from callcenter.http.api_json import iso_time
from callcenter.http.api_promises import PROMISE, promise_json
from callcenter.http.api_schemas import DATETIME, ID, OPT_ID, OPT_TIME, TEXT, obj, string

CALLBACK = obj(
    {
        "id": ID,
        "queue": TEXT,
        "number": TEXT,
        "state": {"type": "string", "enum": [s.value for s in CallbackState]},
        "requested_at": DATETIME,
        "joined_at": DATETIME,
        "priority": {"type": "integer"},
        "call_id": TEXT,
        "ticket_number": OPT_ID,
        "attempts": {"type": "integer"},
        "max_attempts": {"type": "integer"},
        "next_attempt_at": OPT_TIME,
        "agent": TEXT,
        "outcome": TEXT,
        "reason": TEXT,
        "source": TEXT,
        "node": TEXT,  # the cluster node whose placeholder holds the attempt ("": none)
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


CALLBACK_STATE = {"type": "string", "enum": [s.value for s in CallbackState]}


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
        "next_attempt_at": iso_time(c.next_attempt_at),
        "agent": c.agent,
        "outcome": c.outcome,
        "reason": c.reason,
        "source": c.source,
        "node": c.owner_node,
        "merged": merged,
        "promise": promise_json(promise) if promise is not None else None,
    }
