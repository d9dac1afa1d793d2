"""Every API error is JSON with a stable id and a message naming the culprit:

{"error": {"id": "invalid_field", "message": "phones[0]: '12' is not ...", "field": "phones[0]"}}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callcenter.domain.agents import AgentStateError, UnknownAgent
from callcenter.domain.contacts import InvalidContact
from callcenter.domain.tickets import NotFound, TicketRuleError
from callcenter.services.ports import TelephonyError

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    def __init__(self, status: int, error_id: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.error_id, self.message, self.field = status, error_id, message, field


def error_response(
    status: int, error_id: str, message: str, field: str | None = None
) -> web.Response:
    error: dict[str, str] = {"id": error_id, "message": message}
    if field is not None:
        error["field"] = field
    return web.json_response({"error": error}, status=status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.error_id, exc.message, exc.field)
    except InvalidContact as exc:
        return error_response(422, "invalid_field", str(exc), exc.field)
    except TicketRuleError as exc:
        return error_response(422, "invalid_field", str(exc), exc.field)
    except NotFound as exc:
        return error_response(404, "not_found", str(exc))
    except UnknownAgent as exc:
        return error_response(404, "not_found", str(exc))
    except AgentStateError as exc:
        if exc.field:
            return error_response(422, "invalid_field", str(exc), exc.field)
        return error_response(409, "agent_state", str(exc))
    except TelephonyError as exc:
        return error_response(503, "telephony_unavailable", str(exc))
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, "body_too_large", f"request body over {MAX_BODY} bytes")
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error_response(exc.status, _HTTP_IDS.get(exc.status, "http_error"), exc.reason)
        raise
    except Exception:
        log.exception("API handler failed: %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error (logged)")


_HTTP_IDS = {404: "not_found", 405: "method_not_allowed"}


async def read_json(request: web.Request) -> object:
    """The request body as JSON; 413 over the size limit, 400 when it is not JSON."""
    raw = await request.read()
    if not raw:
        raise ApiError(400, "bad_json", "request body is empty; JSON expected")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "bad_json", f"request body is not JSON: {exc}") from None
