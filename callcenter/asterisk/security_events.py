"""Asterisk's security events (AMI class ``security``) → domain auth failures.

Only the events that mean "someone tried credentials or names that are wrong" count:
``ChallengeResponseFailed`` (wrong password), ``InvalidAccountID`` (a user that does not
exist — also what a scanner's unauthenticated REGISTERs raise) and ``InvalidPassword``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from callcenter.domain.bans import AuthFailure, BanError, parse_address

FAILURE_EVENTS = ("ChallengeResponseFailed", "InvalidAccountID", "InvalidPassword")


def remote_address(value: str) -> str | None:
    """``IPV4/UDP/127.0.0.3/5060`` (or ``IPV6/TCP/::1/5060``) → the canonical address."""
    parts = value.split("/")
    if len(parts) < 4 or parts[0] not in ("IPV4", "IPV6"):
        return None
    try:
        return parse_address("/".join(parts[2:-1]) if parts[0] == "IPV6" else parts[2])
    except BanError:
        return None


def auth_failure(event: Mapping[str, str], at: datetime) -> AuthFailure | None:
    name = event.get("Event", "")
    if name not in FAILURE_EVENTS or event.get("Service") != "PJSIP":
        return None
    address = remote_address(event.get("RemoteAddress", ""))
    if address is None:
        return None
    return AuthFailure(address, event.get("AccountID", "")[:80], name, at)
