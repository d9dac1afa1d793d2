"""Query and path parameters, each refused with 422 naming it when malformed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from aiohttp import web

from callcenter.http.api_errors import ApiError

E = TypeVar("E", bound=StrEnum)
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses.
_ID = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1  # ids are the databases' integer columns (PostgreSQL: 32-bit)
_EXTENSION = re.compile(r"[0-9]{2,15}")


def is_extension(raw: str) -> bool:
    """An agent extension: 2-15 ASCII digits (nothing else ever forms one)."""
    return _EXTENSION.fullmatch(raw) is not None


def path_id(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if _ID.fullmatch(raw) is None or not 1 <= int(raw) <= MAX_ID:
        raise ApiError(404, "not_found", f"{name}: no such id {raw!r}")
    return int(raw)


def limit(request: web.Request) -> int:
    raw = request.query.get("limit", str(DEFAULT_LIMIT))
    if _ID.fullmatch(raw) is None or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, "invalid_field", f"limit: must be 1-{MAX_LIMIT}", "limit")
    return int(raw)


def id_cursor(request: web.Request) -> int | None:
    """``?cursor=``: the last id of the page before (only what this API handed out)."""
    cursor = request.query.get("cursor")
    if cursor is not None and (not cursor.isascii() or not cursor.isdigit() or len(cursor) > 10):
        raise ApiError(422, "invalid_field", "cursor: not one this server gave", "cursor")
    return int(cursor) if cursor else None


def optional_int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    if _ID.fullmatch(raw) is None or not 1 <= int(raw) <= MAX_ID:
        raise ApiError(422, "invalid_field", f"{name}: not an id", name)
    return int(raw)


def enum_list(request: web.Request, name: str, kind: type[E]) -> list[E]:
    out = []
    for part in filter(None, request.query.get(name, "").split(",")):
        try:
            out.append(kind(part))
        except ValueError:
            allowed = ", ".join(k.value for k in kind)
            raise ApiError(
                422, "invalid_field", f"{name}: {part!r} is not one of {allowed}", name
            ) from None
    return out


RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def timestamp(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "invalid_field", f"{field}: not a date-time", field)
    if RFC3339.fullmatch(value) is None:  # what the document's "date-time" means, no more
        raise ApiError(
            422, "invalid_field", f"{field}: {value[:40]!r} is not an RFC 3339 date-time", field
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_field", f"{field}: {value!r} is not ISO 8601", field) from None
    if parsed.tzinfo is None:
        raise ApiError(422, "invalid_field", f"{field}: needs a time zone offset", field)
    return parsed.astimezone(UTC)


def state(request: web.Request, states: type[E]) -> E | None:
    """The ``state`` query parameter as one of ``states`` (None when absent); 422
    naming the allowed values otherwise."""
    raw = request.query.get("state")
    if raw is None:
        return None
    allowed = [s.value for s in states]
    if raw not in allowed:
        raise ApiError(
            422, "invalid_field", f"state: {raw!r} is not one of {', '.join(allowed)}", "state"
        )
    return states(raw)
