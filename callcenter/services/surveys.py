"""Post-call surveys: the dialplan's results imported from its spool, links for calls the
dialplan did not survey (web callbacks, chat-side calls), supervisors' review, CSAT.

Contract:
* :meth:`Surveys.import_spool` takes every marker the dialplan's hangup handler left
  (``<uid>.done``): the survey is stored with its event (``survey.answered`` or
  ``survey.no_answer``, in the same transaction), put on the call's interaction, its spoken
  comment made a recording for the transcripts (kind ``survey``, ``sv:<uid>``); then the
  marker is removed. A marker that breaks the rules is moved aside as ``.bad`` (logged,
  naming the field), never retried forever, never lost.
* :meth:`comment_transcribed` puts a comment's transcript on the survey and the call.
* A link (:meth:`link`) is signed, good once (:meth:`answer`), until it expires.
* An agent never sees a caller's score before a supervisor has (:meth:`review`): the
  interaction carries ``survey.reviewed``, which the API reads.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain import surveys as rules
from callcenter.domain.surveys import Channel, Outcome, Survey, SurveyError
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)
COMMENT_PREFIX = "sv:"
# The call reaches its ticket when it ends (the call log writes behind), as the survey's
# marker does: put on it once it is there, not dropped.
ATTACH_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


class SurveyStorePort(Protocol):
    async def record(self, survey: Survey) -> Survey | None: ...
    async def open_link(
        self, call_id: str, queue: str, agent: str, ticket: int | None, at: datetime,
        expires: datetime, digest_of: Callable[[int], str],
    ) -> Survey: ...  # fmt: skip
    async def answer_link(
        self, survey_id: int, digest: str, scores: Sequence[int], at: datetime
    ) -> Survey: ...
    async def comment_transcribed(self, call_id: str, text: str) -> bool: ...
    async def phone_survey(self, call_id: str) -> Survey | None: ...
    async def review(self, survey_id: int, by: str, at: datetime) -> Survey | None: ...
    async def get(self, survey_id: int) -> Survey | None: ...
    async def between(
        self, since: datetime, until: datetime, queue: str = "", agent: str = "", limit: int = 0
    ) -> list[Survey]: ...


class SurveyCalls(Protocol):
    """The ticket store's side: the call's interaction, and its ticket."""

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any: ...


class CommentAudio(Protocol):
    """The recordings' side: a spoken comment becomes a recording (mono) to transcribe."""

    async def adopt_comment(self, call_id: str, path: str, at: datetime, queue: str) -> None: ...


@dataclasses.dataclass(frozen=True)
class LinkPolicy:
    key: bytes  # signs links (secrets.json)
    hours: float = 72.0
    questions: int = 1  # how many questions a survey asks ([surveys] questions)


