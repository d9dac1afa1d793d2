"""Flow versions in the database (the editor's history; the files stay what the daemon runs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.flow_versions import FlowVersion, FlowVersionError, digest
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models.flows import FlowVersionRow


def _version(row: FlowVersionRow) -> FlowVersion:
    return FlowVersion(
        row.id,
        row.file,
        row.digest,
        row.content,
        as_utc(row.published_at),
        row.published_by,
        row.note,
    )


class SqlFlowVersions:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    def record_sync(
        self, file: str, content: str, by: str, note: str, now: datetime
    ) -> tuple[FlowVersion, bool]:
        """A new version of ``file`` (and True), or its latest when the text is the same."""
        with self._sessions.begin() as s:
            latest = s.scalar(
                select(FlowVersionRow)
                .where(FlowVersionRow.file == file)
                .order_by(FlowVersionRow.id.desc())
                .limit(1)
            )
            if latest is not None and latest.digest == digest(content):
                return _version(latest), False
            row = FlowVersionRow(
                file=file,
                digest=digest(content),
                content=content,
                published_at=now,
                published_by=by[:40],
                note=note[:500],
            )
            s.add(row)
            s.flush()
            return _version(row), True

    def history_sync(self, file: str, limit: int = 50) -> list[FlowVersion]:
        with self._sessions() as s:
            rows = s.scalars(
                select(FlowVersionRow)
                .where(FlowVersionRow.file == file)
                .order_by(FlowVersionRow.id.desc())
                .limit(limit)
            )
            return [_version(r) for r in rows]

    def get_sync(self, file: str, version_id: int) -> FlowVersion:
        with self._sessions() as s:
            row = s.get(FlowVersionRow, version_id)
            if row is None or row.file != file:
                raise FlowVersionError(f"version {version_id}: no such version of {file}")
            return _version(row)

    async def record(
        self, file: str, content: str, by: str, note: str, now: datetime
    ) -> tuple[FlowVersion, bool]:
        return await self._threads.run(
            "flows.record", self.record_sync, file, content, by, note, now
        )

    async def history(self, file: str, limit: int = 50) -> list[FlowVersion]:
        return await self._threads.run("flows.history", self.history_sync, file, limit)

    async def get(self, file: str, version_id: int) -> FlowVersion:
        return await self._threads.run("flows.version", self.get_sync, file, version_id)
