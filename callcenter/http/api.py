"""The versioned REST API (``/api/v1``) and its OpenAPI document, from one route table."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from callcenter.domain.recordings import RecordingState
from callcenter.domain.tickets import TicketStatus
from callcenter.http import (
    api_agents,
    api_callbacks,
    api_cluster,
    api_customers,
    api_dial_guard,
    api_recordings,
    api_search,
    api_security,
    api_shifts,
    api_tickets,
    api_transcripts,
    api_voicemails,
    api_webhooks,
    api_widgets,
)
from callcenter.http.api_auth import (
    KEYS,
    PERMISSION_ATTR,
    PERMISSIONS,
    auth_middleware,
    idempotency_middleware,
)
from callcenter.http.api_errors import MAX_BODY, ApiError, Handler, errors_middleware
from callcenter.http.api_params import MAX_ID
from callcenter.http.api_routes import CONTROL, STORE, Route
from callcenter.http.api_schemas import ERROR
from callcenter.services.agent_control import AgentControl
from callcenter.services.callbacks import Callbacks
from callcenter.services.ports import ApiKeys, TicketStore
from callcenter.services.recordings import Recordings
from callcenter.services.search import Search
from callcenter.services.sip_bans import SipBans
from callcenter.services.supervision import Supervision
from callcenter.services.transcripts import Transcripts
from callcenter.services.voicemails import Voicemails
from callcenter.services.webhooks import Webhooks

PREFIX = "/api/v1"

ROUTES: list[Route] = [
    *api_customers.ROUTES,
    *api_tickets.ROUTES,
    *api_agents.ROUTES,
    *api_security.ROUTES,
    *api_recordings.ROUTES,
    *api_callbacks.ROUTES,
    *api_webhooks.ROUTES,
    *api_voicemails.ROUTES,
    *api_transcripts.ROUTES,
    *api_search.ROUTES,
    *api_widgets.ROUTES,
    *api_dial_guard.ROUTES,
    *api_shifts.ROUTES,
    *api_cluster.ROUTES,
]
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# Every path and query parameter as the server checks it (api_params): the document says
# exactly what is accepted, so a schema-valid request is never refused for its shape.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "customer_id": _ID,
    "number": _ID,
    "ext": {"type": "string", "pattern": "^[0-9]{2,15}$", "examples": ["1001"]},
    "address": {
        "type": "string",
        "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
        "examples": ["192.0.2.7"],
    },
    "recording_id": _ID,
    "callback_id": _ID,
    "webhook_id": _ID,
    "voicemail_id": _ID,
    "widget_id": {"type": "string", "pattern": "^[a-z][a-z0-9-]{1,39}$", "examples": ["shop"]},
    "call_id": {
        "type": "string",
        "pattern": "^([a-z0-9-]{1,32}-)?[0-9]{1,20}[.][0-9]{1,10}$",
        "examples": ["1733100000.42"],
    },
}
_STATUSES = "|".join(s.value for s in TicketStatus)
QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    "cursor": {"type": "string", "maxLength": 400},
    "q": {"type": "string", "maxLength": 200},
    "since": {"type": "string", "format": "date-time"},
    "status": {"type": "string", "pattern": f"^({_STATUSES})(,({_STATUSES}))*$"},
    "customer_id": _ID,
    "assignee": {"type": "string", "maxLength": 20},
    "tag": {"type": "string", "maxLength": 64},
    "queue": {"type": "string", "maxLength": 80},
    "agent": {"type": "string", "pattern": "^[0-9]{2,15}$"},
    "customer": _ID,
    "ticket": _ID,
    "from": {"type": "string", "format": "date-time"},
    "to": {"type": "string", "format": "date-time"},
    "state": {"type": "string", "enum": [s.value for s in RecordingState]},
}
# ?phone= or ?email=, exactly one: an object parameter exploded into its properties.
CONTACT_QUERY: dict[str, Any] = {
    "name": "contact",
    "in": "query",
    "required": True,
    "style": "form",
    "explode": True,
    "schema": {
        "type": "object",
        "properties": {
            "phone": {"type": "string", "minLength": 1, "maxLength": 40},
            "email": {"type": "string", "minLength": 3, "maxLength": 254},
        },
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 1,
    },
}


def build_api(
    store: TicketStore,
    keys: ApiKeys,
    control: AgentControl | None = None,
    bans: SipBans | None = None,
    recordings: Recordings | None = None,
    supervision: Supervision | None = None,
    callbacks: Callbacks | None = None,
    webhooks: Webhooks | None = None,
    voicemails: Voicemails | None = None,
    transcripts: Transcripts | None = None,
    search: Search | None = None,
    services: Mapping[web.AppKey[Any], Any] | None = None,
) -> web.Application:
    """The API as a sub-application, to mount at :data:`PREFIX`. ``services``: further
    features' services under their routes' keys (widgets, the dial guard…)."""
    api = web.Application(
        middlewares=[errors_middleware, auth_middleware, idempotency_middleware],
        client_max_size=MAX_BODY,
    )
    api[STORE] = store
    api[KEYS] = keys
    if control is not None:
        api[CONTROL] = control
    if bans is not None:
        api[api_security.BANS] = bans
    if recordings is not None:
        api[api_recordings.RECORDINGS] = recordings
    if supervision is not None:
        api[api_agents.SUPERVISION] = supervision
    if callbacks is not None:
        api[api_callbacks.CALLBACKS] = callbacks
    if webhooks is not None:
        api[api_webhooks.WEBHOOKS] = webhooks
    if voicemails is not None:
        api[api_voicemails.VOICEMAILS] = voicemails
    if transcripts is not None:
        api[api_transcripts.TRANSCRIPTS] = transcripts
    if search is not None:
        api[api_search.SEARCH] = search
    for key, service in (services or {}).items():
        api[key] = service
    preflights: set[str] = set()
    for route in ROUTES:
        api.router.add_route(route.method, route.path, _checked_query(route))
        if route.cors and route.path not in preflights:
            preflights.add(route.path)
            api.router.add_route("OPTIONS", route.path, route.handler)
    reasons = control.pause_reasons if control is not None else ()
    document = openapi(reasons)

    async def serve_openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    api.router.add_get("/openapi.json", serve_openapi)
    return api


def openapi(pause_reasons: tuple[str, ...] = ()) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        permission = getattr(route.handler, PERMISSION_ATTR, None)
        if permission is None:  # a widget's page calls it: no token of ours, CORS
            description, security = route.summary, list[dict[str, list[str]]]()
        else:
            roles = ", ".join(sorted(r.value for r in PERMISSIONS[permission]))
            description = f"Permission `{permission}` (roles: {roles})."
            # An API token, or a signed-in page's session (changes need X-CSRF-Token).
            security = [{"bearer": []}, {"session": []}]
        request = route.request
        if route.handler is api_agents.pause_agent and pause_reasons:
            request = api_agents.pause_schema(pause_reasons)
        op: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "summary": route.summary,
            "description": description,
            "security": security,
            "parameters": [
                {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS[n]}
                for n in _path_params(route.path)
            ]
            + [
                CONTACT_QUERY
                if n == "contact"
                else {
                    "name": n,
                    "in": "query",
                    "required": n in route.required_query,
                    "schema": route.query_schema(n, QUERY_SCHEMAS),
                }
                for n in route.query
            ],
            "responses": {
                **{
                    str(code): {
                        "description": "OK",
                        "content": {route.media: {"schema": route.response}},
                    }
                    for code in (route.status, *(c for c in route.also if c < 300))
                },
                **{
                    str(code): {"$ref": f"#/components/responses/{_ERRORS[code]}"}
                    for code in sorted({*_COMMON, *(c for c in route.also if c >= 400)})
                },
            },
        }
        if request is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": request}},
            }
        if route.method == "POST":  # the only method the idempotency middleware serves
            op["parameters"].append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                }
            )
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = op
        if route.cors:
            paths[PREFIX + route.path]["options"] = _preflight(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "callcenter API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "cc_session"},
            },
            "responses": {
                name: {
                    "description": name,
                    "content": {
                        "application/json": {"schema": ERROR},
                        # A request line or header over 8190 bytes is refused by the HTTP
                        # parser itself, before any handler: plain text.
                        **({"text/plain": {"schema": {"type": "string"}}} if code == 400 else {}),
                    },
                }
                for code, name in _ERRORS.items()
            },
        },
    }


_ERRORS = {
    400: "BadJson",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "TooLarge",
    416: "RangeNotSatisfiable",
    422: "Invalid",
    429: "TooManyRequests",
    503: "Unavailable",
}
_COMMON = (400, 401, 403, 404, 413, 422)


def _preflight(route: Route) -> dict[str, Any]:
    """The browser's CORS preflight of a route that pages of other origins call."""
    return {
        "operationId": f"{route.handler.__name__}_preflight",
        "summary": "CORS preflight: allowed for the widget's own origins only",
        "security": [],
        "parameters": [
            {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS[n]}
            for n in _path_params(route.path)
        ],
        "responses": {
            "204": {"description": "Allowed (Access-Control-Allow-Origin: the page's origin)"},
            "403": {"$ref": "#/components/responses/Forbidden"},
        },
    }


def _checked_query(route: Route) -> Handler:
    """The route's handler, behind a check of its string query parameters against the
    document (length, pattern): what the document declares is what is enforced."""
    strings = {
        n: schema
        for n in route.query
        if n != "contact"
        and (schema := route.query_schema(n, QUERY_SCHEMAS)).get("type") == "string"
    }
    if not strings:
        return route.handler

    async def checked(request: web.Request) -> web.StreamResponse:
        for name, schema in strings.items():
            value = request.query.get(name)
            if value is None:
                continue
            if len(value) > schema.get("maxLength", len(value)):
                raise ApiError(
                    422, "invalid_field", f"{name}: over {schema['maxLength']} characters", name
                )
            if "pattern" in schema and re.search(schema["pattern"], value) is None:
                raise ApiError(422, "invalid_field", f"{name}: {value!r} is not allowed", name)
        return await route.handler(request)

    functools.update_wrapper(checked, route.handler)  # keeps its name and permission
    return checked


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
