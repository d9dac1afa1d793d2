"""Wiring of callbacks and promises: the store, the placeholders over AMI, the dialplan's
reports (UserEvent CallcenterCallback; app_queue's AgentConnect names the agent) and
outcome markers, the dial gate, the caller's side on ARI (the intake), and the sweeper. (Composition
root: it knows the AMI client, the spool, the store and the flows' calendars.)"""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock, flow_loader, sound_index
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.app.widgets import number_policy
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_callbacks import (
    AmiPlaceholders,
    CallbackMarkers,
    CallbackReport,
    live_placeholders,
    placeholder_of,
)
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.config import Config
from callcenter.domain.alerts import Breaches
from callcenter.domain.callbacks import NumberPolicy
from callcenter.domain.cluster import Owner
from callcenter.domain.promises import PromisePolicy
from callcenter.domain.queue_defs import QueueDef, staffed
from callcenter.domain.queue_events import AgentAnswered
from callcenter.http import api_calibration, api_callbacks, api_promises
from callcenter.http.api_calibration import CALIBRATION
from callcenter.http.api_callbacks import CALLBACKS
from callcenter.http.api_promises import PROMISES
from callcenter.http.callback_gate import CALLBACK_GATE, CALLBACK_GATE_ROUTE
from callcenter.http.promises_page import PROMISES_PAGE
from callcenter.services.callback_intake import CallbackIntake
from callcenter.services.callback_ports import CallbackPolicy
from callcenter.services.callback_sweeper import CallbackSweeper
from callcenter.services.callbacks import Callbacks
from callcenter.services.dial_guard import DialGuard
from callcenter.services.flow_registry import FlowRegistry, QueueCalendars
from callcenter.services.promise_calibration import PromiseCalibration
from callcenter.services.promise_predictions import PromisePredictions
from callcenter.services.wait_estimates import WaitEstimates, WorkAhead
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db_threads import DbThreads
from callcenter.store.promise_history import SqlPromiseHistory
from callcenter.store.ticket_store import SqlTicketStore

log = logging.getLogger(__name__)


class CallbacksWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ami: AmiClient,
        tickets: SqlTicketStore,
        queues: Mapping[str, QueueDef],
        waits: WaitEstimates,
        flows: FlowRegistry,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
        guard: DialGuard | None = None,
        owner: Callable[[], Owner | None] | None = None,
        gate_key: str = "",
        talking_for: Callable[[str], float | None] = lambda _agent: None,
    ) -> None:
        """``owner``: this node's claim while it holds its lease (the cluster's
        membership); its placeholders dial only through the dial gate (``gate_key``)."""
        c = config.callbacks
        self.node = config.cluster.node
        self.key = gate_key
        self._every = c.sweep_seconds
        self._queues = dict(queues)
        self.calendar_of = QueueCalendars(self._queues, flows)
        self.store = SqlCallbacks(sessions, threads, owner, config.cluster.queues)
        self.markers = CallbackMarkers(config.state_dir / "asterisk" / "spool" / "callbacks")
        numbers = number_policy(config)
        policy = _policy(config, numbers, frozenset(self._queues), self.roster_of)
        self._ami_queues = AmiQueues(ami)
        placeholders = AmiPlaceholders(ami, self._ami_queues, c.hold_hours)
        predictions = PromisePredictions(
            SqlPromiseHistory(sessions, threads),
            self.calendar_of,
            self.roster_of,
            SystemClock(),
            float(c.retry_seconds),
            talking_for,
        )
        self.calibration = PromiseCalibration(self.store, self.calendar_of)
        self.service = Callbacks(
            self.store,
            placeholders,
            tickets,
            WorkAhead(self._queues, waits),
            self.calendar_of,
            policy,
            SystemClock(),
            on_event=emit,
            me=lambda: self.node,
            predictions=predictions,
        )
        self.sweeper = CallbackSweeper(self.service, self.store, placeholders, SystemClock())
        self.intake = CallbackIntake(
            self.service, numbers, self.calendar_of, SystemClock(), c.thanks_sound, guard
        )
        self._tasks: set[asyncio.Task[None]] = set()

    def roster_of(self, queue: str) -> Callable[[datetime], float] | None:
        """Agents queues.yaml's ``staffing`` puts on ``queue`` at a time (local time of its
        calendar's zone), or None when it has no roster."""
        definition = self._queues.get(queue)
        if definition is None or not definition.staffing:
            return None
        zone = zoneinfo.ZoneInfo(self.calendar_of(queue).timezone)

        def agents_at(at: datetime) -> float:
            local = at.astimezone(zone)
            return float(staffed(definition, local.weekday(), local.hour * 60 + local.minute) or 0)

        return agents_at

    async def drift(self) -> Breaches:
        """The alerts' look at promises: a queue kept too few, or left too much of its
        windows, over the last 7 days (rules promise_kept_share, promise_median_left)."""
        now = datetime.now(UTC)
        found = await self.calibration.calibration(now - timedelta(days=7), now)
        return {
            (f"promise_{a.figure}", a.queue): (round(a.value * 100, 1), a.target * 100)
            for a in found.alerts
        }

    async def take(self, callback_id: int, attempt: int, agent: str) -> bool:
        """The dial gate (:class:`callcenter.http.callback_gate.CallbackGate`)."""
        return await self.service.take(callback_id, attempt, agent)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def report(self, report: CallbackReport, _received: float) -> None:
        if report.state == "dialed":
            self._spawn(
                self._guarded(
                    self.service.dialed(
                        report.callback_id, report.attempt, report.status, report.talk
                    )
                )
            )
        elif report.state == "left":
            self._spawn(
                self._guarded(self.service.left(report.callback_id, report.attempt, report.status))
            )

    def agent_answered(self, event: AgentAnswered, _received: float) -> None:
        if ids := placeholder_of(event.call_id):
            self._spawn(self._guarded(self.service.agent_took(ids[0], ids[1], event.agent)))

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("callback report not handled (the marker settles it)")

    async def _settle_markers(self) -> None:
        for marker in await asyncio.to_thread(self.markers.read):
            await self.service.dialed(
                marker.callback_id, marker.attempt, marker.status, marker.talk
            )
            await asyncio.to_thread(self.markers.drop, marker.path)

    async def ami_login(self) -> None:
        """After every AMI login: outcomes written while we were away, then placeholders
        lost (Asterisk restarted) are placed again."""
        try:
            await self._settle_markers()
            await self.sweeper.reconcile(live_placeholders(await self._ami_queues.status()))
        except Exception:
            log.exception("callbacks not reconciled")

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self._settle_markers()
                await self.sweeper.sweep()
            except Exception:
                log.exception("callbacks sweep failed; next one in %.0f s", self._every)
            await asyncio.sleep(self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._sweep_forever(), name="callbacks-sweep")]


