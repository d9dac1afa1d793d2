"""API tokens (only their SHA-256 is stored) and idempotency keys for retried POSTs."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.tickets import NotFound, Role
from callcenter.services.ports import ApiPrincipal, StoredResponse
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import ApiTokenRow, IdempotencyRow

TOKEN_PREFIX = "cc_"  # noqa: S105 (a prefix, not a secret)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlApiKeys:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    # -- tokens (sync: the CLI uses them directly) ---------------------------------------

    def create_token(self, name: str, role: Role, agent: str = "") -> tuple[int, str]:
        """A new token for ``role`` (an agent token bound to ``agent``, the extension); the
        token itself is returned once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._sessions.begin() as s:
            row = ApiTokenRow(
                name=name,
                role=role.value,
                token_hash=token_hash(token),
                created_at=_now(),
                agent=agent,
            )
            s.add(row)
            s.flush()
            return row.id, token

    def list_tokens(self) -> list[tuple[int, str, Role, datetime, datetime | None]]:
        with self._sessions() as s:
            rows = s.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))
            return [(r.id, r.name, Role(r.role), r.created_at, r.revoked_at) for r in rows]

    def revoke_token(self, token_id: int) -> None:
        with self._sessions.begin() as s:
            row = s.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFound(f"token: no token {token_id}")
            row.revoked_at = row.revoked_at or _now()

    def _principal(self, token: str) -> ApiPrincipal | None:
        with self._sessions() as s:
            row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(token)))
            if row is None or row.revoked_at is not None:
                return None
            return ApiPrincipal(row.id, row.name, Role(row.role), row.agent or "")

    async def principal(self, token: str) -> ApiPrincipal | None:
        return await self._threads.run("api_keys.principal", self._principal, token)

    # -- idempotency ---------------------------------------------------------------------

    def _stored(self, token_id: int, key: str) -> StoredResponse | None:
        with self._sessions() as s:
            row = s.scalar(
                select(IdempotencyRow).where(
                    IdempotencyRow.token_id == token_id, IdempotencyRow.key == key
                )
            )
            if row is None:
                return None
            return StoredResponse(row.request_hash, row.status, row.response)

    async def stored(self, token_id: int, key: str) -> StoredResponse | None:
        return await self._threads.run("api_keys.stored", self._stored, token_id, key)

    def _store(self, token_id: int, key: str, response: StoredResponse) -> None:
        try:
            with self._sessions.begin() as s:
                s.add(
                    IdempotencyRow(
                        token_id=token_id,
                        key=key,
                        request_hash=response.request_hash,
                        status=response.status,
                        response=response.body,
                        created_at=_now(),
                    )
                )
        except IntegrityError:
            pass  # a concurrent retry stored it first; theirs stands

    async def store(self, token_id: int, key: str, response: StoredResponse) -> None:
        await self._threads.run("api_keys.store", self._store, token_id, key, response)


def _now() -> datetime:
    return datetime.now(UTC)
