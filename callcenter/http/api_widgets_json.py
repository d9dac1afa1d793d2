"""The widgets' API documents: their JSON schemas (the OpenAPI document's) and how a widget,
its snippet and its status are written."""

from __future__ import annotations

from typing import Any

from callcenter.domain.widgets import WIDGET_ID, Widget
from callcenter.http.api_promises import PROMISE
from callcenter.http.api_schemas import DATETIME, ID, obj, string
from callcenter.services.widgets import WidgetStatus

OPT_TIME = {"type": ["string", "null"], "format": "date-time"}

_TEXT, _BOOL = {"type": "string"}, {"type": "boolean"}


ORIGIN = string(200, 8)


WIDGET = obj(
    {
        "id": _TEXT,
        "name": _TEXT,
        "queue": _TEXT,
        "origins": {"type": "array", "items": _TEXT},
        "call_now": _BOOL,
        "flow": _TEXT,
        "enabled": _BOOL,
        "created_at": OPT_TIME,
        "snippet": _TEXT,
    },
    ("id", "queue", "origins", "call_now", "enabled", "snippet"),
)


WIDGET_WRITE = obj(
    {
        "id": {"type": "string", "pattern": WIDGET_ID.pattern, "maxLength": 40},
        "name": string(80),
        "queue": string(80, 1),
        "origins": {"type": "array", "items": ORIGIN, "minItems": 1, "maxItems": 10},
        "call_now": _BOOL,
        "flow": string(120),
        "enabled": _BOOL,
    },
    ("id", "queue", "origins"),
)


STATUS = obj(
    {
        "widget": _TEXT,
        "name": _TEXT,
        "open": _BOOL,
        "opens_at": OPT_TIME,
        "wait_seconds": {"type": "number"},
        "promise_due_at": OPT_TIME,
        "call_now": _BOOL,
    },
    ("widget", "open", "wait_seconds", "call_now"),
)


SESSION = obj({"token": _TEXT, "expires_at": DATETIME}, ("token", "expires_at"))


WEB_CALLBACK = obj(
    {
        "token": string(2000, 1),
        "number": string(32, 1),
        "at": DATETIME,
        "page": string(300),
    },
    ("token", "number"),
)


WEB_CALLBACK_ANSWER = obj(
    {"callback_id": ID, "merged": _BOOL, "promise": PROMISE}, ("callback_id", "merged", "promise")
)


WEB_CALL = obj({"token": string(2000, 1), "page": string(300)}, ("token",))


WEB_CALL_ANSWER = obj(
    {"session": _TEXT, "websocket": _TEXT, "target": _TEXT, "expires_at": DATETIME},
    ("session", "websocket", "target"),
)


def widget_json(w: Widget, base: str = "") -> dict[str, Any]:
    return {
        "id": w.id,
        "name": w.name,
        "queue": w.queue,
        "origins": list(w.origins),
        "call_now": w.call_now,
        "flow": w.flow,
        "enabled": w.enabled,
        "created_at": w.created_at.isoformat() if w.created_at else None,
        "snippet": snippet(w.id, base),
    }


def snippet(widget_id: str, base: str) -> str:
    """What a site owner pastes into their page."""
    return f'<script src="{base}/widget.js" data-widget="{widget_id}" async></script>'


def status_json(s: WidgetStatus) -> dict[str, Any]:
    return {
        "widget": s.widget.id,
        "name": s.widget.name,
        "open": s.open,
        "opens_at": s.opens_at.isoformat() if s.opens_at else None,
        "wait_seconds": round(s.wait_seconds, 1),
        "promise_due_at": s.promise_due_at.isoformat() if s.promise_due_at else None,
        "call_now": s.call_now,
    }
