"""How the toll-fraud guard's refusals answer over HTTP (shared by every route that asks
for an outbound dial), and where the routes find the guard."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.dial_guard import Refusal, Rule
from callcenter.http.api_errors import ApiError
from callcenter.services.dial_guard import DialGuard

GUARD: web.AppKey[DialGuard] = web.AppKey("dial_guard")


def refused(refusal: Refusal) -> ApiError:
    """403 (who asks), 409 (already waiting), 422 (the number) or 429 with Retry-After;
    ``error.id`` is ``refused_<rule>``."""
    headers = {}
    if refusal.retry_after is not None and refusal.status == 429:
        headers["Retry-After"] = str(int(refusal.retry_after))
    field = "number" if refusal.rule in (Rule.NUMBER, Rule.PER_NUMBER, Rule.PENDING) else None
    message = f"refused by rule {refusal.rule.value!r}: {refusal.message}"
    return ApiError(refusal.status, f"refused_{refusal.rule.value}", message, field, headers)
