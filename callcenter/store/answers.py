"""Canned answers on SQLAlchemy: one row each, one shortcut per team and language, and a
use counted in the same statement that reads it back (no lost increments between nodes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.answers import AnswerError, CannedAnswer
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CannedAnswerRow


class SqlAnswers:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def all(self) -> list[CannedAnswer]:
        return await self._threads.run("answers.all", self.all_sync)

    def all_sync(self) -> list[CannedAnswer]:
        with self._sessions() as s:
            rows = s.scalars(select(CannedAnswerRow).order_by(CannedAnswerRow.shortcut))
            return [_answer(r) for r in rows]

    async def get(self, answer_id: int) -> CannedAnswer | None:
        return await self._threads.run("answers.get", self.get_sync, answer_id)

    def get_sync(self, answer_id: int) -> CannedAnswer | None:
        with self._sessions() as s:
            row = s.get(CannedAnswerRow, answer_id)
            return _answer(row) if row is not None else None

    async def save(self, answer: CannedAnswer, now: datetime) -> CannedAnswer:
        return await self._threads.run("answers.save", self.save_sync, answer, now)

    def save_sync(self, answer: CannedAnswer, now: datetime) -> CannedAnswer:
        """A new answer (``id`` 0) or a change to one (its uses kept); AnswerError naming
        the shortcut taken, LookupError for an id that does not exist."""
        try:
            with self._sessions.begin() as s:
                row = s.get(CannedAnswerRow, answer.id) if answer.id else None
                if answer.id and row is None:
                    raise LookupError(f"canned answer {answer.id}: no such answer")
                if row is None:
                    row = CannedAnswerRow(uses=0)
                    s.add(row)
                row.shortcut, row.title, row.body = answer.shortcut, answer.title, answer.body
                row.language, row.team = answer.language, answer.team
                row.updated_at, row.updated_by = now, answer.updated_by
                s.flush()
                return _answer(row)
        except IntegrityError:
            team = f"team {answer.team!r}" if answer.team else "every team"
            raise AnswerError(
                f"shortcut: /{answer.shortcut} is taken for {team} in {answer.language!r}"
            ) from None

    async def remove(self, answer_id: int) -> bool:
        return await self._threads.run("answers.remove", self.remove_sync, answer_id)

    def remove_sync(self, answer_id: int) -> bool:
        with self._sessions.begin() as s:
            row = s.get(CannedAnswerRow, answer_id)
            if row is None:
                return False
            s.delete(row)
            return True

    async def used(self, answer_id: int) -> CannedAnswer | None:
        return await self._threads.run("answers.used", self.used_sync, answer_id)

    def used_sync(self, answer_id: int) -> CannedAnswer | None:
        """Count one use; the answer as it is now (None: no such answer)."""
        with self._sessions.begin() as s:
            s.execute(
                update(CannedAnswerRow)
                .where(CannedAnswerRow.id == answer_id)
                .values(uses=CannedAnswerRow.uses + 1)
            )
            row = s.get(CannedAnswerRow, answer_id)
            return _answer(row) if row is not None else None


def _answer(row: CannedAnswerRow) -> CannedAnswer:
    return CannedAnswer(
        id=row.id,
        shortcut=row.shortcut,
        title=row.title,
        body=row.body,
        language=row.language,
        team=row.team,
        uses=row.uses,
        updated_at=as_utc(row.updated_at),
        updated_by=row.updated_by,
    )
