"""Click-to-call widgets: what a site embeds, and the short-lived tokens its page carries.

A widget belongs to one queue and lists the origins (scheme://host[:port]) of the pages
allowed to embed it: https everywhere, plain http only on loopback (a developer's page).
The page asks the daemon for a token (``POST /api/v1/widgets/{id}/session``) with its
Origin; the token — HS256 JWT with ``sub`` = widget id, ``aud`` = that origin, ``iat``,
``exp`` (minutes) and a ``jti`` — is then required, from that same Origin, for a callback
or a call. Attributes of the snippet are never trusted: the widget id in the token is.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import jwt

from callcenter.domain.dial_guard import Refusal, Rule

WIDGET_ID = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
MAX_ORIGINS = 10
_LOOPBACK = {"localhost", "127.0.0.1", "[::1]"}
ALGORITHM = "HS256"


class WidgetError(ValueError):
    """A widget definition that cannot be used; the message names the field."""


@dataclasses.dataclass(frozen=True)
class Widget:
    id: str
    queue: str  # callbacks asked from it wait here; web calls go here (or to ``flow``)
    origins: tuple[str, ...]
    name: str = ""
    call_now: bool = True  # offer "call now" (WebRTC) besides "call me back"
    flow: str = ""  # the IVR flow web calls run first ("": straight into ``queue``)
    enabled: bool = True
    created_at: datetime | None = None


def check_origin(raw: str, field: str = "origins") -> str:
    """``raw`` as an origin (lower-case scheme://host[:port], no path); WidgetError else."""
    text = raw.strip()
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or len(text) > 200:
        raise WidgetError(f"{field}: {raw!r} is not an origin (https://shop.example)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise WidgetError(f"{field}: {raw!r} has more than scheme, host and port")
    shown = f"[{host}]" if ":" in host else host
    if parts.scheme == "http" and shown not in _LOOPBACK:
        raise WidgetError(f"{field}: {raw!r} must be https (plain http only on loopback)")
    try:
        port = parts.port
    except ValueError:
        raise WidgetError(f"{field}: {raw!r} has a bad port") from None
    return f"{parts.scheme}://{shown}" + (f":{port}" if port else "")


def check_widget(widget: Widget, queues: frozenset[str]) -> Widget:
    """``widget`` with its origins normalised; WidgetError naming the field otherwise."""
    if not WIDGET_ID.match(widget.id):
        raise WidgetError(f"id: {widget.id!r} must be 2-40 of a-z, 0-9, '-' (a letter first)")
    if widget.queue not in queues:
        raise WidgetError(f"queue: no such queue {widget.queue!r}")
    if not widget.origins:
        raise WidgetError("origins: at least one origin may embed the widget")
    if len(widget.origins) > MAX_ORIGINS:
        raise WidgetError(f"origins: at most {MAX_ORIGINS}")
    origins = tuple(dict.fromkeys(check_origin(o) for o in widget.origins))
    if len(widget.name) > 80:
        raise WidgetError("name: at most 80 characters")
    return dataclasses.replace(widget, origins=origins)


@dataclasses.dataclass(frozen=True)
class TokenClaims:
    widget: str
    origin: str
    token_id: str  # jti: a dial takes it once
    expires_at: datetime


def issue_token(key: bytes, widget: Widget, origin: str, now: datetime, ttl: timedelta) -> str:
    """A token for ``widget`` on a page of ``origin`` (which must be one of its own)."""
    if origin not in widget.origins:
        raise Refusal(Rule.ORIGIN, f"origin {origin!r} may not embed widget {widget.id!r}")
    claims = {
        "sub": widget.id,
        "aud": origin,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(key: bytes, token: str, widget_id: str, origin: str, now: datetime) -> TokenClaims:
    """The claims of ``token`` if it was issued by us for ``widget_id`` on ``origin`` and
    has not expired; else Refusal(TOKEN) saying which of those failed."""
    if not token or len(token) > 2000:
        raise Refusal(Rule.TOKEN, "no widget token (ask /session first)")
    if not origin:
        raise Refusal(Rule.ORIGIN, "no Origin header: widget requests come from a page")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=origin,
            options={"require": ["sub", "aud", "exp", "iat", "jti"], "verify_exp": False},
        )
    except jwt.InvalidAudienceError:
        raise Refusal(
            Rule.ORIGIN, f"the token was issued for another origin than {origin!r}"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise Refusal(Rule.TOKEN, f"the widget token is not valid ({exc})") from None
    # exp checked here against our clock (tests and the benchmark move it), not time().
    if int(claims["exp"]) <= now.timestamp():
        raise Refusal(Rule.TOKEN, "the widget token has expired (ask /session again)")
    if claims["sub"] != widget_id:
        raise Refusal(Rule.TOKEN, f"the token belongs to another widget than {widget_id!r}")
    return TokenClaims(
        widget=str(claims["sub"]),
        origin=str(claims["aud"]),
        token_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo),
    )
