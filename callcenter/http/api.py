"""The versioned REST API (``/api/v1``) and its OpenAPI document, from one route table."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.http import api_agents, api_customers, api_security, api_tickets
from callcenter.http.api_auth import (
    KEYS,
    PERMISSION_ATTR,
    PERMISSIONS,
    auth_middleware,
    idempotency_middleware,
)
from callcenter.http.api_errors import MAX_BODY, errors_middleware
from callcenter.http.api_routes import CONTROL, STORE, Route
from callcenter.http.api_schemas import ERROR
from callcenter.services.agent_control import AgentControl
from callcenter.services.ports import ApiKeys, TicketStore
from callcenter.services.sip_bans import SipBans

PREFIX = "/api/v1"
ROUTES: list[Route] = [
    *api_customers.ROUTES,
    *api_tickets.ROUTES,
    *api_agents.ROUTES,
    *api_security.ROUTES,
]
# Path parameters that are not integer ids.
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "ext": {"type": "string", "pattern": "^[0-9]{2,15}$"},
    "address": {"type": "string", "maxLength": 45},
}


def build_api(
    store: TicketStore,
    keys: ApiKeys,
    control: AgentControl | None = None,
    bans: SipBans | None = None,
) -> web.Application:
    """The API as a sub-application, to mount at :data:`PREFIX`."""
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
    for route in ROUTES:
        api.router.add_route(route.method, route.path, route.handler)
    document = openapi()

    async def serve_openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    api.router.add_get("/openapi.json", serve_openapi)
    return api


def openapi() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        permission = getattr(route.handler, PERMISSION_ATTR)
        roles = ", ".join(sorted(r.value for r in PERMISSIONS[permission]))
        op: dict[str, Any] = {
            "operationId": route.handler.__name__,
            "summary": route.summary,
            "description": f"Permission `{permission}` (roles: {roles}).",
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": n,
                    "in": "path",
                    "required": True,
                    "schema": PATH_SCHEMAS.get(n, {"type": "integer"}),
                }
                for n in _path_params(route.path)
            ]
            + [
                {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in route.query
            ],
            "responses": {
                str(route.status): {
                    "description": "OK",
                    "content": {"application/json": {"schema": route.response}},
                },
                **{
                    str(code): {"$ref": f"#/components/responses/{name}"}
                    for code, name in _ERRORS.items()
                },
            },
        }
        if route.request is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": route.request}},
            }
            op["parameters"].append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 200},
                }
            )
        paths.setdefault(PREFIX + route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "callcenter API", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                name: {
                    "description": name,
                    "content": {"application/json": {"schema": ERROR}},
                }
                for name in _ERRORS.values()
            },
        },
    }


_ERRORS = {
    400: "BadJson",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    413: "TooLarge",
    422: "Invalid",
    503: "Unavailable",
}


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]