def _policy(
    config: Config,
    numbers: NumberPolicy,
    queues: frozenset[str],
    roster: Callable[[str], Callable[[datetime], float] | None],
) -> CallbackPolicy:
    c = config.callbacks
    return CallbackPolicy(
        numbers=numbers,
        promise=PromisePolicy(
            margin=timedelta(minutes=c.margin_minutes),
            round_minutes=c.round_minutes,
            floor=timedelta(minutes=c.floor_minutes),
            at_risk_share=c.at_risk_share,
        ),
        max_attempts=c.max_attempts,
        retry=timedelta(seconds=c.retry_seconds),
        queues=queues,
        roster=roster,
    )


def _plug(parts: Parts, plug: Plug) -> None:
    config, agents, cluster = parts[slots.CONFIG], parts[slots.AGENTS], parts[slots.MEMBERSHIP]
    callbacks = CallbacksWiring(
        config,
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.AMI],
        parts[slots.TICKETS],
        agents.queue_defs,
        agents.wait_estimates,
        parts[slots.FLOWS],
        parts[slots.EVENTS].emit,
        parts[slots.DIAL_GUARD].service,
        cluster.owner,
        parts[slots.SECRETS].dial_gate_secret,
        agents.states.talking_for,
    )
    parts.provide(slots.CALLBACKS, callbacks)
    cluster.adopt_with(callbacks.store.adopt)  # this node's open claims take its new epoch
    plug.on_ami(CallbackReport, callbacks.report)
    plug.on_ami(AgentAnswered, callbacks.agent_answered)
    plug.after_ami_login(callbacks.ami_login)
    plug.run(callbacks.tasks)
    plug.serve(CALLBACKS, callbacks.service)
    plug.serve(PROMISES, callbacks.service)  # the callbacks' service makes and keeps them
    plug.serve(CALLBACK_GATE, callbacks)
    plug.serve(CALIBRATION, callbacks.calibration)
    parts[slots.ALERTS].watch(callbacks.drift)  # promises drifting from their targets


def _plug_flows(parts: Parts, _plug: Plug) -> None:
    config = parts[slots.CONFIG]
    parts.provide(slots.FLOWS, FlowRegistry(flow_loader(config, sound_index(config))))


FLOWS = Feature("flows", needs=(slots.CONFIG,), provides=(slots.FLOWS,), build=_plug_flows)
FEATURE = Feature(
    "callbacks",
    needs=(
        slots.AGENTS,
        slots.MEMBERSHIP,
        slots.FLOWS,
        slots.DIAL_GUARD,
        slots.TICKETS,
        slots.EVENTS,
        slots.ALERTS,
    ),
    provides=(slots.CALLBACKS,),
    build=_plug,
    routes=(*api_callbacks.ROUTES, *api_promises.ROUTES, *api_calibration.ROUTES),
    pages=(CALLBACK_GATE_ROUTE, PROMISES_PAGE),
)
