"""Wiring of recordings: the dialplan's UserEvents (started, the agent's *1/*2) and
app_queue's AgentConnect (who took the call) feed the recordings service; a sweeper adopts
finished files, settles stale ones and deletes expired ones; the missing-recording alarm is
counted in /metrics. (Composition root: it knows the AMI client, the files and the store.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_recordings import (
    AmiRecordingMute,
    PauseRequest,
    RecordingStarted,
)
from callcenter.asterisk.recording_files import RecordingFiles
from callcenter.config import Config
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_events import AgentAnswered
from callcenter.domain.recordings import Recording
from callcenter.domain.tickets import Role
from callcenter.http import api_recordings
from callcenter.http.api_recordings import RECORDINGS
from callcenter.http.recordings_page import RECORDINGS_PAGE
from callcenter.logs import call_id_var
from callcenter.metrics.registry import DaemonMetrics
from callcenter.services.ports import ApiPrincipal, TelephonyError
from callcenter.services.recordings import (
    RecordingNotFound,
    RecordingPolicy,
    RecordingRefused,
    Recordings,
    retention_lookup,
)
from callcenter.store.db_threads import DbThreads
from callcenter.store.recordings import SqlRecordings
from callcenter.store.ticket_store import SqlTicketStore

log = logging.getLogger(__name__)


def recordings_dir(config: Config) -> Path:
    """Where Asterisk writes recordings, inside the instance directory it sees at the same
    path (like the prompts)."""
    return config.state_dir / "asterisk" / "recordings"


def recording_files(config: Config) -> RecordingFiles:
    return RecordingFiles(
        recordings_dir(config), config.state_dir / "asterisk" / "spool" / "recordings"
    )


class RecordingsWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ami: AmiClient,
        tickets: SqlTicketStore,
        queues: Mapping[str, QueueDef],
        metrics: DaemonMetrics,
    ) -> None:
        r = config.recordings
        self._every = r.sweep_seconds
        self.store = SqlRecordings(sessions, threads)
        self.files = recording_files(config)
        self.missing = 0
        policy = RecordingPolicy(
            retention_lookup({q.name: q.retention_days for q in queues.values()}, r.retention_days),
            slack=r.slack_seconds,
            stale=r.stale_seconds,
        )
        self.service = Recordings(
            self.store,
            self.files,
            AmiRecordingMute(ami),
            tickets,
            policy,
            SystemClock(),
            on_alarm=self._counted,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        metrics.counter(
            "callcenter_recordings_missing_total",
            "Recordings found missing, empty, truncated or deleted behind our back (alarms).",
            lambda: float(self.missing),
        )

    def _counted(self, _recording: Recording) -> None:
        self.missing += 1

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def recording_started(self, event: RecordingStarted, _received: float) -> None:
        self._spawn(self._started(event))

    def pause_request(self, event: PauseRequest, _received: float) -> None:
        self._spawn(self._phone_pause(event))

    async def _started(self, event: RecordingStarted) -> None:
        token = call_id_var.set(event.call_id)
        try:
            await self.service.started(event.call_id, event.path, event.start_epoch, event.queue)
        except Exception:
            log.exception("recording start not stored (the marker will adopt it)")
        finally:
            call_id_var.reset(token)

    async def _phone_pause(self, event: PauseRequest) -> None:
        token = call_id_var.set(event.call_id)
        who = ApiPrincipal(0, f"phone {event.agent}", Role.AGENT, event.agent)
        try:
            if event.pause:
                await self.service.pause(event.call_id, who)
            else:
                await self.service.resume(event.call_id, who)
        except (RecordingNotFound, RecordingRefused, TelephonyError) as exc:
            log.warning(
                "agent %s: recording %s refused: %s",
                event.agent,
                "pause" if event.pause else "resume",
                exc,
            )
        finally:
            call_id_var.reset(token)

    def agent_answered(self, event: AgentAnswered, _received: float) -> None:
        self._spawn(self.service.agent_answered(event.call_id, event.agent, event.queue))

    async def ami_login(self) -> None:
        """After every AMI login (and so at start): the directory against the table."""
        try:
            await self.service.reconcile()
        except Exception:
            log.exception("recordings directory not reconciled")

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.service.sweep()
            except Exception:
                log.exception("recordings sweep failed; next one in %.0f s", self._every)
            await asyncio.sleep(self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._sweep_forever(), name="recordings-sweep")]


def _plug(parts: Parts, plug: Plug) -> None:
    recordings = RecordingsWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.AMI],
        parts[slots.TICKETS],
        parts[slots.AGENTS].queue_defs,
        parts[slots.METRICS],
    )
    parts.provide(slots.RECORDINGS, recordings)
    plug.on_ami(RecordingStarted, recordings.recording_started)
    plug.on_ami(PauseRequest, recordings.pause_request)
    plug.on_ami(AgentAnswered, recordings.agent_answered)
    plug.after_ami_login(recordings.ami_login)
    plug.run(recordings.tasks)
    plug.serve(RECORDINGS, recordings.service)


FEATURE = Feature(
    "recordings",
    needs=(slots.AGENTS, slots.TICKETS, slots.METRICS),
    provides=(slots.RECORDINGS,),
    build=_plug,
    routes=tuple(api_recordings.ROUTES),
    pages=(RECORDINGS_PAGE,),
)
