"""Every API error is JSON with a stable id and a message naming the culprit:

{"error": {"id": "invalid_field", "message": "phones[0]: '12' is not ...", "field": "phones[0]"}}
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from callcenter.domain.agents import AgentStateError, UnknownAgent
from callcenter.domain.contacts import InvalidContact
from callcenter.domain.tickets import NotFound, TicketRuleError
from callcenter.services.ports import TelephonyError

log = logging.getLogger(__name__)

# The largest body a schema allows must fit: a flow's text is up to 256 Ki characters, and
# JSON may write each as an escaped surrogate pair (12 bytes) — 3 MiB, plus the rest.
MAX_BODY = 4 * 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        error_id: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.error_id, self.message, self.field = status, error_id, message, field
        self.headers = headers or {}  # e.g. Retry-After on a 429
        self.extra = extra or {}  # more of the error object (a refused flow's issues)


def error_response(
    status: int,
    error_id: str,
    message: str,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    error: dict[str, Any] = {"id": error_id, "message": message, **(extra or {})}
    if field is not None:
        error["field"] = field
    return web.json_response({"error": error}, status=status, headers=headers)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(
            exc.status, exc.error_id, exc.message, exc.field, exc.headers, exc.extra
        )
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
    except web.HTTPMethodNotAllowed as exc:
        allowed = sorted(exc.allowed_methods)
        response = error_response(
            405, "method_not_allowed", f"{exc.method} is not allowed here: {', '.join(allowed)}"
        )
        response.headers["Allow"] = ", ".join(allowed)  # RFC 9110: a 405 says what is
        return response
    except web.HTTPException as exc:
        if exc.status >= 400:
            return error_response(exc.status, _HTTP_IDS.get(exc.status, "http_error"), exc.reason)
        raise
    except Exception:
        log.exception("API handler failed: %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error (logged)")


_HTTP_IDS = {404: "not_found", 405: "method_not_allowed"}


MAX_DEPTH = 32  # no request body we take nests deeper; deeper ones would recurse later
INT64 = 2**63 - 1  # the largest integer either database stores


async def read_json(request: web.Request) -> object:
    """The request body as JSON; 413 over the size limit, 400 when it is not JSON or
    nests deeper than :data:`MAX_DEPTH`, 422 naming the field for a string with a lone
    surrogate (no text encoding can store it) or an integer beyond 64 bits."""
    raw = await request.read()
    if not raw:
        raise ApiError(400, "bad_json", "request body is empty; JSON expected")
    try:
        body = json.loads(raw, parse_float=_number, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, "bad_json", f"request body is not JSON: {exc}") from None
    except ValueError as exc:
        raise ApiError(400, "bad_json", f"request body: {exc}") from None
    except RecursionError:
        raise ApiError(400, "bad_json", f"request body nests deeper than {MAX_DEPTH}") from None
    check_values(body)
    return body


def check_values(body: object) -> None:
    """Walk ``body`` without recursion: depth, strings and integers (see read_json)."""
    stack: list[tuple[object, str, int]] = [(body, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError(400, "bad_json", f"request body nests deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, f"{path}.{key}" if path else "(a key)")
                stack.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, path or "(body)")
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64:
            raise ApiError(
                422, "invalid_field", f"{path or '(body)'}: integer beyond 64 bits", path or None
            )


def _check_text(text: str, field: str) -> None:
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise ApiError(422, "invalid_field", f"{field}: holds a lone surrogate (not text)", field)
    if "\x00" in text:  # PostgreSQL text (and most clients) cannot hold NUL
        raise ApiError(422, "invalid_field", f"{field}: holds a NUL character", field)


def _number(text: str) -> float | int:
    """JSON has one number type: 3.0 is the integer 3 (as JSON Schema says); a number no
    column can hold (1e400 is infinite) is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return int(value) if value.is_integer() and abs(value) <= INT64 else value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")