class Surveys:
    def __init__(
        self,
        store: SurveyStorePort,
        calls: SurveyCalls,
        audio: CommentAudio,
        spool: Path,
        links: LinkPolicy,
        clock: Clock,
        on_event: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._store, self._calls, self._audio, self._spool = store, calls, audio, spool
        self._links, self._clock = links, clock
        self._on_event = on_event or (lambda _kind, _data: None)
        self._attaching: set[asyncio.Task[None]] = set()

    async def _on_call(self, call_id: str, changes: dict[str, Any]) -> None:
        if await self._calls.update_call(call_id, changes) is not None:
            return
        task = asyncio.create_task(self._on_call_later(call_id, changes))
        self._attaching.add(task)
        task.add_done_callback(self._attaching.discard)

    async def _on_call_later(self, call_id: str, changes: dict[str, Any]) -> None:
        for delay in ATTACH_DELAYS:
            await asyncio.sleep(delay)
            if await self._calls.update_call(call_id, changes) is not None:
                return
        log.warning("survey of call %s: the call is on no ticket; kept with the survey", call_id)

    @property
    def link_hours(self) -> float:
        return self._links.hours

    @property
    def questions(self) -> int:
        return self._links.questions

    async def import_spool(self) -> int:
        """Import every finished marker; how many surveys were stored."""
        stored = 0
        for marker in sorted(self._spool.glob("*.done")):
            call_id = marker.name.removesuffix(".done")
            try:
                parsed = rules.parse_marker(call_id, marker.read_text(errors="replace"))
            except SurveyError as exc:
                log.error("survey marker %s refused (%s): moved aside as .bad", marker.name, exc)
                marker.rename(marker.with_suffix(".bad"))
                continue
            stored += await self._import(parsed)
            marker.unlink(missing_ok=True)
        return stored

    async def _import(self, marker: rules.Marker) -> int:
        at = datetime.fromtimestamp(marker.at, UTC)
        survey = Survey(
            id=0,
            call_id=marker.call_id,
            channel=Channel.PHONE,
            outcome=marker.outcome,
            queue=marker.queue,
            agent=marker.agent,
            scores=marker.scores,
            comment_path=marker.comment,
            created_at=at,
            answered_at=at if marker.scores else None,
        )
        saved = await self._store.record(survey)
        stored = 1
        if saved is None:
            # Imported before: the daemon stopped before removing its marker, maybe before
            # the steps below. They are idempotent: done again, the event is not.
            saved, stored = await self._store.phone_survey(marker.call_id), 0
            if saved is None:
                return 0
        else:
            log.info("survey of call %s: %s %s", saved.call_id, saved.outcome, list(saved.scores))
        await self._on_call(saved.call_id, {"survey": survey_json(saved)})
        if saved.comment_path:
            await self._audio.adopt_comment(
                COMMENT_PREFIX + saved.call_id, saved.comment_path, at, saved.queue
            )
        if stored:
            self._on_event(f"survey.{saved.outcome.value}", {"survey_id": saved.id})
        return stored

    async def comment_transcribed(self, data: Mapping[str, Any]) -> None:
        """``transcript.ready`` of a comment's recording: its words on the survey and call."""
        call_id = str(data.get("call_id", ""))
        if not call_id.startswith(COMMENT_PREFIX):
            return
        call_id = call_id.removeprefix(COMMENT_PREFIX)
        text = " ".join(str(u.get("text", "")) for u in data.get("utterances", ())).strip()
        if await self._store.comment_transcribed(call_id, text):
            await self._on_call(call_id, {"survey_comment": text})

    async def link(
        self, call_id: str, queue: str, agent: str, ticket: int | None
    ) -> tuple[Survey, str]:
        """A survey link for a call the dialplan did not survey: (the survey, its token)."""
        now = self._clock.now()
        expires = now + timedelta(hours=self._links.hours)
        tokens: dict[int, str] = {}

        def digest_of(survey_id: int) -> str:
            tokens[survey_id] = rules.sign_link(self._links.key, survey_id, expires)
            return rules.token_digest(tokens[survey_id])

        survey = await self._store.open_link(call_id, queue, agent, ticket, now, expires, digest_of)
        return survey, tokens[survey.id]

    async def pending(self, token: str) -> Survey:
        """The survey a link is for, while it may still be answered."""
        survey_id = rules.read_link(self._links.key, token, self._clock.now())
        survey = await self._store.get(survey_id)
        if survey is None or survey.outcome is not Outcome.PENDING:
            raise SurveyError("token", "this survey link was used already")
        return survey

    async def answer(self, token: str, scores: Sequence[object]) -> Survey:
        """Answer a link once; :class:`SurveyError` names the token or the score."""
        survey_id = rules.read_link(self._links.key, token, self._clock.now())
        checked = rules.check_scores(scores)
        saved = await self._store.answer_link(
            survey_id, rules.token_digest(token), checked, self._clock.now()
        )
        await self._on_call(saved.call_id, {"survey": survey_json(saved)})
        self._on_event("survey.answered", {"survey_id": saved.id})
        return saved

    async def review(self, survey_id: int, by: str) -> Survey | None:
        """A supervisor saw it: from now on its agent may too."""
        survey = await self._store.review(survey_id, by, self._clock.now())
        if survey is not None:
            await self._on_call(survey.call_id, {"survey": survey_json(survey)})
        return survey

    async def get(self, survey_id: int) -> Survey | None:
        return await self._store.get(survey_id)

    async def between(
        self, since: datetime, until: datetime, queue: str = "", agent: str = "", limit: int = 0
    ) -> list[Survey]:
        return await self._store.between(since, until, queue, agent, limit)


def survey_json(s: Survey) -> dict[str, Any]:
    """A survey as the API and the call's interaction show it."""
    return {
        "id": s.id,
        "call_id": s.call_id,
        "channel": s.channel.value,
        "outcome": s.outcome.value,
        "queue": s.queue,
        "agent": s.agent,
        "scores": list(s.scores),
        "comment": bool(s.comment_path),
        "comment_text": s.comment_text,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "answered_at": s.answered_at.isoformat() if s.answered_at else None,
        "reviewed": s.reviewed_at is not None,
        "reviewed_by": s.reviewed_by,
        "ticket_number": s.ticket_number,
    }
