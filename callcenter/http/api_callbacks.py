"""/api/v1/callbacks (request, list, one, cancel); their promises: :mod:`api_promises`.

A request names a queue and the number to call; the number passes the same toll-fraud
guard as a number keyed in at the IVR (422 naming the rule otherwise). Asking again for a
number that already waits in that queue returns the open request (200, ``merged``), never
a second one.
"""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.callbacks import CallbackError, CallbackState
from callcenter.domain.dial_guard import DialAttempt, Refusal
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_callbacks_json import (
    CALLBACK,
    CALLBACK_CREATE,
    CALLBACK_STATE,
    callback_json,
)
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_refusals import GUARD, refused
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import check, page_of
from callcenter.services.callback_ports import CallbackAnswer
from callcenter.services.callbacks import CallbackRequest, Callbacks
from callcenter.services.dial_guard import RequestRefused

CALLBACKS: web.AppKey[Callbacks] = web.AppKey("callbacks")


def _service(request: web.Request) -> Callbacks:
    service = request.app.get(CALLBACKS)
    if service is None:
        raise ApiError(503, "unavailable", "callbacks are not served by this server")
    return service


@permission("callbacks:request")
async def request_callback(request: web.Request) -> web.Response:
    body = check(CALLBACK_CREATE, await read_json(request))
    who = principal(request)
    at = p.timestamp(body.get("at"), "at")
    service = _service(request)

    async def dial(number: str) -> CallbackAnswer:
        return await service.request(
            CallbackRequest(
                queue=body["queue"],
                number=number,
                ticket_number=body.get("ticket_number"),
                reason=body.get("reason", "") or f"requested by {who.name}",
                source="api",
                field="number",
                at=at,
            )
        )

    guard = request.config_dict.get(GUARD)
    try:
        if guard is None:
            answer = await dial(body["number"])
        else:  # every API-initiated dial passes the toll-fraud guard (and is audited)
            attempt = DialAttempt("api", body["number"], "", f"token:{who.name}")
            answer = await guard.guarded(attempt, body["queue"], dial)
    except (CallbackError, RequestRefused) as exc:
        field = str(exc).split(":", 1)[0] if str(exc).startswith(("queue:", "at:")) else "number"
        raise ApiError(422, "invalid_field", str(exc), field) from None
    except Refusal as exc:
        raise refused(exc) from None
    return web.json_response(
        callback_json(answer.callback, answer.promise, merged=not answer.created),
        status=201 if answer.created else 200,
    )


@permission("callbacks:read")
async def list_callbacks(request: web.Request) -> web.Response:
    page = await _service(request).search(
        p.state(request, CallbackState),
        request.query.get("queue", ""),
        p.limit(request),
        p.id_cursor(request),
    )
    return web.json_response(
        {"items": [callback_json(c, None) for c in page.items], "next_cursor": page.next_cursor}
    )


@permission("callbacks:read")
async def get_callback(request: web.Request) -> web.Response:
    callback_id = p.path_id(request, "callback_id")
    found = await _service(request).get(callback_id)
    if found is None:
        raise ApiError(404, "not_found", f"no callback {callback_id}")
    return web.json_response(callback_json(*found))


@permission("callbacks:cancel")
async def cancel_callback(request: web.Request) -> web.Response:
    callback_id = p.path_id(request, "callback_id")
    service, who = _service(request), principal(request)
    if await service.get(callback_id) is None:
        raise ApiError(404, "not_found", f"no callback {callback_id}")
    try:
        done = await service.cancel(callback_id, f"cancelled by {who.name}")
    except CallbackError as exc:
        raise ApiError(409, "conflict", str(exc)) from None
    found = await service.get(done.id)
    return web.json_response(callback_json(*found) if found else callback_json(done, None))


_STATE_OF_CALLBACKS = (("state", CALLBACK_STATE),)
ROUTES = [
    Route(
        "POST",
        "/callbacks",
        request_callback,
        "Ask for a callback (now, or `at` a time inside business hours): the number passes"
        " the toll-fraud guard; one open per number and queue (asking again returns it)",
        CALLBACK_CREATE,
        CALLBACK,
        status=201,
        also=(200, 503),
    ),
    Route(
        "GET",
        "/callbacks",
        list_callbacks,
        "Callback requests, newest first",
        None,
        page_of(CALLBACK),
        query=("state", "queue", "limit", "cursor"),
        also=(503,),
        query_schemas=_STATE_OF_CALLBACKS,
    ),
    Route(
        "GET",
        "/callbacks/{callback_id}",
        get_callback,
        "One callback request with its promise",
        None,
        CALLBACK,
        also=(503,),
    ),
    Route(
        "DELETE",
        "/callbacks/{callback_id}",
        cancel_callback,
        "Cancel a waiting callback (its promise is cancelled; nobody is dialled)",
        None,
        CALLBACK,
        also=(409, 503),
    ),
]
