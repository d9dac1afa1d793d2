"""Surveys on SQLAlchemy: one row per call asked, its event written in the same
transaction (the event log and the webhooks' outbox), read back for the pages and CSAT."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.recordings import RecordingState
from callcenter.domain.surveys import Channel, Outcome, Survey, SurveyError
from callcenter.domain.webhooks import Event
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import RecordingRow, SurveyRow
from callcenter.store.outbox import write_events


def _survey(row: SurveyRow) -> Survey:
    def utc(at: datetime | None) -> datetime | None:
        return as_utc(at) if at is not None else None

    return Survey(
        id=row.id,
        call_id=row.call_id,
        channel=Channel(row.channel),
        outcome=Outcome(row.outcome),
        queue=row.queue,
        agent=row.agent,
        scores=tuple(row.scores or ()),
        comment_path=row.comment_path,
        comment_text=row.comment_text,
        created_at=utc(row.created_at),
        answered_at=utc(row.answered_at),
        reviewed_at=utc(row.reviewed_at),
        reviewed_by=row.reviewed_by,
        ticket_number=row.ticket_number,
    )


def event_of(survey: Survey) -> Event:
    """``survey.answered`` / ``survey.no_answer`` (never the comment's audio path)."""
    return Event(
        f"survey.{survey.outcome.value}",
        {
            "survey_id": survey.id,
            "call_id": survey.call_id,
            "channel": survey.channel.value,
            "queue": survey.queue,
            "agent": survey.agent,
            "scores": list(survey.scores),
            "comment": bool(survey.comment_path),
            "ticket_number": survey.ticket_number,
        },
    )


class SqlSurveys:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def record(self, survey: Survey) -> Survey | None:
        return await self._threads.run("surveys.record", self.record_sync, survey)

    def record_sync(self, survey: Survey) -> Survey | None:
        """Store a phone survey's result with its event; None when this call's survey is
        already stored (a marker imported twice)."""
        with self._sessions() as s:
            row = SurveyRow(
                call_id=survey.call_id,
                channel=survey.channel.value,
                outcome=survey.outcome.value,
                queue=survey.queue,
                agent=survey.agent,
                scores=list(survey.scores),
                comment_path=survey.comment_path,
                comment_text="",
                ticket_number=survey.ticket_number,
                created_at=survey.created_at,
                answered_at=survey.answered_at,
                reviewed_by="",
                token_digest="",
            )
            s.add(row)
            try:
                s.flush()
            except IntegrityError:
                s.rollback()
                return None
            saved = _survey(row)
            if saved.outcome is not Outcome.PENDING:
                write_events(s, [event_of(saved)], saved.answered_at or saved.created_at)
            s.commit()
            return saved

    async def open_link(
        self, call_id: str, queue: str, agent: str, ticket: int | None, at: datetime,
        expires: datetime, digest_of: object,
    ) -> Survey:  # fmt: skip
        return await self._threads.run(
            "surveys.open_link", self.open_link_sync, call_id, queue, agent, ticket, at, expires,
            digest_of,
        )  # fmt: skip

    def open_link_sync(
        self, call_id: str, queue: str, agent: str, ticket: int | None, at: datetime,
        expires: datetime, digest_of: object,
    ) -> Survey:  # fmt: skip
        """A pending link survey for ``call_id`` (one per call); ``digest_of(id)`` gives the
        digest of its token, made once the row has its id."""
        with self._sessions() as s:
            row = SurveyRow(
                call_id=call_id, channel=Channel.LINK.value, outcome=Outcome.PENDING.value,
                queue=queue, agent=agent, scores=[], comment_path="", comment_text="",
                ticket_number=ticket, created_at=at, reviewed_by="", token_digest="",
                expires_at=expires,
            )  # fmt: skip
            s.add(row)
            try:
                s.flush()
            except IntegrityError:
                raise SurveyError("call_id", f"{call_id!r} already has a survey link") from None
            row.token_digest = digest_of(row.id)  # type: ignore[operator]
            s.commit()
            return _survey(row)

    async def answer_link(
        self, survey_id: int, digest: str, scores: Sequence[int], at: datetime
    ) -> Survey:
        return await self._threads.run(
            "surveys.answer_link", self.answer_link_sync, survey_id, digest, scores, at
        )

    def answer_link_sync(
        self, survey_id: int, digest: str, scores: Sequence[int], at: datetime
    ) -> Survey:
        """Answer a link survey once: a used, unknown or superseded token is refused."""
        with self._sessions() as s:
            row = s.get(SurveyRow, survey_id, with_for_update=True)
            if row is None or row.channel != Channel.LINK.value or row.token_digest != digest:
                raise SurveyError("token", "not a survey link of ours")
            if row.outcome != Outcome.PENDING.value:
                raise SurveyError("token", "this survey link was used already")
            row.outcome, row.scores, row.answered_at = Outcome.ANSWERED.value, list(scores), at
            saved = _survey(row)
            write_events(s, [event_of(saved)], at)
            s.commit()
            return saved

    async def phone_survey(self, call_id: str) -> Survey | None:
        return await self._threads.run("surveys.phone_survey", self.phone_survey_sync, call_id)

    def phone_survey_sync(self, call_id: str) -> Survey | None:
        """The survey the dialplan took on ``call_id``, if stored."""
        with self._sessions() as s:
            row = s.scalars(
                select(SurveyRow).where(
                    SurveyRow.call_id == call_id, SurveyRow.channel == Channel.PHONE.value
                )
            ).first()
            return _survey(row) if row is not None else None

    async def comment_transcribed(self, call_id: str, text: str) -> bool:
        return await self._threads.run("surveys.comment", self.comment_sync, call_id, text)

    def comment_sync(self, call_id: str, text: str) -> bool:
        with self._sessions() as s:
            row = s.scalars(
                select(SurveyRow).where(
                    SurveyRow.call_id == call_id, SurveyRow.channel == Channel.PHONE.value
                )
            ).first()
            if row is None:
                return False
            row.comment_text = text
            s.commit()
            return True

    async def review(self, survey_id: int, by: str, at: datetime) -> Survey | None:
        return await self._threads.run("surveys.review", self.review_sync, survey_id, by, at)

    def review_sync(self, survey_id: int, by: str, at: datetime) -> Survey | None:
        """Mark a survey seen by a supervisor (the first one's name and time stay)."""
        with self._sessions() as s:
            row = s.get(SurveyRow, survey_id)
            if row is None:
                return None
            if row.reviewed_at is None:
                row.reviewed_at, row.reviewed_by = at, by
                s.commit()
            return _survey(row)

    async def get(self, survey_id: int) -> Survey | None:
        return await self._threads.run("surveys.get", self.get_sync, survey_id)

    def get_sync(self, survey_id: int) -> Survey | None:
        with self._sessions() as s:
            row = s.get(SurveyRow, survey_id)
            return _survey(row) if row is not None else None

    async def between(
        self, since: datetime, until: datetime, queue: str = "", agent: str = "", limit: int = 0
    ) -> list[Survey]:
        return await self._threads.run(
            "surveys.between", self.between_sync, since, until, queue, agent, limit
        )

    def between_sync(
        self, since: datetime, until: datetime, queue: str = "", agent: str = "", limit: int = 0
    ) -> list[Survey]:
        """Surveys made in [since, until), newest first, pending links left out."""
        query = select(SurveyRow).where(
            SurveyRow.created_at >= since,
            SurveyRow.created_at < until,
            SurveyRow.outcome != Outcome.PENDING.value,
        )
        if queue:
            query = query.where(SurveyRow.queue == queue)
        if agent:
            query = query.where(SurveyRow.agent == agent)
        query = query.order_by(SurveyRow.created_at.desc(), SurveyRow.id.desc())
        if limit:
            query = query.limit(limit)
        with self._sessions() as s:
            return [_survey(row) for row in s.scalars(query)]

    async def add_comment(
        self, call_id: str, path: str, at: datetime, queue: str, audio: tuple[float, int, str],
        retain_until: datetime | None,
    ) -> None:  # fmt: skip
        await self._threads.run(
            "surveys.add_comment", self.add_comment_sync, call_id, path, at, queue, audio,
            retain_until,
        )  # fmt: skip

    def add_comment_sync(
        self, call_id: str, path: str, at: datetime, queue: str, audio: tuple[float, int, str],
        retain_until: datetime | None,
    ) -> None:  # fmt: skip
        """A comment's audio as a recording (mono, kind ``survey``): the transcripts take
        it as they take a voicemail's. Once per comment."""
        duration, size, sha256 = audio
        with self._sessions.begin() as s:
            if s.scalar(select(RecordingRow.id).where(RecordingRow.call_id == call_id)):
                return
            s.add(
                RecordingRow(
                    call_id=call_id,
                    kind="survey",
                    path=path,
                    state=RecordingState.COMPLETE.value,
                    started_at=at,
                    ended_at=at,
                    duration=round(duration, 2),
                    bytes=size,
                    sha256=sha256,
                    channels=1,
                    queue=queue,
                    pauses=[],
                    retain_until=retain_until,
                )
            )
