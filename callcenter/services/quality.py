"""Quality review of recorded calls: scorecards, evaluations, agents' responses,
calibration and sampling.

Contract:
* :meth:`Quality.define_form` stores a form (its sections validated whole) as the next
  version of its name; evaluations keep the version they were made with.
* :meth:`review` is what a reviewer's page needs for one recording: the recording, its
  transcript, the checks that need no person (pre-filled answers), the current forms, the
  evaluations made of it and the graders' spread per criterion (calibration).
* :meth:`submit` checks the answers against the form (a criterion the form no longer has
  is named) and the comments against the call's length; a submitted evaluation is never
  edited — :meth:`supersede` makes a new one, with a reason, in one transaction.
* An agent sees and responds to their own evaluations only (:meth:`respond`).
* :meth:`sample` draws the calls to review (random per agent, low CSAT, long calls).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from callcenter.domain import quality_checks, review_sampling
from callcenter.domain import scorecards as rules
from callcenter.domain.evaluations import Evaluation, NewEvaluation
from callcenter.domain.recordings import Recording
from callcenter.domain.review_sampling import Candidate
from callcenter.domain.scorecards import Form, ScorecardError
from callcenter.domain.transcripts import as_json
from callcenter.services.ports import Clock


class RecordingsPort(Protocol):
    async def get(self, recording_id: int) -> Recording | None: ...


class TranscriptsPort(Protocol):
    async def for_recording(self, recording_id: int) -> Any: ...


class QualityStore(Protocol):
    async def add_form(self, name: str, form: Form, by: str, at: datetime) -> Form: ...
    async def forms(self, latest: bool = True) -> list[Form]: ...
    async def form(self, form_id: int) -> Form | None: ...
    async def submit(
        self, new: NewEvaluation, supersedes: int | None, reason: str
    ) -> Evaluation: ...
    async def respond(
        self, evaluation_id: int, response: str, dispute: str, at: datetime
    ) -> Evaluation | None: ...
    async def evaluation(self, evaluation_id: int) -> Evaluation | None: ...
    async def evaluations(
        self, recording_id: int | None = None, agent: str = "", since: datetime | None = None
    ) -> list[Evaluation]: ...
    async def candidates(
        self, since: datetime, until: datetime
    ) -> tuple[list[Candidate], set[int]]: ...


class HoldsPort(Protocol):
    """A call's hold changes (AMI Hold / Unhold, from the event log), in time order."""

    async def __call__(self, call_id: str) -> list[tuple[datetime, bool]]: ...


class EvaluationNotFound(LookupError):
    pass


@dataclasses.dataclass(frozen=True)
class Review:
    recording: Recording
    utterances: list[dict[str, Any]]
    checks: dict[str, quality_checks.Check]
    forms: list[Form]
    evaluations: list[Evaluation]
    spread: dict[str, float | None]


