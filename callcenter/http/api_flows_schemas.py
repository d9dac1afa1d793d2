"""The flow editor's API bodies and answers, as the OpenAPI document declares them."""

from __future__ import annotations

from typing import Any

from callcenter.http.api_schemas import DATETIME, ID, obj, string

_TEXT = {"type": "string"}
_LIST = {"type": "array", "items": _TEXT}
FILE_NAME = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,60}[.]ya?ml$"}
FLOW_TEXT = string(256 * 1024)  # the loader's own limit


def _answer(props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(props), "properties": props}


DRAFT = obj({"file": FILE_NAME, "text": FLOW_TEXT}, ("file", "text"))
SIMULATE = obj(
    {
        "file": FILE_NAME,
        "text": FLOW_TEXT,
        "flow": string(64, 1),
        "digits": {"type": "array", "items": string(32), "maxItems": 50},
        "caller": string(32),
        "at": {**DATETIME, "description": "the time of day to simulate (default: now)"},
        "stubs": {
            "type": "object",
            "maxProperties": 20,
            "additionalProperties": {"oneOf": [{"type": "object"}, string(200)]},
            "description": "a lookup endpoint's answer (an object), or its failure (a text); "
            "an endpoint without one fails",
        },
    },
    ("file", "text", "flow"),
)
PUBLISH = obj({"text": FLOW_TEXT, "note": string(500)}, ("text",))

ISSUE = _answer(
    {
        "file": _TEXT,
        "line": {"type": "integer"},
        "column": {"type": "integer"},
        "path": _TEXT,
        "code": _TEXT,
        "message": _TEXT,
    }
)
GRAPH = _answer(
    {
        "flow": _TEXT,
        "entry": _TEXT,
        "nodes": {"type": "array", "items": _answer({"id": _TEXT, "type": _TEXT})},
        "edges": {
            "type": "array",
            "items": _answer({"from": _TEXT, "to": _TEXT, "label": _TEXT}),
        },
    }
)
ISSUES = _answer(
    {
        "issues": {"type": "array", "items": ISSUE},
        "graph": {"type": "array", "items": GRAPH},
    }
)
SIMULATION = _answer({"lines": _LIST})
FILES = _answer(
    {
        "items": {
            "type": "array",
            "items": _answer({"file": _TEXT, "flows": _LIST, "text": _TEXT}),
        }
    }
)
_VERSION_PROPS = {
    "id": ID,
    "file": _TEXT,
    "digest": _TEXT,
    "published_at": DATETIME,
    "published_by": _TEXT,
    "note": _TEXT,
}
VERSION = _answer(_VERSION_PROPS)
FILE = _answer({**_VERSION_PROPS, "content": _TEXT})
HISTORY = _answer({"items": {"type": "array", "items": VERSION}})
DIFF = _answer({"lines": _LIST})
