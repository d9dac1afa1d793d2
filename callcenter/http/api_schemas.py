"""JSON Schemas of request bodies (checked on every request) and of responses (for the
OpenAPI document). Unknown fields and oversized values are refused, naming the field."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from callcenter.domain.tickets import (
    POSTABLE_KINDS,
    Channel,
    Direction,
    InteractionKind,
    Priority,
    TicketStatus,
)
from callcenter.http.api_errors import ApiError


def string(max_length: int, min_length: int = 0) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "minLength": min_length}


def _enum(values: type[Any]) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


NO_NUL = "^[^\\x00]*$"  # no text a store keeps may hold NUL (PostgreSQL cannot)


def text_param(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema as the document states it: a free string (no pattern,
    enum or format of its own) may hold any character but NUL."""
    if schema.get("type") != "string" or {"pattern", "enum", "format"} & set(schema):
        return schema
    return {**schema, "pattern": NO_NUL}


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


DATETIME = {"type": "string", "format": "date-time", "maxLength": 40}
TEXT, NUMBER = {"type": "string"}, {"type": "number"}
OPT_TIME = {"type": ["string", "null"], "format": "date-time"}  # an answer's time, or null
OPT_ID = {"type": ["integer", "null"]}
TAGS = {"type": "array", "items": string(64, 1), "maxItems": 50}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # the databases' id columns

CUSTOMER_CREATE = obj(
    {
        "name": string(200, 1),
        "phones": {"type": "array", "items": string(40, 1), "maxItems": 20},
        "emails": {"type": "array", "items": string(254, 3), "maxItems": 20},
        "chat_handles": {"type": "array", "items": string(233, 3), "maxItems": 20},
    },
    ("name",),
)
CUSTOMER_MERGE = obj({"from": ID}, ("from",))
TICKET_CREATE = obj(
    {
        "subject": string(200, 1),
        "customer_id": ID,
        "priority": _enum(Priority),
        "channel": _enum(Channel),
        "queue": string(80),
        "assignee": string(20),
        "tags": TAGS,
        "due_at": DATETIME,
    },
    ("subject",),
)
TICKET_UPDATE = obj(
    {
        "status": _enum(TicketStatus),
        "priority": _enum(Priority),
        "assignee": string(20),
        "tags": TAGS,
        "customer_id": ID,
        "subject": string(200, 1),
        "due_at": DATETIME,
    }
)
INTERACTION_CREATE = obj(
    {
        "kind": {"type": "string", "enum": [k.value for k in POSTABLE_KINDS]},
        "direction": _enum(Direction),
        "body": string(65536),
        "author": string(120),
        "source": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,15}$"},
        "source_id": string(128),
        "linked_id": string(64),
        "occurred_at": DATETIME,
        "data": {"type": "object", "maxProperties": 50},
    },
    ("kind",),
)
HANDOFF_CREATE = obj({"body": string(8000, 1), "author": string(120, 1)}, ("body", "author"))

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["id", "message"],
            "properties": {
                "id": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
                # a flow draft refused: every problem at its line and column
                "issues": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}
CONTACT = {
    "type": "object",
    "properties": {"kind": {"type": "string"}, "value": {"type": "string"}},
}
CUSTOMER = {
    "type": "object",
    "required": ["id", "name", "contacts", "created_at", "merged_into"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "contacts": {"type": "array", "items": CONTACT},
        "created_at": {"type": "string", "format": "date-time"},
        "merged_into": {"type": ["integer", "null"]},
    },
}
TICKET = {
    "type": "object",
    "required": ["number", "subject", "status", "priority", "channel", "customer_id", "tags"],
    "properties": {
        "number": {"type": "integer"},
        "subject": {"type": "string"},
        "status": _enum(TicketStatus),
        "priority": _enum(Priority),
        "channel": _enum(Channel),
        "customer_id": {"type": ["integer", "null"]},
        "queue": {"type": "string"},
        "assignee": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "due_at": {"type": ["string", "null"]},
        "first_response_at": {"type": ["string", "null"]},
        "resolved_at": {"type": ["string", "null"]},
        "created_at": {"type": "string"},
        "updated_at": {"type": "string"},
        "caller_ambiguous": {"type": "boolean"},
    },
}
INTERACTION = {
    "type": "object",
    "required": ["id", "ticket_number", "kind", "direction", "occurred_at"],
    "properties": {
        "id": {"type": "integer"},
        "ticket_number": {"type": "integer"},
        "customer_id": {"type": ["integer", "null"]},
        "kind": _enum(InteractionKind),
        "direction": _enum(Direction),
        "occurred_at": {"type": "string"},
        "body": {"type": "string"},
        "author": {"type": "string"},
        "source": {"type": "string"},
        "source_id": {"type": "string"},
        "linked_id": {"type": "string"},
        "data": {"type": "object"},
    },
}


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": item},
            "next_cursor": {"type": ["string", "null"]},
        },
    }


TICKET_VIEW = {
    "type": "object",
    "required": ["ticket", "timeline"],
    "properties": {"ticket": TICKET, "timeline": {"type": "array", "items": INTERACTION}},
}
HANDOFF = {
    "type": "object",
    "required": ["ticket", "note"],
    "properties": {"ticket": TICKET, "note": {"oneOf": [INTERACTION, {"type": "null"}]}},
}
CALLER_HISTORY = {
    "type": "object",
    "required": ["phone", "customer", "open_tickets", "recent", "ambiguous", "candidates"],
    "properties": {
        "phone": {"type": "string"},
        "customer": {"oneOf": [CUSTOMER, {"type": "null"}]},
        "open_tickets": {"type": "array", "items": TICKET},
        "recent": {"type": "array", "items": INTERACTION},
        "ambiguous": {"type": "boolean"},
        "candidates": {"type": "array", "items": {"type": "integer"}},
        "handoff_notes": {"type": "array", "items": INTERACTION},
    },
}

_VALIDATORS: dict[int, Draft202012Validator] = {}


def check(schema: dict[str, Any], body: object) -> dict[str, Any]:
    """``body`` if it matches ``schema``; else 422 naming the first offending field."""
    validator = _VALIDATORS.setdefault(id(schema), Draft202012Validator(schema))
    errors = sorted(validator.iter_errors(body), key=lambda e: (len(e.path), list(e.path)))
    if not errors:
        assert isinstance(body, dict)
        return body
    error = errors[0]
    field = _path(error.absolute_path)
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - known)
        field = _path([*error.absolute_path, extra[0]]) if extra else field
        raise ApiError(422, "unknown_field", f"{field}: unknown field", field)
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        field = _path([*error.absolute_path, missing])
        raise ApiError(422, "missing_field", f"{field}: required", field)
    if error.validator == "type" and not error.absolute_path:
        raise ApiError(422, "invalid_body", "request body must be a JSON object")
    if error.validator in ("maxLength", "maxItems", "maxProperties"):
        message = f"larger than the limit of {error.validator_value}"
    else:
        message = error.message if len(error.message) < 200 else error.message[:200] + "…"
    raise ApiError(422, "invalid_field", f"{field}: {message}", field or None)


def _path(parts: object) -> str:
    out = ""
    for part in parts:  # type: ignore[attr-defined]
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
