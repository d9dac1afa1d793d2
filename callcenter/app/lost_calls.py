"""Wiring of the calls a failed node takes with it (composition root): the call log's
hangups (AMI Hangup of each caller's channel), the open calls settled after every
(re)connect to Asterisk, this node's health for its lease (AMI or SIP answers), and the
survivors' sweep that records a failed node's calls lost and offers their callers one
callback each (services/lost_calls.py)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.cluster import ClusterWiring
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_router import CallerHungUp
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.sip_probe import sip_answers
from callcenter.config import Config
from callcenter.domain.calls import CallOutcome, CallRecord
from callcenter.domain.cluster import NodeAddress, node_addresses
from callcenter.services.call_history import CallHistory
from callcenter.services.callbacks import Callbacks
from callcenter.services.lost_calls import LostCalls
from callcenter.services.ports import TicketStore
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.db_threads import DbThreads
from callcenter.store.lost_calls import SqlLostCalls

log = logging.getLogger(__name__)


class _Tickets:
    """Where a lost call lands: archived (the IVR's) and its interaction updated."""

    def __init__(self, history: CallHistory, tickets: TicketStore) -> None:
        self._history, self._tickets = history, tickets

    async def call_ended(self, call_id: str) -> None:
        await self._history.call_ended(call_id)

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any:
        return await self._tickets.update_call(call_id, changes)


class LostCallsWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ami: AmiClient,
        ari: AriClient,
        call_log: WriteBehindCallLog,
        cluster: ClusterWiring,
        callbacks: Callbacks,
        history: CallHistory,
        tickets: TicketStore,
    ) -> None:
        c = config.cluster
        self._node, self._ami, self._ari, self._call_log = c.node, ami, ari, call_log
        self.store = SqlLostCalls(sessions, threads)
        addresses = {a.node: a for a in node_addresses(c.nodes)}
        # Only a cluster has survivors; a single node keeps its lease whatever Asterisk does.
        self.enabled = len(addresses) > 1
        self._me = addresses.get(c.node) or NodeAddress(
            c.node, "127.0.0.1", config.asterisk.sip_port
        )
        self._every = cluster.membership.beat_every
        default = c.lost_calls_queue or config.dialplan.queues[0]
        queues = frozenset(config.dialplan.queues)

        def queue_for(call: CallRecord) -> str:
            if call.outcome is CallOutcome.QUEUE and call.outcome_detail in queues:
                return call.outcome_detail
            return default

        self.service = LostCalls(
            cluster.store,
            self.store,
            callbacks,
            _Tickets(history, tickets),
            addresses,
            self._probe,
            cluster.owner,
            queue_for,
            SystemClock(),
        )
        if self.enabled:
            cluster.membership.watch_health(self.healthy)

    async def _probe(self, address: NodeAddress) -> bool:
        return await asyncio.to_thread(sip_answers, address.host, address.port, 1.0, self._me.host)

    async def healthy(self) -> bool:
        """Whether this node's Asterisk is there: AMI logged in, or SIP still answering."""
        return self._ami.connected or await self._probe(self._me)

    def caller_hung_up(self, event: CallerHungUp, _received: float) -> None:
        self._call_log.queue_hung_up(event.call_id, datetime.now(UTC))

    async def settle(self) -> None:
        """After a (re)connect: close this node's calls Asterisk no longer has (their
        hangup came while we were away)."""
        try:
            listed_at = datetime.now(UTC)
            present = await self._ari.channel_ids()
            await self._call_log.flush()  # the starts queued before the listing are in
            closed = await self.store.settle(self._node, present, listed_at)
        except Exception as exc:
            log.warning("open calls not settled with Asterisk (%s): next reconnect", exc)
            return
        if closed:
            log.info("%d call(s) hung up while the daemon was away: closed", closed)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                await self.service.sweep()
            except Exception:
                log.exception("lost calls sweep failed (tried again next beat)")

    def tasks(self) -> list[asyncio.Task[None]]:
        if not self.enabled:
            return []
        return [asyncio.create_task(self._sweep_forever(), name="lost-calls")]


def _plug(parts: Parts, plug: Plug) -> None:
    calls = parts[slots.CALLS]
    lost = LostCallsWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.AMI],
        parts[slots.ARI],
        parts[slots.CALL_LOG],
        parts[slots.MEMBERSHIP],
        parts[slots.CALLBACKS].service,
        calls.history,
        parts[slots.TICKETS],
    )
    parts.provide(slots.LOST_CALLS, lost)
    plug.on_ami(CallerHungUp, lost.caller_hung_up)

    async def settle_later() -> None:
        calls.spawn(lost.settle())  # hangups missed while we were away

    plug.after_ari_connect(settle_later)
    plug.run(lost.tasks)


FEATURE = Feature(
    "lost_calls",
    needs=(slots.CALLS, slots.MEMBERSHIP, slots.CALLBACKS, slots.TICKETS),
    provides=(slots.LOST_CALLS,),
    build=_plug,
)
