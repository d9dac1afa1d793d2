"""The VoicemailStore port on SQLAlchemy: a message and its audio's recording row are
written in one transaction, keyed by the message's key (taking or importing it twice, or
again after a crash half way, finds the first). One transaction per use case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.recordings import RecordingState
from callcenter.domain.tickets import Page
from callcenter.domain.voicemails import (
    NewVoicemail,
    Voicemail,
    VoicemailFilter,
    VoicemailSource,
    VoicemailState,
    recording_key,
)
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import RecordingRow, VoicemailRow
from callcenter.store.outbox import Announce, write_events

_CHANGEABLE = frozenset(
    {"callback_id", "ticket_number", "note", "state", "answered_at", "answered_by", "caller"}
)


class SqlVoicemails:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def received(self, new: NewVoicemail) -> tuple[Voicemail, bool]:
        """The message (created with its recording row if new; True then)."""
        return await self._threads.run("voicemails.received", self.received_sync, new)

    def received_sync(self, new: NewVoicemail) -> tuple[Voicemail, bool]:
        with self._sessions.begin() as s:
            row = s.scalar(select(VoicemailRow).where(VoicemailRow.key == new.key))
            if row is not None:
                return _to_domain(row), False
            audio = s.scalar(
                select(RecordingRow).where(RecordingRow.call_id == recording_key(new.key))
            )
            if audio is None:
                audio = RecordingRow(
                    call_id=recording_key(new.key),
                    kind="voicemail",
                    path=new.path,
                    state=RecordingState.COMPLETE.value,
                    started_at=new.received_at,
                    ended_at=new.received_at,
                    duration=round(new.duration, 2),
                    bytes=new.audio_bytes,
                    sha256=new.sha256,
                    channels=1,
                    queue=new.queue,
                    pauses=[],
                    retain_until=new.retain_until,
                )
                s.add(audio)
                s.flush()
            row = VoicemailRow(
                key=new.key,
                mailbox=new.mailbox,
                queue=new.queue,
                caller=new.caller[:24],
                received_at=new.received_at,
                duration=round(new.duration, 2),
                source=new.source.value,
                state=VoicemailState.NEW.value,
                call_id=new.call_id,
                recording_id=audio.id,
            )
            s.add(row)
            s.flush()
            return _to_domain(row), True

    async def update(
        self,
        voicemail_id: int,
        changes: dict[str, Any],
        announce: Announce[Voicemail] | None = None,
    ) -> Voicemail | None:
        """Set fields of a message (its ticket also on its recording); None if none.
        ``announce``: the change's events, written in the same transaction."""
        return await self._threads.run(
            "voicemails.update", self._update, voicemail_id, changes, announce
        )

    def _update(
        self,
        voicemail_id: int,
        changes: dict[str, Any],
        announce: Announce[Voicemail] | None = None,
    ) -> Voicemail | None:
        unknown = set(changes) - _CHANGEABLE
        if unknown:
            raise ValueError(f"voicemail fields {sorted(unknown)} may not change")
        with self._sessions.begin() as s:
            row = s.get(VoicemailRow, voicemail_id)
            if row is None:
                return None
            for name, value in changes.items():
                if name == "ticket_number":
                    row.ticket_id = value
                    if row.recording_id is not None and (
                        audio := s.get(RecordingRow, row.recording_id)
                    ):
                        audio.ticket_id = value
                elif name == "state":
                    row.state = VoicemailState(value).value
                else:
                    setattr(row, name, value)
            s.flush()
            changed = _to_domain(row)
            if announce is not None:
                write_events(s, announce(changed))
            return changed

    async def answer(self, voicemail_id: int, at: datetime, by: str, note: str) -> Voicemail | None:
        """Mark a new message answered (compare-and-set: an answered one stays as it was)."""
        return await self._threads.run(
            "voicemails.answer", self._answer, voicemail_id, at, by, note
        )

    def _answer(self, voicemail_id: int, at: datetime, by: str, note: str) -> Voicemail | None:
        with self._sessions.begin() as s:
            row = s.get(VoicemailRow, voicemail_id)
            if row is None:
                return None
            if row.state == VoicemailState.NEW.value:
                row.state = VoicemailState.ANSWERED.value
                row.answered_at, row.answered_by = at, by[:120]
                if note:
                    row.note = note[:300]
                s.flush()
            return _to_domain(row)

    async def by_callback(self, callback_id: int) -> list[Voicemail]:
        return await self._threads.run("voicemails.by_callback", self._by_callback, callback_id)

    def _by_callback(self, callback_id: int) -> list[Voicemail]:
        with self._sessions() as s:
            rows = s.scalars(select(VoicemailRow).where(VoicemailRow.callback_id == callback_id))
            return [_to_domain(r) for r in rows]

    async def get(self, voicemail_id: int) -> Voicemail | None:
        return await self._threads.run("voicemails.get", self.get_sync, voicemail_id)

    def get_sync(self, voicemail_id: int) -> Voicemail | None:
        with self._sessions() as s:
            row = s.get(VoicemailRow, voicemail_id)
            return None if row is None else _to_domain(row)

    async def unfinished(self, limit: int = 100) -> list[Voicemail]:
        """New messages not yet on a ticket: a use case stopped half way (crash)."""
        return await self._threads.run("voicemails.unfinished", self._unfinished, limit)

    def _unfinished(self, limit: int) -> list[Voicemail]:
        query = (
            select(VoicemailRow)
            .where(VoicemailRow.ticket_id.is_(None), VoicemailRow.state == VoicemailState.NEW.value)
            .order_by(VoicemailRow.id)
            .limit(limit)
        )
        with self._sessions() as s:
            return [_to_domain(r) for r in s.scalars(query)]

    async def search(
        self, where: VoicemailFilter, limit: int, before: int | None
    ) -> Page[Voicemail]:
        """Newest first, ``limit`` a page; ``before`` is the last id of the page before."""
        return await self._threads.run("voicemails.search", self.search_sync, where, limit, before)

    def search_sync(
        self, where: VoicemailFilter, limit: int, before: int | None
    ) -> Page[Voicemail]:
        query = select(VoicemailRow)
        if where.queue:
            query = query.where(VoicemailRow.queue == where.queue)
        if where.mailbox:
            query = query.where(VoicemailRow.mailbox == where.mailbox)
        if where.state is not None:
            query = query.where(VoicemailRow.state == where.state.value)
        if where.since is not None:
            query = query.where(VoicemailRow.received_at >= where.since)
        if before is not None:
            query = query.where(VoicemailRow.id < before)
        with self._sessions() as s:
            rows = list(s.scalars(query.order_by(VoicemailRow.id.desc()).limit(limit + 1)))
        items = tuple(_to_domain(r) for r in rows[:limit])
        more = len(rows) > limit
        return Page(items, str(items[-1].id) if more and items else None)


def _to_domain(row: VoicemailRow) -> Voicemail:
    return Voicemail(
        id=row.id,
        key=row.key,
        mailbox=row.mailbox,
        queue=row.queue or "",
        caller=row.caller or "",
        received_at=as_utc(row.received_at),
        duration=row.duration or 0.0,
        source=VoicemailSource(row.source),
        state=VoicemailState(row.state),
        call_id=row.call_id or "",
        recording_id=row.recording_id,
        callback_id=row.callback_id,
        ticket_number=row.ticket_id,
        note=row.note or "",
        answered_at=as_utc(row.answered_at) if row.answered_at else None,
        answered_by=row.answered_by or "",
    )
