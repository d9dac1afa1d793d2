"""The event log as a part of the daemon's core: every feature may write to it (agents'
state changes, app_queue's events) and read the same figures from it (the board's
"today", reports). The ``reports`` feature runs its writer and serves its reports.
(Composition root.)"""

from __future__ import annotations

import asyncio
import zoneinfo
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app.assembly import SystemClock
from callcenter.asterisk.confgen_sections import queue_defs
from callcenter.asterisk.queue_log import day_events, queue_log_path
from callcenter.config import Config
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.reconcile import Difference, compare, legs_of
from callcenter.domain.reports import Targets
from callcenter.services.event_writer import EventWriter
from callcenter.services.reports import Reports
from callcenter.store.db_threads import DbThreads
from callcenter.store.event_log import SqlEventLog
from callcenter.store.reports import SqlReports
from callcenter.store.ticket_store import SqlTicketStore


def centre_zone(config: Config) -> tzinfo:
    """``staff.timezone`` (an IANA name), else the server's own zone."""
    if config.staff.timezone:
        return zoneinfo.ZoneInfo(config.staff.timezone)
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def queue_targets(
    config: Config, defs: Mapping[str, QueueDef]
) -> tuple[dict[str, Targets], Targets]:
    """Each queue's targets (queues.yaml), over the defaults ([agents], [reports])."""
    r = config.reports
    default = Targets(
        threshold=config.agents.service_level_seconds,
        target=r.service_level_target,
        short_abandon=r.short_abandon_seconds,
    )
    out = {}
    for name, q in defs.items():
        out[name] = Targets(
            threshold=float(q.service_level_seconds or default.threshold),
            target=float(q.service_level_target or default.target),
            short_abandon=float(q.short_abandon or default.short_abandon),
            max_waiting=q.alert_waiting,
            max_wait=float(q.alert_wait),
            max_abandon_rate=float(q.alert_abandon_rate),
        )
    return out, default


class EventLogWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        tickets: SqlTicketStore,
    ) -> None:
        self.zone = centre_zone(config)
        self.log = SqlEventLog(sessions, threads, self.zone)
        self.store = SqlReports(sessions, threads)
        self.writer = EventWriter(self.log, SystemClock())
        targets, default = queue_targets(config, queue_defs(config))
        self.tickets = tickets

        async def teams() -> dict[str, str]:
            return {a.extension: a.team for a in await tickets.list_agents() if a.team}

        self.reports = Reports(self.store, targets, default, teams, self.zone, SystemClock())

    async def verify(self, day: date, state_dir: Path) -> tuple[int, int, list[Difference]]:
        """Our legs of a local day against Asterisk's queue_log: (ours, theirs, differences)."""
        ours = await self.store.day_legs(day)
        lines = await asyncio.to_thread(day_events, queue_log_path(state_dir), day, self.zone)
        theirs = legs_of(lines)
        counted = len([x for x in ours if x.outcome != "waiting"])
        return counted, len(theirs), compare(ours, theirs)
