"""Quality review on SQLAlchemy: scorecards (a new version per change) and evaluations
(inserted, superseded in one transaction with their successor, responded to by their
agent — never edited), and the recorded calls sampling draws from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.evaluations import Evaluation, NewEvaluation
from callcenter.domain.recordings import RecordingState
from callcenter.domain.review_sampling import Candidate
from callcenter.domain.scorecards import Form, ScorecardError, parse_sections, sections_json
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import EvaluationRow, RecordingRow, ScorecardRow, SurveyRow

T = TypeVar("T")


def _form(row: ScorecardRow) -> Form:
    return Form(row.id, row.name, row.version, parse_sections(row.sections))


def _evaluation(row: EvaluationRow) -> Evaluation:
    return Evaluation(
        id=row.id, recording_id=row.recording_id, agent=row.agent,
        scorecard_id=row.scorecard_id, grader=row.grader, answers=dict(row.answers),
        comments=list(row.comments), score=row.score, submitted_at=as_utc(row.submitted_at),
        supersedes=row.supersedes, superseded_by=row.superseded_by, reason=row.reason,
        response=row.response, dispute=row.dispute,
        responded_at=as_utc(row.responded_at) if row.responded_at else None,
    )  # fmt: skip


class SqlQuality:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def _run(self, name: str, fn: Callable[..., T], *args: Any) -> T:
        return await self._threads.run(f"quality.{name}", fn, *args)

    async def add_form(self, name: str, form: Form, by: str, at: datetime) -> Form:
        return await self._run("add_form", self.add_form_sync, name, form, by, at)

    async def forms(self, latest: bool = True) -> list[Form]:
        return await self._run("forms", self.forms_sync, latest)

    async def form(self, form_id: int) -> Form | None:
        return await self._run("form", self.form_sync, form_id)

    async def submit(self, new: NewEvaluation, supersedes: int | None, reason: str) -> Evaluation:
        return await self._run("submit", self.submit_sync, new, supersedes, reason)

    async def respond(
        self, evaluation_id: int, response: str, dispute: str, at: datetime
    ) -> Evaluation | None:
        return await self._run("respond", self.respond_sync, evaluation_id, response, dispute, at)

    async def evaluation(self, evaluation_id: int) -> Evaluation | None:
        return await self._run("evaluation", self.evaluation_sync, evaluation_id)

    async def evaluations(
        self, recording_id: int | None = None, agent: str = "", since: datetime | None = None
    ) -> list[Evaluation]:
        return await self._run("evaluations", self.evaluations_sync, recording_id, agent, since)

    async def candidates(
        self, since: datetime, until: datetime
    ) -> tuple[list[Candidate], set[int]]:
        return await self._run("candidates", self.candidates_sync, since, until)

    def add_form_sync(self, name: str, form: Form, by: str, at: datetime) -> Form:
        """``form``'s sections as the next version of ``name``."""
        with self._sessions.begin() as s:
            last = s.scalar(select(func.max(ScorecardRow.version)).where(ScorecardRow.name == name))
            row = ScorecardRow(
                name=name,
                version=(last or 0) + 1,
                sections=sections_json(form.sections),
                created_at=at,
                created_by=by,
            )
            s.add(row)
            s.flush()
            return _form(row)

    def forms_sync(self, latest: bool = True) -> list[Form]:
        with self._sessions() as s:
            rows = list(
                s.scalars(select(ScorecardRow).order_by(ScorecardRow.name, ScorecardRow.version))
            )
        if latest:
            rows = list({r.name: r for r in rows}.values())
        return [_form(r) for r in rows]

    def form_sync(self, form_id: int) -> Form | None:
        with self._sessions() as s:
            row = s.get(ScorecardRow, form_id)
            return _form(row) if row is not None else None

    def submit_sync(self, new: NewEvaluation, supersedes: int | None, reason: str) -> Evaluation:
        """Insert an evaluation; superseding ``supersedes`` (not superseded yet) in the
        same transaction."""
        with self._sessions.begin() as s:
            old = None
            if supersedes is not None:
                old = s.get(EvaluationRow, supersedes, with_for_update=True)
                if old is None:
                    raise ScorecardError([f"evaluation_id: no evaluation {supersedes}"])
                if old.superseded_by is not None:
                    raise ScorecardError(
                        [f"evaluation_id: {supersedes} was superseded by {old.superseded_by}"]
                    )
            row = EvaluationRow(
                recording_id=new.recording_id, agent=new.agent, scorecard_id=new.scorecard_id,
                grader=new.grader, answers=new.answers, comments=new.comments, score=new.score,
                submitted_at=new.submitted_at, supersedes=supersedes, reason=reason, response="",
                dispute="",
            )  # fmt: skip
            s.add(row)
            s.flush()
            if old is not None:
                old.superseded_by = row.id
            return _evaluation(row)

    def respond_sync(
        self, evaluation_id: int, response: str, dispute: str, at: datetime
    ) -> Evaluation | None:
        with self._sessions.begin() as s:
            row = s.get(EvaluationRow, evaluation_id, with_for_update=True)
            if row is None:
                return None
            row.response, row.dispute, row.responded_at = response, dispute, at
            return _evaluation(row)

    def evaluation_sync(self, evaluation_id: int) -> Evaluation | None:
        with self._sessions() as s:
            row = s.get(EvaluationRow, evaluation_id)
            return _evaluation(row) if row is not None else None

    def evaluations_sync(
        self, recording_id: int | None = None, agent: str = "", since: datetime | None = None
    ) -> list[Evaluation]:
        query = select(EvaluationRow).order_by(
            EvaluationRow.submitted_at.desc(), EvaluationRow.id.desc()
        )
        if recording_id is not None:
            query = query.where(EvaluationRow.recording_id == recording_id)
        if agent:
            query = query.where(EvaluationRow.agent == agent)
        if since is not None:
            query = query.where(EvaluationRow.submitted_at >= since)
        with self._sessions() as s:
            return [_evaluation(r) for r in s.scalars(query.limit(500))]

    def candidates_sync(self, since: datetime, until: datetime) -> tuple[list[Candidate], set[int]]:
        """Complete recordings of calls an agent took in [since, until), with the caller's
        survey score; and the recordings already evaluated."""
        query = (
            select(RecordingRow.id, RecordingRow.agent, RecordingRow.duration, SurveyRow.scores)
            .outerjoin(SurveyRow, SurveyRow.call_id == RecordingRow.call_id)
            .where(RecordingRow.state == RecordingState.COMPLETE.value, RecordingRow.kind == "call",
                   RecordingRow.agent != "", RecordingRow.started_at >= since,
                   RecordingRow.started_at < until)
        )  # fmt: skip
        with self._sessions() as s:
            found = [Candidate(rid, agent, float(duration or 0), scores[0] if scores else None)
                     for rid, agent, duration, scores in s.execute(query)]  # fmt: skip
            done = set(s.scalars(select(EvaluationRow.recording_id).distinct()))
        return found, done


def recent_first(items: Sequence[Evaluation]) -> list[Evaluation]:
    return sorted(items, key=lambda e: (e.submitted_at, e.id), reverse=True)
