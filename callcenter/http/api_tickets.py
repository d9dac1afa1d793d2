"""/api/v1/tickets: create, list with filters, get with timeline, update; interactions
(what the chat side calls to add messages); handoff notes and the handoff list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.tickets import (
    Channel,
    Direction,
    InteractionKind,
    NewInteraction,
    NewTicket,
    Priority,
    TicketChanges,
    TicketStatus,
)
from callcenter.http import api_json as j
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import read_json
from callcenter.http.api_routes import STORE, Route
from callcenter.http.api_schemas import (
    HANDOFF,
    HANDOFF_CREATE,
    INTERACTION,
    INTERACTION_CREATE,
    TICKET,
    TICKET_CREATE,
    TICKET_UPDATE,
    TICKET_VIEW,
    check,
    page_of,
)


@permission("tickets:create")
async def create_ticket(request: web.Request) -> web.Response:
    body = check(TICKET_CREATE, await read_json(request))
    new = NewTicket(
        subject=body["subject"].strip(),
        customer_id=body.get("customer_id"),
        priority=Priority(body.get("priority", Priority.NORMAL.value)),
        channel=Channel(body.get("channel", Channel.API.value)),
        queue=body.get("queue", ""),
        assignee=body.get("assignee", ""),
        tags=tuple(body.get("tags", ())),
        due_at=p.timestamp(body.get("due_at"), "due_at"),
    )
    created = await request.app[STORE].create_ticket(new)
    return web.json_response(j.ticket(created), status=201)


@permission("tickets:read")
async def list_tickets(request: web.Request) -> web.Response:
    page = await request.app[STORE].list_tickets(
        p.limit(request),
        request.query.get("cursor"),
        status=p.enum_list(request, "status", TicketStatus),
        customer_id=p.optional_int(request, "customer_id"),
        assignee=request.query.get("assignee"),
        tag=request.query.get("tag"),
        queue=request.query.get("queue"),
    )
    return web.json_response(j.page(page, j.ticket))


@permission("tickets:read")
async def get_ticket(request: web.Request) -> web.Response:
    view = await request.app[STORE].get_ticket(p.path_id(request, "number"))
    return web.json_response(j.ticket_view(view))


@permission("tickets:update")
async def update_ticket(request: web.Request) -> web.Response:
    body = check(TICKET_UPDATE, await read_json(request))
    changes = TicketChanges(
        status=_maybe(TicketStatus, body.get("status")),
        priority=_maybe(Priority, body.get("priority")),
        assignee=body.get("assignee"),
        tags=tuple(body["tags"]) if "tags" in body else None,
        customer_id=body.get("customer_id"),
        subject=body.get("subject"),
        due_at=p.timestamp(body.get("due_at"), "due_at"),
    )
    updated = await request.app[STORE].update_ticket(p.path_id(request, "number"), changes)
    return web.json_response(j.ticket(updated))


@permission("interactions:append")
async def append_interaction(request: web.Request) -> web.Response:
    body = check(INTERACTION_CREATE, await read_json(request))
    new = NewInteraction(
        kind=InteractionKind(body["kind"]),
        direction=Direction(body.get("direction", Direction.INBOUND.value)),
        body=body.get("body", ""),
        author=body.get("author", "") or principal(request).name,
        source=body.get("source", "api"),
        source_id=body.get("source_id", ""),
        linked_id=body.get("linked_id", ""),
        occurred_at=p.timestamp(body.get("occurred_at"), "occurred_at"),
        data=body.get("data", {}),
    )
    item, created = await request.app[STORE].append_interaction(p.path_id(request, "number"), new)
    return web.json_response(j.interaction(item), status=201 if created else 200)


@permission("handoffs:write")
async def add_handoff_note(request: web.Request) -> web.Response:
    body = check(HANDOFF_CREATE, await read_json(request))
    new = NewInteraction(
        kind=InteractionKind.HANDOFF_NOTE,
        direction=Direction.INTERNAL,
        body=body["body"],
        author=body["author"],
    )
    item, _ = await request.app[STORE].append_interaction(p.path_id(request, "number"), new)
    return web.json_response(j.interaction(item), status=201)


@permission("handoffs:read")
async def list_handoffs(request: web.Request) -> web.Response:
    """Open tickets with their latest handoff note: what the incoming shift reads first."""
    page = await request.app[STORE].handoffs(p.limit(request), request.query.get("cursor"))
    return web.json_response(j.page(page, j.handoff))


def _maybe(kind: Any, value: str | None) -> Any:
    return None if value is None else kind(value)


ROUTES = [
    Route("POST", "/tickets", create_ticket, "Open a ticket", TICKET_CREATE, TICKET, 201),
    Route(
        "GET",
        "/tickets",
        list_tickets,
        "List tickets (filters: status, customer_id, assignee, tag, queue)",
        None,
        page_of(TICKET),
        query=("status", "customer_id", "assignee", "tag", "queue", "limit", "cursor"),
    ),
    Route("GET", "/tickets/{number}", get_ticket, "A ticket with its timeline", None, TICKET_VIEW),
    Route(
        "PATCH",
        "/tickets/{number}",
        update_ticket,
        "Change status, assignee, tags, priority, customer",
        TICKET_UPDATE,
        TICKET,
    ),
    Route(
        "POST",
        "/tickets/{number}/interactions",
        append_interaction,
        "Append to the timeline (201 new, 200 already imported)",
        INTERACTION_CREATE,
        INTERACTION,
        201,
        also=(200,),
    ),
    Route(
        "POST",
        "/tickets/{number}/handoff-notes",
        add_handoff_note,
        "Add a handoff note for the next shift",
        HANDOFF_CREATE,
        INTERACTION,
        201,
    ),
    Route(
        "GET",
        "/handoffs",
        list_handoffs,
        "Open tickets with their latest handoff note",
        None,
        page_of(HANDOFF),
        query=("limit", "cursor"),
    ),
]