class Quality:
    def __init__(
        self,
        store: QualityStore,
        recordings: RecordingsPort,
        transcripts: TranscriptsPort,
        agent_names: Any,
        clock: Clock,
        holds: HoldsPort | None = None,
    ) -> None:
        self._store, self._recordings, self._transcripts = store, recordings, transcripts
        self._names, self._clock, self._holds = agent_names, clock, holds

    async def define_form(self, name: str, sections: object, by: str) -> Form:
        parsed = rules.parse_sections(sections)
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 80:
            raise ScorecardError(["name: 1 to 80 characters"])
        form = Form(0, name.strip(), 0, parsed)
        return await self._store.add_form(form.name, form, by, self._clock.now())

    async def forms(self, every_version: bool = False) -> list[Form]:
        return await self._store.forms(not every_version)

    async def _recording(self, recording_id: int) -> Recording:
        recording = await self._recordings.get(recording_id)
        if recording is None or recording.kind != "call":
            raise EvaluationNotFound(f"no recorded call {recording_id}")
        return recording

    async def review(self, recording_id: int) -> Review:
        recording = await self._recording(recording_id)
        job = await self._transcripts.for_recording(recording_id)
        utterances = [as_json(u) for u in job.utterances] if job is not None else []
        name = await self._names(recording.agent) if recording.agent else ""
        end = recording.ended_at or recording.started_at + timedelta(seconds=recording.duration)
        changes = await self._holds(recording.call_id) if self._holds else []
        held = quality_checks.held_seconds(changes, recording.started_at, end)
        checks = (
            quality_checks.run_checks(utterances, recording.duration, name, held)
            if utterances
            else {"hold": quality_checks.hold(held, recording.duration)}
        )
        made = await self._store.evaluations(recording_id)
        current = [e for e in made if e.superseded_by is None]
        pairs = []
        for e in current:
            form = await self._store.form(e.scorecard_id)
            if form is not None:
                pairs.append((form, e.answers))
        return Review(recording, utterances, checks, await self.forms(), made, rules.spread(pairs))

    async def submit(
        self, recording_id: int, form_id: int, answers: object, comments: object, grader: str,
        supersedes: int | None = None, reason: str = "",
    ) -> Evaluation:  # fmt: skip
        recording = await self._recording(recording_id)
        form = await self._store.form(form_id)
        if form is None:
            raise ScorecardError([f"scorecard_id: no scorecard {form_id}"])
        checked = rules.check_answers(form, answers)
        pinned = rules.check_comments(comments, recording.duration)
        if supersedes is not None and not reason.strip():
            raise ScorecardError(["reason: why this evaluation supersedes the other"])
        new = NewEvaluation(recording.id, recording.agent, form.id, grader, checked, pinned,
                            rules.score(form, checked), self._clock.now())  # fmt: skip
        return await self._store.submit(new, supersedes, reason.strip())

    async def supersede(
        self, evaluation_id: int, answers: object, comments: object, reason: str, grader: str,
        form_id: int | None = None,
    ) -> Evaluation:  # fmt: skip
        old = await self.get(evaluation_id)
        return await self.submit(old.recording_id, form_id or old.scorecard_id, answers,
                                 comments, grader, evaluation_id, reason)  # fmt: skip

    async def get(self, evaluation_id: int) -> Evaluation:
        found = await self._store.evaluation(evaluation_id)
        if found is None:
            raise EvaluationNotFound(f"no evaluation {evaluation_id}")
        return found

    async def respond(self, evaluation_id: int, agent: str, dispute: str | None) -> Evaluation:
        """The agent's acknowledgement (``dispute`` None) or dispute (with why)."""
        e = await self.get(evaluation_id)
        if e.agent != agent:
            raise EvaluationNotFound(f"no evaluation {evaluation_id} of agent {agent}")
        if dispute is not None and not 1 <= len(dispute.strip()) <= 2000:
            raise ScorecardError(["reason: why you dispute it (1 to 2000 characters)"])
        response = "disputed" if dispute is not None else "acknowledged"
        done = await self._store.respond(e.id, response, (dispute or "").strip(),
            self._clock.now(),
        )  # fmt: skip
        if done is None:
            raise EvaluationNotFound(f"no evaluation {evaluation_id}")
        return done

    async def evaluations(self, agent: str = "", days: int = 30) -> list[Evaluation]:
        since = self._clock.now() - timedelta(days=days)
        return await self._store.evaluations(None, agent, since)

    async def sample(
        self, rule: review_sampling.SamplingRule, days: int = 7
    ) -> list[review_sampling.Pick]:
        now = self._clock.now()
        found, done = await self._store.candidates(now - timedelta(days=days), now)
        week = now.isocalendar()
        return review_sampling.sample(found, done, rule, f"{week.year}-W{week.week}")


def checks_json(checks: Mapping[str, quality_checks.Check]) -> dict[str, Any]:
    return {name: {"passed": c.passed, "found": c.found} for name, c in checks.items()}
