"""The OpenAPI document of the API, from the route table: every path and query parameter as
the server checks it, every answer, the security of each operation."""

from __future__ import annotations

from typing import Any

from callcenter.domain.recordings import RecordingState
from callcenter.domain.tickets import TicketStatus
from callcenter.http import (
    api_agents,
)
from callcenter.http.api_auth import (
    PERMISSION_ATTR,
    PERMISSIONS,
)
from callcenter.http.api_params import MAX_ID
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import ERROR, text_param

ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


# Every path and query parameter as the server checks it (api_params): the document says
# exactly what is accepted, so a schema-valid request is never refused for its shape.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "customer_id": ID,
    "number": ID,
    "ext": {"type": "string", "pattern": "^[0-9]{2,15}$", "examples": ["1001"]},
    "address": {
        "type": "string",
        "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}],
        "examples": ["192.0.2.7"],
    },
    "recording_id": ID,
    "callback_id": ID,
    "webhook_id": ID,
    "voicemail_id": ID,
    "answer_id": ID,
    "article_id": ID,
    "widget_id": {"type": "string", "pattern": "^[a-z][a-z0-9-]{1,39}$", "examples": ["shop"]},
    "file": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9_-]{0,60}[.]ya?ml$",
        "examples": ["main.yaml"],
    },
    "version_id": ID,
    "survey_id": ID,
    "evaluation_id": ID,
    "token": {
        "type": "string",
        "pattern": "^[0-9]{1,12}[.][0-9]{1,12}[.][A-Za-z0-9_-]{1,40}$",  # api_surveys.TOKEN
        "examples": ["1.1767225600.AbCd"],
    },
    "username": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9._-]{1,39}$",
        "examples": ["olga"],
    },
    "call_id": {
        "type": "string",
        "pattern": "^([a-z0-9-]{1,32}-)?[0-9]{1,20}[.][0-9]{1,10}$",
        "examples": ["1733100000.42"],
    },
}


STATUSES = "|".join(s.value for s in TicketStatus)


QUERY_SCHEMAS: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    "cursor": {"type": "string", "maxLength": 400},
    "q": {"type": "string", "maxLength": 200},
    "since": {"type": "string", "format": "date-time"},
    "status": {"type": "string", "pattern": f"^({STATUSES})(,({STATUSES}))*$"},
    "customer_id": ID,
    "assignee": {"type": "string", "maxLength": 20},
    "tag": {"type": "string", "maxLength": 64},
    "queue": {"type": "string", "maxLength": 80},
    "agent": {"type": "string", "pattern": "^[0-9]{2,15}$"},
    "customer": ID,
    "ticket": ID,
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


def openapi(
    routes: list[Route], prefix: str, pause_reasons: tuple[str, ...] = ()
) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        op = operation(route, pause_reasons)
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = op
        if route.cors:
            paths[prefix + route.path]["options"] = preflight(route)
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
                for code, name in ERRORS.items()
            },
        },
    }


def _parameters(route: Route) -> list[dict[str, Any]]:
    """The route's path and query parameters, as the server checks them."""
    path = [
        {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS[n]}
        for n in path_params(route.path)
    ]
    query = [
        CONTACT_QUERY
        if n == "contact"
        else {
            "name": n,
            "in": "query",
            "required": n in route.required_query,
            "schema": text_param(route.query_schema(n, QUERY_SCHEMAS)),
        }
        for n in route.query
    ]
    return path + query


def operation(route: Route, pause_reasons: tuple[str, ...]) -> dict[str, Any]:
    """One route's operation in the document: parameters, bodies, answers, security."""
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
        "parameters": _parameters(route),
        "responses": {
            **{
                str(code): {
                    "description": "OK",
                    "content": {route.media: {"schema": route.response}},
                }
                for code in (route.status, *(c for c in route.also if c < 300))
            },
            **{
                str(code): {"$ref": f"#/components/responses/{ERRORS[code]}"}
                for code in sorted({*COMMON, *(c for c in route.also if c >= 400)})
            },
        },
    }
    if request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": request}},
        }
    # POST is the only method the idempotency middleware serves, and only behind a token
    # (a public route's credential is in its path or body: the widget's, a survey link's).
    if route.method == "POST" and hasattr(route.handler, PERMISSION_ATTR):
        op["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        )
    return op


ERRORS = {
    400: "BadJson",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "TooLarge",
    410: "Gone",
    416: "RangeNotSatisfiable",
    422: "Invalid",
    429: "TooManyRequests",
    503: "Unavailable",
}


COMMON = (400, 401, 403, 404, 413, 422)


def preflight(route: Route) -> dict[str, Any]:
    """The browser's CORS preflight of a route that pages of other origins call."""
    return {
        "operationId": f"{route.handler.__name__}_preflight",
        "summary": "CORS preflight: allowed for the widget's own origins only",
        "security": [],
        "parameters": [
            {"name": n, "in": "path", "required": True, "schema": PATH_SCHEMAS[n]}
            for n in path_params(route.path)
        ],
        "responses": {
            "204": {"description": "Allowed (Access-Control-Allow-Origin: the page's origin)"},
            "403": {"$ref": "#/components/responses/Forbidden"},
        },
    }


def path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
