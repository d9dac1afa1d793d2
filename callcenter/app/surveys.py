"""Wiring of post-call surveys: the dialplan's results imported from its spool (every
``sweep_seconds``, and at start: those left while the daemon was down), spoken comments
made recordings for the transcripts and their words put back on the survey, links, the
API and the page. (Composition root.)"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import wave
from datetime import datetime, timedelta

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.event_log import centre_zone
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.app.recordings import recordings_dir
from callcenter.config import Config
from callcenter.http import api_surveys
from callcenter.http.api_surveys import SURVEYS, SurveysApi
from callcenter.http.surveys_page import SURVEY_PAGES
from callcenter.services.surveys import LinkPolicy, Surveys
from callcenter.store.survey_reports import SqlSurveyReports
from callcenter.store.surveys import SqlSurveys

log = logging.getLogger(__name__)


class CommentFiles:
    """A comment's WAV (Record() in the dialplan) made a recording row."""

    def __init__(self, config: Config, store: SqlSurveys) -> None:
        self._dir, self._store = recordings_dir(config), store
        self._days = config.recordings.retention_days

    async def adopt_comment(self, call_id: str, path: str, at: datetime, queue: str) -> None:
        file = self._dir / path
        try:
            with wave.open(str(file)) as w:
                duration = w.getnframes() / float(w.getframerate() or 8000)
            data = file.read_bytes()
        except (OSError, EOFError, wave.Error) as exc:
            log.warning("survey comment %s not kept: %s", path, exc)
            return
        retain = at + timedelta(days=self._days) if self._days else None
        audio = (duration, len(data), hashlib.sha256(data).hexdigest())
        await self._store.add_comment(call_id, path, at, queue, audio, retain)


def _plug(parts: Parts, plug: Plug) -> None:
    config, secrets = parts[slots.CONFIG], parts[slots.SECRETS]
    c = config.surveys
    store = SqlSurveys(parts[slots.SESSIONS], parts[slots.DB_THREADS])
    spool = config.state_dir / "asterisk" / "spool" / "surveys"
    surveys = Surveys(
        store,
        parts[slots.TICKETS],
        CommentFiles(config, store),
        spool,
        LinkPolicy(secrets.survey_secret.encode(), c.link_hours, len(c.questions)),
        SystemClock(),
        parts[slots.EVENTS].emit,
    )

    async def sweep() -> None:
        while True:
            try:
                if spool.is_dir():
                    await surveys.import_spool()
            except Exception:
                log.exception("survey import failed; next in %.0f s", c.sweep_seconds)
            await asyncio.sleep(c.sweep_seconds)

    plug.run(lambda: [asyncio.create_task(sweep(), name="survey-import")])
    plug.listen("transcript.ready", surveys.comment_transcribed)
    facts = SqlSurveyReports(parts[slots.SESSIONS], parts[slots.DB_THREADS])
    plug.serve(SURVEYS, SurveysApi(surveys, facts, centre_zone(config)))


FEATURE = Feature(
    "surveys",
    needs=(slots.CONFIG, slots.SECRETS, slots.SESSIONS, slots.DB_THREADS, slots.TICKETS,
           slots.EVENTS),
    provides=(),
    build=_plug,
    routes=tuple(api_surveys.ROUTES),
    pages=SURVEY_PAGES,
)  # fmt: skip
