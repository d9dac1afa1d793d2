"""The front's registrar as the daemon's side sees it: the agents' digests it checks, and
the phones registered there.

Contract: :meth:`SqlFrontRegistrar.set_agents` makes ``sip_front_subscribers`` exactly the
given agents (HA1 digests, never a password), in one transaction; :meth:`registrations`
lists the phones registered now (Kamailio writes those rows; expired ones are left out).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.store.models import FrontLocationRow, FrontSubscriberRow


class Registration(NamedTuple):
    agent: str
    contact: str
    expires: datetime
    user_agent: str


def sip_ha1(user: str, realm: str, password: str) -> str:
    """The SIP digest's HA1 (RFC 2617; MD5 is what SIP digest uses, not our choice)."""
    return hashlib.md5(f"{user}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


class SqlFrontRegistrar:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def set_agents(self, passwords: dict[str, str], realm: str) -> int:
        """Every agent's digest for ``realm``; agents not given lose theirs."""
        with self._sessions.begin() as s:
            s.execute(
                delete(FrontSubscriberRow).where(FrontSubscriberRow.username.not_in(passwords))
            )
            rows = {r.username: r for r in s.scalars(select(FrontSubscriberRow))}
            for ext, password in passwords.items():
                row = rows.get(ext) or FrontSubscriberRow(username=ext, domain="")
                row.ha1, row.password = sip_ha1(ext, realm, password), ""
                s.add(row)
        return len(passwords)

    def registrations(self) -> list[Registration]:
        now = datetime.now(UTC).replace(tzinfo=None)
        with self._sessions() as s:
            rows = s.scalars(
                select(FrontLocationRow)
                .where(FrontLocationRow.expires > now)
                .order_by(FrontLocationRow.username)
            )
            return [
                Registration(r.username, r.contact, r.expires.replace(tzinfo=UTC), r.user_agent)
                for r in rows
            ]
