"""The reports' query parameters: days, choices and names, each refused with 422 naming it."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from aiohttp import web

from callcenter.http.api_errors import ApiError

if TYPE_CHECKING:
    from callcenter.http.api_reports import ReportsService

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day(request: web.Request, name: str, default: date) -> date:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        if _DAY.fullmatch(raw) is None:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(
            422, "invalid_field", f"{name}: {raw!r} is not a day (YYYY-MM-DD)", name
        ) from None


def days(request: web.Request, service: ReportsService) -> tuple[date, date]:
    first = day(request, "from", service.reports.today())
    last = day(request, "to", first)
    if last < first:
        raise ApiError(422, "invalid_field", f"to: {last} is before from {first}", "to")
    return first, last


def choice(request: web.Request, name: str, kind: type[Any], default: Any) -> Any:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise ApiError(
            422, "invalid_field", f"{name}: {raw!r} is not one of {allowed}", name
        ) from None


async def filters(request: web.Request, service: ReportsService) -> tuple[list[str], list[str]]:
    """?queue= and ?agent=, each refused (naming it) when nothing by that name exists."""
    queues = [q for q in request.query.get("queue", "").split(",") if q]
    for q in queues:
        if q not in service.queues:
            raise ApiError(422, "invalid_field", f"queue: no queue {q!r}", "queue")
    agents = [a for a in request.query.get("agent", "").split(",") if a]
    known = await service.known_agents() if agents else set()
    for a in agents:
        if a not in known:
            raise ApiError(422, "invalid_field", f"agent: no agent {a!r}", "agent")
    return queues, agents
