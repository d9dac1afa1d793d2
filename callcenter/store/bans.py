"""The SipBanStore port on SQLAlchemy: one row per ban, kept after it ends (the record of
who was banned, why, and who lifted it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.bans import SipBan
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import SipBanRow


class SqlSipBans:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def add_ban(self, ban: SipBan) -> SipBan:
        return await self._threads.run("sip_bans.add", self._add, ban)

    def _add(self, ban: SipBan) -> SipBan:
        with self._sessions.begin() as s:
            current = _active(s, ban.banned_at, ban.address)
            if current:
                return _to_domain(current[0])
            s.add(
                SipBanRow(
                    address=ban.address,
                    reason=ban.reason[:300],
                    failures=ban.failures,
                    banned_at=ban.banned_at,
                    expires_at=ban.expires_at,
                    lifted_by="",
                )
            )
            return ban

    async def active_bans(self, now: datetime) -> list[SipBan]:
        return await self._threads.run("sip_bans.active", self._active_bans, now)

    def _active_bans(self, now: datetime) -> list[SipBan]:
        with self._sessions() as s:
            return [_to_domain(r) for r in _active(s, now)]

    async def recent_bans(self, limit: int) -> list[SipBan]:
        return await self._threads.run("sip_bans.recent", self._recent, limit)

    def _recent(self, limit: int) -> list[SipBan]:
        with self._sessions() as s:
            rows = s.scalars(select(SipBanRow).order_by(SipBanRow.id.desc()).limit(limit))
            return [_to_domain(r) for r in rows]

    async def lift_ban(self, address: str, now: datetime, by: str) -> SipBan | None:
        return await self._threads.run("sip_bans.lift", self._lift, address, now, by)

    def lift_sync(self, address: str, now: datetime, by: str) -> SipBan | None:
        """The same without the thread hop (the CLI)."""
        return self._lift(address, now, by)

    def _lift(self, address: str, now: datetime, by: str) -> SipBan | None:
        with self._sessions.begin() as s:
            rows = _active(s, now, address)
            for row in rows:
                row.lifted_at, row.lifted_by = now, by[:120]
            return _to_domain(rows[0]) if rows else None

    def recent_sync(self, limit: int) -> list[SipBan]:
        return self._recent(limit)


def _active(s: Session, now: datetime, address: str | None = None) -> list[SipBanRow]:
    query = select(SipBanRow).where(SipBanRow.lifted_at.is_(None), SipBanRow.expires_at > now)
    if address is not None:
        query = query.where(SipBanRow.address == address)
    return list(s.scalars(query.order_by(SipBanRow.id)))


def _to_domain(row: SipBanRow) -> SipBan:
    return SipBan(
        address=row.address,
        reason=row.reason,
        failures=row.failures,
        banned_at=as_utc(row.banned_at),
        expires_at=as_utc(row.expires_at),
        lifted_at=as_utc(row.lifted_at) if row.lifted_at is not None else None,
        lifted_by=row.lifted_by,
    )
