"""/api/v1/widgets: the click-to-call widgets (admins define them) and what their pages
call (public, CORS, behind the widget token and the toll-fraud guard).

Public routes answer only pages of the widget's own origins: the browser's preflight
(OPTIONS) and every answer carry ``Access-Control-Allow-Origin`` for those, never ``*``.
A refusal by the guard says which rule refused it (``error.id`` ``refused_<rule>``), 429s
with ``Retry-After``.
"""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from callcenter.domain.dial_guard import Refusal
from callcenter.domain.widgets import WIDGET_ID, Widget, WidgetError
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError, Handler, error_response, read_json
from callcenter.http.api_promises import promise_json
from callcenter.http.api_refusals import refused
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import check, obj
from callcenter.http.api_widgets_json import (
    SESSION,
    STATUS,
    WEB_CALL,
    WEB_CALL_ANSWER,
    WEB_CALLBACK,
    WEB_CALLBACK_ANSWER,
    WIDGET,
    WIDGET_WRITE,
    status_json,
    widget_json,
)
from callcenter.services.dial_guard import RequestRefused
from callcenter.services.widgets import Visitor, Widgets

WIDGETS: web.AppKey[Widgets] = web.AppKey("widgets")
# The path of the SIP-over-WebSocket proxy (the daemon's; Asterisk's own stays on loopback).
SIP_WEBSOCKET = "/widget/sip"


def _service(request: web.Request) -> Widgets:
    service = request.config_dict.get(WIDGETS)
    if service is None:
        raise ApiError(404, "not_found", "widgets are not enabled on this server")
    return service


