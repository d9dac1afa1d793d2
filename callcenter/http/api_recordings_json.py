"""The recordings' API documents: their JSON schemas (the OpenAPI document's) and how a
recording is written."""

from __future__ import annotations

from typing import Any

from callcenter.domain.recordings import Recording, RecordingState
from callcenter.http.api_schemas import DATETIME, ID, obj, string

OPT_ID = {"type": ["integer", "null"]}

_TEXT, _NUM = {"type": "string"}, {"type": "number"}


PAUSE = obj(
    {"start": _NUM, "end": {"type": ["number", "null"]}, "by": _TEXT}, ("start", "end", "by")
)


LISTEN = obj(
    {"who": _TEXT, "role": _TEXT, "address": _TEXT, "at": DATETIME, "allowed": {"type": "boolean"}},
    ("who", "role", "address", "at", "allowed"),
)


RECORDING = obj(
    {
        "id": ID,
        "call_id": _TEXT,
        "state": {"type": "string", "enum": [s.value for s in RecordingState]},
        "started_at": DATETIME,
        "ended_at": {"type": ["string", "null"], "format": "date-time"},
        "duration": _NUM,
        "bytes": {"type": "integer"},
        "sha256": _TEXT,
        "channels": {"type": "integer"},
        "queue": _TEXT,
        "agent": _TEXT,
        "ticket_number": OPT_ID,
        "customer_id": OPT_ID,
        "pauses": {"type": "array", "items": PAUSE},
        "retain_until": {"type": ["string", "null"], "format": "date-time"},
        "problem": _TEXT,
        "kind": {"type": "string", "enum": ["call", "voicemail"]},
        "audio_url": _TEXT,
        "listens": {"type": "array", "items": LISTEN},
    },
    ("id", "call_id", "state", "started_at", "duration", "pauses", "audio_url"),
)


HOLD = obj({"reason": string(300, 1)}, ("reason",))


HOLD_STATE = obj(
    {"ticket_number": ID, "on_hold": {"type": "boolean"}}, ("ticket_number", "on_hold")
)


def recording_json(r: Recording, listens: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "call_id": r.call_id,
        "state": r.state.value,
        "started_at": r.started_at.isoformat(),
        "ended_at": r.ended_at.isoformat() if r.ended_at else None,
        "duration": r.duration,
        "bytes": r.bytes,
        "sha256": r.sha256,
        "channels": r.channels,
        "queue": r.queue,
        "agent": r.agent,
        "ticket_number": r.ticket_number,
        "customer_id": r.customer_id,
        "pauses": [{"start": x.start, "end": x.end, "by": x.by} for x in r.pauses],
        "retain_until": r.retain_until.isoformat() if r.retain_until else None,
        "problem": r.problem,
        "kind": r.kind,
        "audio_url": f"/api/v1/recordings/{r.id}/audio",
    }
    if listens is not None:
        out["listens"] = [
            {
                "who": x.who,
                "role": x.role,
                "address": x.address,
                "at": x.at.isoformat(),
                "allowed": x.allowed,
            }
            for x in listens
        ]
    return out
