"""/api/v1/customers: create, get, search, lookup (caller history), merge."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.contacts import ContactKind, contact
from callcenter.domain.tickets import NewCustomer
from callcenter.http import api_json as j
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import STORE, Route
from callcenter.http.api_schemas import (
    CALLER_HISTORY,
    CUSTOMER,
    CUSTOMER_CREATE,
    CUSTOMER_MERGE,
    check,
    page_of,
)


@permission("customers:write")
async def create_customer(request: web.Request) -> web.Response:
    body = check(CUSTOMER_CREATE, await read_json(request))
    store = request.app[STORE]
    points = []
    for field, kind in (
        ("phones", ContactKind.PHONE),
        ("emails", ContactKind.EMAIL),
        ("chat_handles", ContactKind.CHAT),
    ):
        for n, raw in enumerate(body.get(field, [])):
            points.append(contact(kind, raw, store.region, f"{field}[{n}]"))
    created = await store.create_customer(NewCustomer(body["name"].strip(), tuple(points)))
    return web.json_response(j.customer(created), status=201)


@permission("customers:read")
async def get_customer(request: web.Request) -> web.Response:
    found = await request.app[STORE].get_customer(p.path_id(request, "customer_id"))
    return web.json_response(j.customer(found))


@permission("customers:read")
async def search_customers(request: web.Request) -> web.Response:
    q = request.query.get("q", "")
    if len(q) > 200:
        raise ApiError(422, "invalid_field", "q: longer than 200 characters", "q")
    found = await request.app[STORE].search_customers(
        q, p.limit(request), request.query.get("cursor")
    )
    return web.json_response(j.page(found, j.customer))


@permission("customers:read")
async def lookup_customer(request: web.Request) -> web.Response:
    """Caller history: the data behind the agent's screen pop."""
    phone, email = request.query.get("phone", ""), request.query.get("email", "")
    if bool(phone) == bool(email):
        raise ApiError(422, "invalid_field", "phone: give phone or email (one of them)", "phone")
    history = await request.app[STORE].lookup(phone=phone, email=email)
    return web.json_response(j.history(history))


@permission("customers:merge")
async def merge_customer(request: web.Request) -> web.Response:
    body = check(CUSTOMER_MERGE, await read_json(request))
    merged = await request.app[STORE].merge_customers(
        p.path_id(request, "customer_id"), body["from"]
    )
    return web.json_response(j.customer(merged))


ROUTES = [
    Route(
        "POST", "/customers", create_customer, "Create a customer", CUSTOMER_CREATE, CUSTOMER, 201
    ),
    Route(
        "GET",
        "/customers",
        search_customers,
        "Search customers (name, phone, email)",
        None,
        page_of(CUSTOMER),
        query=("q", "limit", "cursor"),
    ),
    Route(
        "GET",
        "/customers/lookup",
        lookup_customer,
        "Caller history by phone or email",
        None,
        CALLER_HISTORY,
        query=("contact",),
    ),
    Route("GET", "/customers/{customer_id}", get_customer, "Get a customer", None, CUSTOMER),
    Route(
        "POST",
        "/customers/{customer_id}/merge",
        merge_customer,
        "Merge another customer into this one",
        CUSTOMER_MERGE,
        CUSTOMER,
    ),
]