def _base(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


# -- CORS ---------------------------------------------------------------------------------
def cors(handler: Handler) -> Handler:
    """Answer ``handler``'s route for pages of the widget's origins only: the
    Access-Control headers on success and on errors, and the preflight (OPTIONS)."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin", "")
        allowed = await _allowed(request, origin)
        try:
            if request.method == "OPTIONS":
                if not allowed:
                    raise ApiError(403, "refused_origin", f"origin: {origin!r} is not allowed")
                response: web.StreamResponse = web.Response(status=204)
                response.headers["Access-Control-Allow-Methods"] = "GET, POST"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type"
                response.headers["Access-Control-Max-Age"] = "600"
            else:
                response = await handler(request)
        except ApiError as exc:
            response = error_response(exc.status, exc.error_id, exc.message, exc.field, exc.headers)
        if allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.headers["Vary"] = "Origin"
        return response

    return wrapped


async def _allowed(request: web.Request, origin: str) -> bool:
    widget_id = request.match_info.get("widget_id", "")
    if not origin or not WIDGET_ID.match(widget_id):
        return False
    widget = await _service(request).get(widget_id)
    return widget is not None and widget.enabled and origin in widget.origins


def _widget_id(request: web.Request) -> str:
    widget_id = request.match_info["widget_id"]
    if not WIDGET_ID.match(widget_id):
        raise ApiError(404, "not_found", f"no widget {widget_id!r}")
    return widget_id


def _visitor(request: web.Request, page: str = "") -> Visitor:
    return Visitor(
        origin=request.headers.get("Origin", ""),
        client=request.remote or "",
        user_agent=request.headers.get("User-Agent", "")[:200],
        page=page,
    )


def _missing(exc: LookupError) -> ApiError:
    return ApiError(404, "not_found", str(exc).strip("'\""))


# -- the page's calls (public) -----------------------------------------------------------
@cors
async def widget_status(request: web.Request) -> web.Response:
    try:
        status = await _service(request).status(_widget_id(request))
    except LookupError as exc:
        raise _missing(exc) from None
    return web.json_response(status_json(status))


@cors
async def widget_session(request: web.Request) -> web.Response:
    visitor = _visitor(request)
    try:
        token, expires, _widget = await _service(request).session(
            _widget_id(request), visitor.origin
        )
    except LookupError as exc:
        raise _missing(exc) from None
    except Refusal as exc:
        raise refused(exc) from None
    return web.json_response(
        {"token": token, "expires_at": expires.isoformat()},
        status=201,
        headers={"Cache-Control": "no-store"},
    )


@cors
async def widget_callback(request: web.Request) -> web.Response:
    body = check(WEB_CALLBACK, await read_json(request))
    service = _service(request)
    try:
        answer = await service.request_callback(
            _widget_id(request),
            body["token"],
            _visitor(request, body.get("page", "")),
            body["number"],
            p.timestamp(body.get("at"), "at"),
        )
    except LookupError as exc:
        raise _missing(exc) from None
    except Refusal as exc:
        raise refused(exc) from None
    except RequestRefused as exc:
        field = str(exc).split(":", 1)[0] if str(exc).startswith(("at:", "queue:")) else None
        raise ApiError(422, "invalid_field", str(exc), field) from None
    return web.json_response(
        {
            "callback_id": answer.callback.id,
            "merged": not answer.created,
            "promise": promise_json(answer.promise),
        },
        status=201 if answer.created else 200,
    )


@cors
async def widget_call(request: web.Request) -> web.Response:
    body = check(WEB_CALL, await read_json(request))
    try:
        call = await _service(request).admit_call(
            _widget_id(request), body["token"], _visitor(request, body.get("page", ""))
        )
    except LookupError as exc:
        raise _missing(exc) from None
    except Refusal as exc:
        raise refused(exc) from None
    scheme = "wss" if request.scheme == "https" else "ws"
    return web.json_response(
        {
            "session": call.session,
            "websocket": f"{scheme}://{request.host}{SIP_WEBSOCKET}?session={call.session}",
            "target": f"sip:web-{call.widget.id}@callcenter.invalid",
            "expires_at": call.expires_at.isoformat(),
        },
        status=201,
        headers={"Cache-Control": "no-store"},
    )


# -- admin ----------------------------------------------------------------------------------
def _from_body(body: dict[str, Any], widget_id: str) -> Widget:
    return Widget(
        id=widget_id,
        queue=body["queue"],
        origins=tuple(body["origins"]),
        name=body.get("name", ""),
        call_now=body.get("call_now", True),
        flow=body.get("flow", ""),
        enabled=body.get("enabled", True),
    )


@permission("widgets:read")
async def list_widgets(request: web.Request) -> web.Response:
    items = [widget_json(w, _base(request)) for w in await _service(request).all()]
    return web.json_response({"items": items, "next_cursor": None})


@permission("widgets:manage")
async def create_widget(request: web.Request) -> web.Response:
    body = check(WIDGET_WRITE, await read_json(request))
    try:
        saved = await _service(request).define(_from_body(body, body["id"]), create=True)
    except WidgetError as exc:
        field = str(exc).split(":", 1)[0]
        status = 409 if "exists already" in str(exc) else 422
        error = "invalid_field" if status == 422 else "conflict"
        raise ApiError(status, error, str(exc), field) from None
    return web.json_response(widget_json(saved, _base(request)), status=201)


@permission("widgets:read")
async def get_widget(request: web.Request) -> web.Response:
    widget = await _service(request).get(_widget_id(request))
    if widget is None:
        raise ApiError(404, "not_found", f"no widget {request.match_info['widget_id']!r}")
    return web.json_response(widget_json(widget, _base(request)))


@permission("widgets:manage")
async def replace_widget(request: web.Request) -> web.Response:
    widget_id = _widget_id(request)
    body = check(WIDGET_WRITE, await read_json(request))
    if body["id"] != widget_id:
        raise ApiError(422, "invalid_field", f"id: {body['id']!r} is not {widget_id!r}", "id")
    try:
        saved = await _service(request).define(_from_body(body, widget_id), create=False)
    except WidgetError as exc:
        raise ApiError(422, "invalid_field", str(exc), str(exc).split(":", 1)[0]) from None
    except LookupError as exc:
        raise _missing(exc) from None
    return web.json_response(widget_json(saved, _base(request)))


@permission("widgets:manage")
async def delete_widget(request: web.Request) -> web.Response:
    service, widget_id = _service(request), _widget_id(request)
    widget = await service.get(widget_id)
    if widget is None or not await service.remove(widget_id):
        raise ApiError(404, "not_found", f"no widget {widget_id!r}")
    return web.json_response(widget_json(widget, _base(request)))


_PUBLIC = "Public (the widget's page): Origin must be one of the widget's origins."
ROUTES = [
    Route("GET", "/widgets", list_widgets, "List the click-to-call widgets", None,
          obj({"items": {"type": "array", "items": WIDGET}, "next_cursor": {"type": "null"}})),
    Route("POST", "/widgets", create_widget, "Define a widget (its queue and origins)",
          WIDGET_WRITE, WIDGET, status=201, also=(409,)),
    Route("GET", "/widgets/{widget_id}", get_widget, "One widget, with its snippet", None, WIDGET),
    Route("PUT", "/widgets/{widget_id}", replace_widget, "Replace a widget's definition",
          WIDGET_WRITE, WIDGET),
    Route("DELETE", "/widgets/{widget_id}", delete_widget, "Remove a widget (its pages stop)",
          None, WIDGET),
    Route("GET", "/widgets/{widget_id}/status", widget_status,
          f"Open or closed, the wait and the promise a callback would get. {_PUBLIC}", None,
          STATUS, cors=True),
    Route("POST", "/widgets/{widget_id}/session", widget_session,
          f"A short-lived token for this page (one request each). {_PUBLIC}", None, SESSION,
          status=201, cors=True),
    Route("POST", "/widgets/{widget_id}/callbacks", widget_callback,
          f"Call me back: the toll-fraud guard, then a callback with its promise. {_PUBLIC}",
          WEB_CALLBACK, WEB_CALLBACK_ANSWER, status=201, also=(200, 409, 429), cors=True),
    Route("POST", "/widgets/{widget_id}/calls", widget_call,
          f"Call now: admit a web call (the browser is the phone). {_PUBLIC}", WEB_CALL,
          WEB_CALL_ANSWER, status=201, also=(429,), cors=True),
]  # fmt: skip
