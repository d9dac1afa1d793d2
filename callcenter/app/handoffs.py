"""Wiring of shifts: the service behind the desk between calls and the handoff, the gate
of every agent login and logout, and app_queue as the way a held agent is released.
(Composition root: it knows the store and the AMI queues.)"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.config import Config
from callcenter.domain.handoffs import ShiftPolicy
from callcenter.domain.promises import Promise, PromiseFilter, PromiseState
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_membership import wanted_queues
from callcenter.domain.tickets import Agent
from callcenter.http import api_handoffs
from callcenter.http.api_handoffs import HANDOFFS
from callcenter.services.agent_control import AgentControl
from callcenter.services.callbacks import Callbacks
from callcenter.services.handoffs import Handoffs
from callcenter.store.db_threads import DbThreads
from callcenter.store.handoffs import SqlHandoffs

DUE_LIMIT = 200  # promises read per state for a desk (the open ones of every queue)


def shift_policy(config: Config) -> ShiftPolicy:
    s = config.handoffs
    return ShiftPolicy(
        frozenset(s.reading_required),
        timedelta(hours=s.shift_hours),
        timedelta(hours=s.lookback_hours),
    )


class HandoffsWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        queues: AmiQueues,
        control: AgentControl,
        callbacks: Callbacks,
        queue_defs: Mapping[str, QueueDef],
    ) -> None:
        defs = dict(queue_defs)

        async def open_promises() -> list[Promise]:
            out: list[Promise] = []
            for state in (PromiseState.AT_RISK, PromiseState.OPEN):
                page = await callbacks.promises(PromiseFilter(state=state), DUE_LIMIT, None)
                out += page.items
            return out

        def queues_of(agent: Agent) -> frozenset[str]:
            return frozenset(wanted_queues(agent.skills, defs))

        self.service = Handoffs(
            SqlHandoffs(sessions, threads),
            shift_policy(config),
            SystemClock(),
            queues,
            open_promises,
            queues_of,
        )
        control.use_gate(self.service)  # every login and logout passes the shift's rules


def _plug(parts: Parts, plug: Plug) -> None:
    agents = parts[slots.AGENTS]
    shifts = HandoffsWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        agents.ami_queues,
        agents.control,
        parts[slots.CALLBACKS].service,
        agents.queue_defs,
    )
    plug.serve(HANDOFFS, shifts.service)


FEATURE = Feature(
    "handoffs",
    needs=(slots.AGENTS, slots.CALLBACKS),
    provides=(),
    build=_plug,
    routes=tuple(api_handoffs.ROUTES),
)
