"""The route table both the router and the OpenAPI document are built from."""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web

from callcenter.http.api_errors import Handler
from callcenter.services.agent_control import AgentControl
from callcenter.services.ports import TicketStore

STORE: web.AppKey[TicketStore] = web.AppKey("ticket_store")
CONTROL = web.AppKey("agent_control", AgentControl)


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str  # relative to /api/v1
    handler: Handler
    summary: str
    request: dict[str, Any] | None
    response: dict[str, Any]
    status: int = 200
    query: tuple[str, ...] = ()
    required_query: tuple[str, ...] = ()  # of ``query``, those a request must carry
    # Statuses this operation answers besides ``status`` and the common errors (e.g. 200
    # for a replayed import, 409 for an agent's state, 503 when Asterisk is unreachable).
    also: tuple[int, ...] = ()
    media: str = "application/json"  # what a success carries (audio/wav for a recording)
    # Query parameters whose schema differs on this route (e.g. ``state``: each resource
    # has its own states); the others are api.QUERY_SCHEMAS'.
    query_schemas: tuple[tuple[str, dict[str, Any]], ...] = ()
    # Called by pages of other origins (the widget's): CORS, and a preflight route.
    cors: bool = False

    def query_schema(self, name: str, shared: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return dict(self.query_schemas).get(name) or shared[name]
