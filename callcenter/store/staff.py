"""Staff accounts, their sessions and one-time sign-in links on SQLAlchemy.

Only hashes are stored: argon2 for passwords, SHA-256 for session cookies and links (a
copy of the database signs nobody in). Hashing and verifying run in the store's threads.
The ``*_sync`` methods serve the CLI.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.staff import (
    StaffError,
    StaffSession,
    StaffUser,
    check_locale,
    check_password,
    check_role,
    check_username,
)
from callcenter.domain.tickets import Role
from callcenter.passwords import hash_password, verify_password
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import StaffLinkRow, StaffSessionRow, StaffUserRow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: StaffUserRow) -> StaffUser:
    return StaffUser(row.id, row.username, Role(row.role), row.agent, row.disabled, row.locale)


class SqlStaff:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    # -- accounts (CLI) ------------------------------------------------------------------

    def create_user_sync(
        self, username: str, password: str | None, role: Role, agent: str, now: datetime
    ) -> StaffUser:
        """A new account; ``password`` None makes one that signs in by link only."""
        check_username(username)
        check_role(role, agent)
        digest = hash_password(check_password(password)) if password is not None else None
        try:
            with self._sessions.begin() as s:
                row = StaffUserRow(
                    username=username,
                    password_hash=digest,
                    role=role.value,
                    agent=agent,
                    created_at=now,
                    disabled=False,
                )
                s.add(row)
                s.flush()
                return _user(row)
        except IntegrityError:
            raise StaffError(f"username {username!r}: taken") from None

    def set_password_sync(self, username: str, password: str) -> StaffUser:
        digest = hash_password(check_password(password))
        with self._sessions.begin() as s:
            row = self._named(s, username)
            row.password_hash = digest
            return _user(row)

    def set_locale_sync(self, username: str, locale: str) -> StaffUser:
        check_locale(locale)
        with self._sessions.begin() as s:
            row = self._named(s, username)
            row.locale = locale
            return _user(row)

    async def set_locale(self, username: str, locale: str) -> StaffUser:
        return await self._threads.run("staff.set_locale", self.set_locale_sync, username, locale)

    async def list_users(self) -> list[StaffUser]:
        return await self._threads.run("staff.list", self.list_users_sync)

    async def set_disabled(self, username: str, disabled: bool, now: datetime) -> StaffUser:
        return await self._threads.run(
            "staff.set_disabled", self.set_disabled_sync, username, disabled, now
        )

    def set_disabled_sync(self, username: str, disabled: bool, now: datetime) -> StaffUser:
        """Disabling also ends every session of the account."""
        with self._sessions.begin() as s:
            row = self._named(s, username)
            row.disabled = disabled
            if disabled:
                for session in s.scalars(
                    select(StaffSessionRow).where(
                        StaffSessionRow.user_id == row.id, StaffSessionRow.ended_at.is_(None)
                    )
                ):
                    session.ended_at = now
            return _user(row)

    def list_users_sync(self) -> list[StaffUser]:
        with self._sessions() as s:
            return [_user(r) for r in s.scalars(select(StaffUserRow).order_by(StaffUserRow.id))]

    def create_link_sync(self, username: str, now: datetime, valid: timedelta) -> str:
        """A one-time sign-in link's token (shown once; only its hash is kept)."""
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as s:
            row = self._named(s, username)
            if row.disabled:
                raise StaffError(f"username {username!r}: disabled")
            s.add(
                StaffLinkRow(
                    token_hash=_digest(token),
                    user_id=row.id,
                    created_at=now,
                    expires_at=now + valid,
                )
            )
        return token

    def ensure_admin_sync(self, now: datetime) -> StaffUser:
        """The ``admin`` account (signs in by link until given a password)."""
        with self._sessions() as s:
            row = s.scalar(select(StaffUserRow).where(StaffUserRow.username == "admin"))
            if row is not None:
                return _user(row)
        try:
            return self.create_user_sync("admin", None, Role.ADMIN, "", now)
        except StaffError:  # created meanwhile by another process
            return self.ensure_admin_sync(now)

    @staticmethod
    def _named(s: Session, username: str) -> StaffUserRow:
        row = s.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
        if row is None:
            raise StaffError(f"username {username!r}: no such account")
        return row

    # -- signing in (daemon) -------------------------------------------------------------

    async def authenticate(self, username: str, password: str) -> StaffUser | None:
        return await self._threads.run("staff.authenticate", self._authenticate, username, password)

    def _authenticate(self, username: str, password: str) -> StaffUser | None:
        with self._sessions() as s:
            row = s.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
        stored = row.password_hash if row is not None else None
        if not verify_password(stored, password) or row is None or row.disabled:
            return None
        return _user(row)

    async def redeem_link(self, token: str, now: datetime) -> StaffUser | None:
        return await self._threads.run("staff.redeem_link", self._redeem, token, now)

    def _redeem(self, token: str, now: datetime) -> StaffUser | None:
        with self._sessions.begin() as s:
            link = s.scalar(select(StaffLinkRow).where(StaffLinkRow.token_hash == _digest(token)))
            if link is None or link.used_at is not None or as_utc(link.expires_at) <= now:
                return None
            link.used_at = now  # one use: a second click finds it spent
            row = s.get(StaffUserRow, link.user_id)
            return None if row is None or row.disabled else _user(row)

    async def start_session(self, user: StaffUser, now: datetime, ttl: timedelta) -> str:
        """A session for ``user``; returns the cookie's value (shown once)."""
        return await self._threads.run("staff.start_session", self._start, user, now, ttl)

    def _start(self, user: StaffUser, now: datetime, ttl: timedelta) -> str:
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as s:
            s.add(
                StaffSessionRow(
                    token_hash=_digest(token),
                    user_id=user.id,
                    csrf=secrets.token_urlsafe(24),
                    created_at=now,
                    expires_at=now + ttl,
                )
            )
        return token

    async def session(self, token: str, now: datetime) -> StaffSession | None:
        return await self._threads.run("staff.session", self._session, token, now)

    def _session(self, token: str, now: datetime) -> StaffSession | None:
        with self._sessions() as s:
            row = s.scalar(
                select(StaffSessionRow).where(StaffSessionRow.token_hash == _digest(token))
            )
            if row is None or row.ended_at is not None or as_utc(row.expires_at) <= now:
                return None
            user = s.get(StaffUserRow, row.user_id)
            if user is None or user.disabled:
                return None
            return StaffSession(_user(user), row.csrf, as_utc(row.expires_at))

    async def end_session(self, token: str, now: datetime) -> None:
        await self._threads.run("staff.end_session", self._end, token, now)

    def _end(self, token: str, now: datetime) -> None:
        with self._sessions.begin() as s:
            row = s.scalar(
                select(StaffSessionRow).where(StaffSessionRow.token_hash == _digest(token))
            )
            if row is not None and row.ended_at is None:
                row.ended_at = now
