"""Wiring of agents and queues: app_queue's events (AMI) feed the agent states, the screen
pop and the queue legs on tickets; the *75/*76 phone requests are answered; after every AMI
login app_queue's members are made to match the store. (Composition root: it knows the AMI
client and the store.)"""

from __future__ import annotations

import asyncio
import logging
import typing
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.event_log import EventLogWiring
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_events import AgentRequest
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.asterisk.ami_router import CallerHungUp
from callcenter.asterisk.confgen_sections import queue_defs
from callcenter.asterisk.queue_log import call_completed, queue_log_path
from callcenter.config import Config
from callcenter.domain.queue_events import MemberPaused, MemberReachable, QueueEvent
from callcenter.domain.queue_stats import QueueKpis, kpis_of
from callcenter.http import api_agents, api_directory
from callcenter.http.agent_desk import DESK, HUB, AgentHub
from callcenter.http.api_agents import SUPERVISION
from callcenter.http.api_routes import CONTROL
from callcenter.http.directory_pages import AGENTS_PAGE, QUEUES_PAGE
from callcenter.http.wallboard_page import WALLBOARD_PAGE
from callcenter.logs import call_id_var
from callcenter.services.agent_control import AgentControl
from callcenter.services.agent_states import AgentStates
from callcenter.services.complete_backstop import CompleteBackstop, Completed
from callcenter.services.ports import CallLog, TelephonyError
from callcenter.services.queue_calls import QueueCallRecorder
from callcenter.services.screen_pop import ScreenPop
from callcenter.services.supervision import Supervision
from callcenter.services.wait_announcer import WaitAnnouncer
from callcenter.services.wait_estimates import WaitEstimates
from callcenter.store.ticket_store import SqlTicketStore

log = logging.getLogger(__name__)


class Agents:
    def __init__(
        self,
        config: Config,
        ami: AmiClient,
        tickets: SqlTicketStore,
        call_log: CallLog,
        events: EventLogWiring,
    ) -> None:
        self._config = config
        self._background: set[asyncio.Task[None]] = set()
        self.members_synced = False
        self._holding: set[str] = set()  # agents whose unpause is being checked
        self.desks = AgentHub()
        self.screen_pop = ScreenPop(tickets, tickets, call_log, self.desks)
        self.queue_calls = QueueCallRecorder(tickets)
        self.ami_queues = AmiQueues(ami)
        self.queue_defs = queue_defs(config)
        self.states = AgentStates(
            self.desks,
            self.queue_defs,
            lambda: datetime.now(UTC),
            events.writer.agent_changed if config.reports.event_log else None,
        )

        async def today() -> dict[str, QueueKpis]:
            figures = await events.reports.today_figures()
            return {q: kpis_of(f) for q, f in figures.items()}

        self.control = AgentControl(
            self.ami_queues,
            tickets,
            self.queue_defs,
            config.agents.pause_reasons,
            config.agents.service_level_seconds,
            self.states,
            today=today,
        )
        self.wait_estimates = WaitEstimates(
            self.ami_queues,
            tickets,
            self.queue_defs,
            SystemClock(),
            talking_for=self.states.talking_for,
        )
        self.wait_announcer = WaitAnnouncer(self.ami_queues, self.wait_estimates, self.queue_defs)
        self.supervision = Supervision(self.ami_queues, frozenset(config.dialplan.supervisors))
        self._ami = ami
        self.backstop: CompleteBackstop | None = None  # set when plugged (it redelivers)

    async def completed(self, call_id: str) -> Completed | None:
        """The queue_log's line that ended the call's answered leg (the backstop's look)."""
        path = queue_log_path(self._config.state_dir)
        found = await asyncio.to_thread(call_completed, path, call_id)
        if found is None:
            return None
        data = found.data
        return float(data.get("wait", 0)), float(data.get("talk", 0)), str(data["ended_by"])

    def queue_event(self, event: QueueEvent, received: float) -> None:
        if self.backstop is not None:
            self.backstop.seen(event)
        for work in (
            self.states.handle(event),
            self.screen_pop.handle(event, received),
            self.queue_calls.handle(event),
        ):
            self._background_task(work)

    def member_reachable(self, event: MemberReachable, _received: float) -> None:
        self._background_task(self.states.reachable(event.agent, event.reachable))

    def member_paused(self, event: MemberPaused, _received: float) -> None:
        self._background_task(self.states.handle(event))
        # app_queue reports an unpause once per queue: one check is enough.
        if not event.paused and self.control.gate and event.agent not in self._holding:
            self._holding.add(event.agent)
            self._background_task(self._keep_held(event.agent))

    async def _keep_held(self, agent: str) -> None:
        """*74 unpauses in app_queue itself: an agent whose shift still waits on their
        reading is paused again at once."""
        gate = self.control.gate
        try:
            reason = await gate.hold_reason(agent) if gate else ""
            if reason:
                log.warning("agent %s: unpaused before reading their handoffs; held again", agent)
                await self.ami_queues.pause(agent, True, reason)
        except Exception:
            log.exception("agent %s: could not check their shift's hold", agent)
        finally:
            self._holding.discard(agent)

    def _background_task(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def agent_request(self, request: AgentRequest, _received: float) -> None:
        self._background_task(self._agent_request(request))

    async def _agent_request(self, request: AgentRequest) -> None:
        token = call_id_var.set(request.channel)
        try:
            result = await self.control.phone_request(request.agent, request.request)
            await self.ami_queues.answer_request(request.channel, result)
        except TelephonyError as exc:
            log.warning("agent %s: could not answer the phone: %s", request.agent, exc)
        finally:
            call_id_var.reset(token)

    async def ami_login(self) -> None:
        """After every AMI login (Asterisk or the daemon restarted, or the link broke):
        app_queue's members are made to match the store before we say we are healthy."""
        self.members_synced = False
        await self.resync_members()

    async def resync_members(self) -> None:
        try:
            await self.control.resync()
            await self.states.sync(await self.control.presences())
        except TelephonyError as exc:
            log.warning("queue members not resynced: %s", exc)
        else:
            self.members_synced = True

    async def _resync_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(self._config.agents.resync_seconds)
            if self._ami.connected:
                await self.resync_members()

    def tasks(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self._resync_now_and_then(), name="members-resync"),
            asyncio.create_task(self.wait_announcer.run(), name="wait-announcer"),
        ]

    def caller_hung_up(self, event: CallerHungUp, _received: float) -> None:
        if self.backstop is not None:
            self.backstop.caller_hung_up(event.call_id)

    async def close(self) -> None:
        if self.backstop is not None:
            await self.backstop.close()
        self.states.close()
        await self.desks.close()


