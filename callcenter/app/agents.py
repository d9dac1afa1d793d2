"""Wiring of agents and queues: app_queue's events (AMI) feed the agent states, the screen
pop and the queue legs on tickets; the *75/*76 phone requests are answered; after every AMI
login app_queue's members are made to match the store. (Composition root: it knows the AMI
client and the store.)"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime
from typing import Any

from callcenter.app.assembly import SystemClock
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_events import (
    QUEUE_EVENTS,
    AgentRequest,
    agent_request,
    member_paused,
)
from callcenter.asterisk.ami_events import translate as translate_queue_event
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.asterisk.confgen import queue_defs
from callcenter.config import Config
from callcenter.http.agent_desk import AgentHub
from callcenter.logs import call_id_var
from callcenter.services.agent_control import AgentControl
from callcenter.services.agent_states import AgentStates
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
        self, config: Config, ami: AmiClient, tickets: SqlTicketStore, call_log: CallLog
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
        self.states = AgentStates(self.desks, self.queue_defs, lambda: datetime.now(UTC))
        self.control = AgentControl(
            self.ami_queues,
            tickets,
            self.queue_defs,
            config.agents.pause_reasons,
            config.agents.service_level_seconds,
            self.states,
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
        for name in QUEUE_EVENTS:
            ami.on_event(name, self._queue_event)
        ami.on_event("UserEvent", self._user_event)
        ami.on_event("QueueMemberPause", self._member_paused)

    def _queue_event(self, _manager: object, message: Mapping[str, str]) -> None:
        received = time.monotonic()
        event = translate_queue_event(dict(message))
        if event is not None:
            for work in (
                self.states.handle(event),
                self.screen_pop.handle(event, received),
                self.queue_calls.handle(event),
            ):
                self._background_task(work)

    def _member_paused(self, _manager: object, message: Mapping[str, str]) -> None:
        event = member_paused(dict(message))
        if event is not None:
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

    def _user_event(self, manager: object, message: Mapping[str, str]) -> None:
        request = agent_request(dict(message))
        if request is not None:
            self._background_task(self._agent_request(request))
        elif message.get("UserEvent") == "CallcenterQueue":  # a caller left unanswered
            self._queue_event(manager, message)

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

    async def close(self) -> None:
        self.states.close()
        await self.desks.close()
