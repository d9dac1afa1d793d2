"""Staff who sign in to the pages: agents, supervisors, admins (integrations keep tokens).

Pure rules: what a username and a password must be, and where a sign-in may send the
browser next (only to a path of this site: an open redirect would let a link on any
site bounce a signed-in agent to a look-alike page).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from callcenter.domain.tickets import Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
MIN_PASSWORD = 10
STAFF_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.AGENT)


class StaffError(ValueError):
    """A bad username, password or role; the message names it."""


@dataclasses.dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: Role
    agent: str = ""  # agents: their extension
    disabled: bool = False
    locale: str = ""  # the staff application's language ("": the browser's decides)


@dataclasses.dataclass(frozen=True)
class StaffSession:
    user: StaffUser
    csrf: str  # sent back by the pages with every change (X-CSRF-Token)
    expires_at: datetime


def check_username(username: str) -> str:
    if USERNAME.fullmatch(username) is None:
        raise StaffError(
            f"username {username!r}: 2-40 of a-z, 0-9, '.', '_' or '-', starting with a letter"
            " or digit"
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"password: at least {MIN_PASSWORD} characters")
    if "\x00" in password or len(password) > 200:
        raise StaffError("password: at most 200 characters, no NUL")
    return password


LOCALES = ("en", "ru", "zh")  # the staff application's languages (web/src/locales/)


def check_locale(locale: str) -> str:
    if locale not in ("", *LOCALES):
        raise StaffError(
            f"locale {locale!r}: one of {', '.join(LOCALES)} (or '' for the browser's)"
        )
    return locale


def check_role(role: Role, agent: str) -> None:
    if role not in STAFF_ROLES:
        raise StaffError(
            f"role {role.value!r}: staff are {', '.join(r.value for r in STAFF_ROLES)}"
        )
    if role is Role.AGENT and not re.fullmatch(r"[0-9]{2,15}", agent):
        raise StaffError("agent: an agent's account needs their extension (2-15 digits)")
    if role is not Role.AGENT and agent:
        raise StaffError("agent: only agents' accounts belong to an extension")


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(c in target for c in "\r\n\x00") or len(target) > 500:
        return default
    return target


def landing(user: StaffUser) -> str:
    """Where a signed-in user starts: agents at their desk, leads at the board."""
    return f"/agents/{user.agent}/desk" if user.role is Role.AGENT else "/supervisor"
