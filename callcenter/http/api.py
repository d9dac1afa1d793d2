"""The versioned REST API (``/api/v1``): the routes the assembled features declare, and its
OpenAPI document built from the same routes."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from callcenter.http.api_auth import (
    auth_middleware,
    idempotency_middleware,
)
from callcenter.http.api_document import QUERY_SCHEMAS, openapi
from callcenter.http.api_errors import MAX_BODY, ApiError, Handler, errors_middleware
from callcenter.http.api_routes import CONTROL, Route
from callcenter.http.api_schemas import text_param

PREFIX = "/api/v1"


def build_api(services: Mapping[web.AppKey[Any], Any], routes: Sequence[Route]) -> web.Application:
    """The API as a sub-application, to mount at :data:`PREFIX`, with the features'
    services under their routes' keys (the ticket store and the API keys at least)."""
    api = web.Application(
        middlewares=[errors_middleware, auth_middleware, idempotency_middleware],
        client_max_size=MAX_BODY,
    )
    for key, service in services.items():
        api[key] = service
    control = services.get(CONTROL)
    preflights: set[str] = set()
    for route in routes:
        api.router.add_route(route.method, route.path, _checked_query(route))
        if route.cors and route.path not in preflights:
            preflights.add(route.path)
            api.router.add_route("OPTIONS", route.path, route.handler)
    reasons = control.pause_reasons if control is not None else ()
    document = openapi(list(routes), PREFIX, reasons)

    async def serve_openapi(_request: web.Request) -> web.Response:
        return web.json_response(document)

    api.router.add_get("/openapi.json", serve_openapi)
    return api


def _checked_query(route: Route) -> Handler:
    """The route's handler, behind a check of its query parameters against the document
    (a string's length, pattern and enum; an integer's bounds): what the document declares
    is what is enforced."""
    declared = {
        n: schema
        for n in route.query
        if n != "contact"
        and (schema := text_param(route.query_schema(n, QUERY_SCHEMAS))).get("type")
        in ("string", "integer")
    }
    if not declared:
        return route.handler

    async def checked(request: web.Request) -> web.StreamResponse:
        for name, schema in declared.items():
            value = request.query.get(name)
            if value is not None:
                _check_param(name, value, schema)
        return await route.handler(request)

    functools.update_wrapper(checked, route.handler)  # keeps its name and permission
    return checked


def _check_param(name: str, value: str, schema: dict[str, Any]) -> None:
    if schema.get("type") == "integer":
        try:
            number = int(value)
        except ValueError:
            raise ApiError(
                422, "invalid_field", f"{name}: {value!r} is not a whole number", name
            ) from None
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            raise ApiError(422, "invalid_field", f"{name}: {number} is not {low}..{high}", name)
        return
    if len(value) > schema.get("maxLength", len(value)):
        raise ApiError(422, "invalid_field", f"{name}: over {schema['maxLength']} characters", name)
    if "\x00" in value:  # PostgreSQL text (and most clients) cannot hold NUL
        raise ApiError(422, "invalid_field", f"{name}: holds a NUL character", name)
    if "pattern" in schema and re.search(schema["pattern"], value) is None:
        raise ApiError(422, "invalid_field", f"{name}: {value!r} is not allowed", name)
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(schema["enum"])
        raise ApiError(422, "invalid_field", f"{name}: {value!r} is not one of {allowed}", name)
