"""/api/v1/webhooks: admins subscribe a URL to event types (the secret that signs them is
shown once, at creation), list and remove subscriptions, and see a subscription's latest
deliveries (delivered, pending with the next try and the last error, failed)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.webhooks import (
    EVENT_TYPES,
    Delivery,
    DeliveryState,
    Subscription,
    WebhookError,
)
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj, string
from callcenter.services.webhooks import Webhooks

WEBHOOKS: web.AppKey[Webhooks] = web.AppKey("webhooks")
_EVENT = {"type": "string", "enum": sorted(EVENT_TYPES)}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}
SUBSCRIBE = obj(
    {"url": string(500, 8), "events": {"type": "array", "items": _EVENT, "minItems": 1}},
    ("url", "events"),
)
SUBSCRIPTION = obj(
    {
        "id": ID,
        "url": {"type": "string"},
        "events": {"type": "array", "items": _EVENT},
        "active": {"type": "boolean"},
        "created_by": {"type": "string"},
        "secret": {"type": "string"},
    },
    ("id", "url", "events", "active"),
)
SUBSCRIPTIONS = obj({"items": {"type": "array", "items": SUBSCRIPTION}}, ("items",))
DELIVERY = obj(
    {
        "id": ID,
        "event_id": {"type": "string"},
        "type": _EVENT,
        "created_at": DATETIME,
        "state": {"type": "string", "enum": [s.value for s in DeliveryState]},
        "attempts": {"type": "integer"},
        "next_attempt_at": _OPT_TIME,
        "last_error": {"type": "string"},
        "delivered_at": _OPT_TIME,
    },
    ("id", "event_id", "type", "state", "attempts"),
)
DELIVERIES = obj({"items": {"type": "array", "items": DELIVERY}}, ("items",))


def _service(request: web.Request) -> Webhooks:
    service = request.app.get(WEBHOOKS)
    if service is None:
        raise ApiError(503, "unavailable", "webhooks are not sent by this server")
    return service


def subscription_json(s: Subscription, with_secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.id,
        "url": s.url,
        "events": sorted(s.events),
        "active": s.active,
        "created_by": s.created_by,
    }
    if with_secret:
        out["secret"] = s.secret
    return out


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "event_id": d.event_id,
        "type": d.type,
        "created_at": d.created_at.isoformat(),
        "state": d.state.value,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
    }


@permission("webhooks:manage")
async def subscribe(request: web.Request) -> web.Response:
    body = check(SUBSCRIBE, await read_json(request))
    try:
        sub = await _service(request).subscribe(
            body["url"], list(body["events"]), principal(request).name
        )
    except WebhookError as exc:
        field = str(exc).split(":", 1)[0]
        raise ApiError(422, "invalid_field", str(exc), field) from None
    return web.json_response(subscription_json(sub, with_secret=True), status=201)


@permission("webhooks:manage")
async def list_subscriptions(request: web.Request) -> web.Response:
    subs = await _service(request).subscriptions()
    return web.json_response({"items": [subscription_json(s) for s in subs]})


async def _existing(request: web.Request) -> Subscription:
    webhook_id = p.path_id(request, "webhook_id")
    found = [s for s in await _service(request).subscriptions() if s.id == webhook_id]
    if not found:
        raise ApiError(404, "not_found", f"no webhook {webhook_id}")
    return found[0]


@permission("webhooks:manage")
async def unsubscribe(request: web.Request) -> web.Response:
    sub = await _existing(request)
    await _service(request).unsubscribe(sub.id)
    return web.json_response(subscription_json(sub) | {"active": False})


@permission("webhooks:manage")
async def list_deliveries(request: web.Request) -> web.Response:
    sub = await _existing(request)
    deliveries = await _service(request).deliveries(sub.id)
    return web.json_response({"items": [delivery_json(d) for d in deliveries]})


ROUTES = [
    Route(
        "POST",
        "/webhooks",
        subscribe,
        "Subscribe a URL to event types; the answer carries the signing secret, once",
        SUBSCRIBE,
        SUBSCRIPTION,
        status=201,
        also=(503,),
    ),
    Route(
        "GET",
        "/webhooks",
        list_subscriptions,
        "Active webhook subscriptions",
        None,
        SUBSCRIPTIONS,
        also=(503,),
    ),
    Route(
        "DELETE",
        "/webhooks/{webhook_id}",
        unsubscribe,
        "Stop sending to a subscription (its deliveries stay, as history)",
        None,
        SUBSCRIPTION,
        also=(503,),
    ),
    Route(
        "GET",
        "/webhooks/{webhook_id}/deliveries",
        list_deliveries,
        "A subscription's latest 100 deliveries: delivered, pending (next try, last error), failed",
        None,
        DELIVERIES,
        also=(503,),
    ),
]