def _plug(parts: Parts, plug: Plug) -> None:
    agents = Agents(
        parts[slots.CONFIG],
        parts[slots.AMI],
        parts[slots.TICKETS],
        parts[slots.CALL_LOG],
        parts[slots.EVENT_LOG],
    )
    parts.provide(slots.AGENTS, agents)
    for kind in typing.get_args(QueueEvent):
        plug.on_ami(kind, agents.queue_event)
    plug.on_ami(MemberPaused, agents.member_paused)
    plug.on_ami(MemberReachable, agents.member_reachable)
    plug.on_ami(AgentRequest, agents.agent_request)
    # An AgentComplete that never came is recovered from the queue_log once the caller hangs up.
    backstop = agents.backstop = CompleteBackstop(agents.completed, plug.redeliver)
    plug.on_ami(CallerHungUp, agents.caller_hung_up)
    parts[slots.METRICS].counter(
        "callcenter_ami_recovered_events",
        "AgentComplete events AMI never delivered, recovered from Asterisk's queue_log.",
        lambda: float(backstop.recovered),
    )
    # Figures that reached a call before its ticket did are written once it has one.
    plug.listen("call.ended", agents.queue_calls.call_on_ticket)
    plug.after_ami_login(agents.ami_login)
    plug.run(agents.tasks)
    plug.on_close(agents.close)
    ami = parts[slots.AMI]

    async def queues_synced() -> bool:
        return ami.connected and agents.members_synced

    plug.health("queues", queues_synced)
    plug.serve(CONTROL, agents.control)
    plug.serve(SUPERVISION, agents.supervision)
    plug.serve(HUB, agents.desks)


FEATURE = Feature(
    "agents",
    needs=(
        slots.CONFIG,
        slots.AMI,
        slots.TICKETS,
        slots.CALL_LOG,
        slots.EVENT_LOG,
        slots.METRICS,
    ),
    provides=(slots.AGENTS,),
    build=_plug,
    routes=(*api_agents.ROUTES, *api_directory.ROUTES),
    pages=(DESK, WALLBOARD_PAGE, QUEUES_PAGE, AGENTS_PAGE),
)
