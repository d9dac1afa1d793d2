"""Token auth with roles, and idempotent POSTs.

Each route names one permission; the table below says which roles hold it. Tokens come as
``Authorization: Bearer <token>`` and are created with ``callcenter tokens create``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.api_errors import ApiError, Handler, error_response
from callcenter.http.staff_auth import CHANGES, csrf_ok, staff_session
from callcenter.services.ports import ApiKeys, ApiPrincipal, StoredResponse

ALL = frozenset(Role)
STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})
LEADS = frozenset({Role.ADMIN, Role.SUPERVISOR})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "customers:read": ALL,
    "customers:write": ALL,
    "customers:merge": LEADS,
    "tickets:read": ALL,
    "tickets:create": ALL,
    "tickets:update": STAFF,
    "interactions:append": ALL,
    "handoffs:read": STAFF,
    "handoffs:write": STAFF,
    "handoffs:acknowledge": STAFF,  # agents: their own reading (checked per extension)
    "handoffs:figures": LEADS,
    "workspace:read": STAFF,  # agents: their own desk
    "agents:pause": STAFF,
    "queues:read": LEADS,
    "trunks:read": LEADS,  # carriers, registrations, our numbers, refused calls
    "admission:read": LEADS,  # the load taken, the door, callers refused or offered callbacks
    "agents:listen": LEADS,
    "security:bans": frozenset({Role.ADMIN}),
    "recordings:read": STAFF,  # agents: the calls they took (checked per recording)
    "recordings:pause": STAFF,  # agents: their own live call
    "recordings:hold": LEADS,
    "callbacks:request": ALL,  # integrations (the chat side, the widget), agents, leads
    "callbacks:read": STAFF,
    "callbacks:cancel": STAFF,
    "promises:read": STAFF,
    "voicemails:read": STAFF,
    "voicemails:answer": STAFF,
    "webhooks:manage": frozenset({Role.ADMIN}),
    "widgets:read": LEADS,
    "widgets:manage": frozenset({Role.ADMIN}),
    "guard:read": LEADS,  # the toll-fraud guard's decisions
    "tickets:call": ALL,  # a chat ticket's "call" button (the chat side, agents)
    "cluster:read": LEADS,  # the nodes, their leases and claims
    "flows:read": LEADS,  # the IVR flows' files, versions, checks and simulations
    "flows:publish": frozenset({Role.ADMIN}),  # publish a flow file, roll one back
    "directory:read": LEADS,  # the queues as configured, the agents with their skills
    "staff:manage": frozenset({Role.ADMIN}),  # staff accounts: list, disable, enable
    "reports:read": LEADS,  # figures, the calls behind them, exports, alerts, verify
    "answers:read": ALL,  # canned answers: the desk, the ticket page, the chat side
    "answers:write": LEADS,
    "articles:read": ALL,  # the knowledge base: staff and the chat side
    "articles:write": LEADS,
    "topics:manage": LEADS,  # tags: categories, colours, synonyms, retired
    "surveys:read": LEADS,  # callers' answers (an agent's own only once a supervisor saw them)
    "surveys:link": ALL,  # a survey link for a web callback or a chat-side call
    "quality:read": STAFF,  # scorecards; evaluations (an agent: their own)
    "quality:review": LEADS,  # review recorded calls, evaluate, supersede, sample
    "quality:respond": frozenset({Role.AGENT}),  # acknowledge or dispute one's own evaluation
}

KEYS: web.AppKey[ApiKeys] = web.AppKey("api_keys")
PRINCIPAL: web.RequestKey[ApiPrincipal] = web.RequestKey("principal", ApiPrincipal)
PERMISSION_ATTR = "permission"
REPLAYED_HEADER = "Idempotent-Replayed"


def permission(name: str) -> Callable[[Handler], Handler]:
    """Decorator: the permission a handler needs (read by the auth middleware)."""
    if name not in PERMISSIONS:
        raise ValueError(f"unknown permission {name!r}")

    def mark(handler: Handler) -> Handler:
        setattr(handler, PERMISSION_ATTR, name)
        return handler

    return mark


def principal(request: web.Request) -> ApiPrincipal:
    return request[PRINCIPAL]


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    needed = _needed_permission(request)
    if needed is None:
        return await handler(request)  # public (the OpenAPI document) or unknown route
    who = await _token_or_session(request)
    if who is None:
        raise ApiError(401, "unauthorized", "Authorization: Bearer <token> required (or sign in)")
    if who.role not in PERMISSIONS[needed]:
        raise ApiError(403, "forbidden", f"role {who.role.value} may not {needed}")
    request[PRINCIPAL] = who
    return await handler(request)


async def _token_or_session(request: web.Request) -> ApiPrincipal | None:
    """An API token (integrations, scripts), or a signed-in staff member's session cookie
    (the pages) — whose changes must carry the session's CSRF token."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "Authorization: Bearer <token> required")
        who = await request.app[KEYS].principal(token.strip())
        if who is None:
            raise ApiError(401, "unauthorized", "unknown or revoked token")
        return who
    session = await staff_session(request)
    if session is None:
        return None
    if request.method in CHANGES and not csrf_ok(
        request, session, request.headers.get("X-CSRF-Token")
    ):
        raise ApiError(403, "csrf", "X-CSRF-Token: missing or wrong for this session")
    user = session.user
    return ApiPrincipal(0, user.username, user.role, user.agent)


def _needed_permission(request: web.Request) -> str | None:
    info = request.match_info
    handler = getattr(info, "handler", None)
    name = getattr(handler, PERMISSION_ATTR, None)
    return name if isinstance(name, str) else None


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A POST with ``Idempotency-Key`` answers a retry with the first response, creating
    nothing twice; the same key with another request body is refused."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or key is None or PRINCIPAL not in request:
        return await handler(request)
    if principal(request).token_id <= 0:  # a page's session: keys belong to API tokens
        return await handler(request)
    if not key:
        raise ApiError(422, "invalid_field", "Idempotency-Key: empty", "Idempotency-Key")
    if len(key) > 200:
        raise ApiError(
            422, "invalid_field", "Idempotency-Key: over 200 characters", "Idempotency-Key"
        )
    who = principal(request)
    body = await request.read()
    digest = hashlib.sha256(
        request.method.encode() + request.path.encode() + b"\0" + body
    ).hexdigest()
    keys = request.app[KEYS]
    stored = await keys.stored(who.token_id, key)
    if stored is not None:
        if stored.request_hash != digest:
            return error_response(
                422,
                "idempotency_key_reused",
                "Idempotency-Key: already used for a different request",
                "Idempotency-Key",
            )
        replay = web.json_response(stored.body, status=stored.status)
        replay.headers[REPLAYED_HEADER] = "true"
        return replay
    response = await handler(request)
    if isinstance(response, web.Response) and 200 <= response.status < 300 and response.body:
        assert isinstance(response.body, bytes)
        await keys.store(
            who.token_id, key, StoredResponse(digest, response.status, json.loads(response.body))
        )
    return response
