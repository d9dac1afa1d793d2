"""/api/v1/security/bans: addresses banned from SIP, and lifting a ban (admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from callcenter.domain.bans import BanError, SipBan
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, obj
from callcenter.services.bans import SipBans

BANS: web.AppKey[SipBans] = web.AppKey("sip_bans")
_TEXT = {"type": "string"}
BAN = obj(
    {
        "address": _TEXT,
        "reason": _TEXT,
        "failures": {"type": "integer"},
        "banned_at": DATETIME,
        "expires_at": DATETIME,
        "lifted_at": {"type": ["string", "null"], "format": "date-time"},
        "lifted_by": _TEXT,
        "active": {"type": "boolean"},
    },
    ("address", "reason", "failures", "banned_at", "expires_at", "active"),
)
BAN_LIST = obj(
    {"active": {"type": "array", "items": BAN}, "recent": {"type": "array", "items": BAN}},
    ("active", "recent"),
)


def _bans(request: web.Request) -> SipBans:
    bans = request.app.get(BANS)
    if bans is None:
        raise ApiError(503, "unavailable", "SIP bans are not kept by this server")
    return bans


def ban_json(ban: SipBan, active: bool) -> dict[str, Any]:
    return {
        "address": ban.address,
        "reason": ban.reason,
        "failures": ban.failures,
        "banned_at": ban.banned_at.isoformat(),
        "expires_at": ban.expires_at.isoformat(),
        "lifted_at": ban.lifted_at.isoformat() if ban.lifted_at else None,
        "lifted_by": ban.lifted_by,
        "active": active,
    }


@permission("security:bans")
async def list_bans(request: web.Request) -> web.Response:
    bans = _bans(request)
    now = datetime.now(UTC)
    active, recent = await bans.active(), await bans.recent(200)
    return web.json_response(
        {
            "active": [ban_json(b, True) for b in active],
            "recent": [ban_json(b, b.active(now)) for b in recent],
        }
    )


@permission("security:bans")
async def lift_ban(request: web.Request) -> web.Response:
    address = request.match_info["address"]
    who = principal(request)
    try:
        ban = await _bans(request).lift(address, f"token {who.token_id} ({who.name})")
    except BanError as exc:
        raise ApiError(422, "invalid", str(exc), "address") from None
    if ban is None:
        raise ApiError(404, "not_found", f"address: {address!r} is not banned")
    return web.json_response(ban_json(ban, False))


ROUTES = [
    Route(
        "GET",
        "/security/bans",
        list_bans,
        "Addresses banned from SIP now, and the latest bans (active, expired, lifted)",
        None,
        BAN_LIST,
        also=(503,),
    ),
    Route(
        "DELETE",
        "/security/bans/{address}",
        lift_ban,
        "Lift the ban of an address: it may register and call again at once",
        None,
        BAN,
        also=(503,),
    ),
]
