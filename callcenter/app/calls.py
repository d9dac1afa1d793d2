"""Wiring of calls: the IVR flows (and their reload), the supervisor that runs one task per
call from ARI's events, the calls' history on tickets, and the fallback spool of calls the
daemon never took. (Composition root: it knows the ARI and AMI clients and the store.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any

from callcenter.app import slots
from callcenter.app.assembly import SystemClock, prompts_dir
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.fallback_spool import CAPACITY, FallbackSpool
from callcenter.config import Config
from callcenter.domain.calls import CallEvent, CallOutcome, FallbackCall
from callcenter.flows.catalog import flow_files
from callcenter.http.lookup_client import AiohttpLookups
from callcenter.services.call_history import CallHistory
from callcenter.services.call_session import CallSession
from callcenter.services.call_supervisor import CallSupervisor
from callcenter.services.callback_intake import CallbackIntake
from callcenter.services.fallback_calls import FallbackCalls
from callcenter.services.flow_lookups import Lookups
from callcenter.services.flow_registry import FlowRegistry
from callcenter.services.ivr_runner import ivr_handler
from callcenter.services.voicemail_intake import VoicemailIntake
from callcenter.services.wait_estimates import WaitEstimates
from callcenter.services.web_calls import WebCallIntake
from callcenter.services.widgets import Widgets
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.ticket_store import SqlTicketStore

Then = Callable[[FallbackCall], Awaitable[CallOutcome]]

log = logging.getLogger(__name__)


class Calls:
    def __init__(
        self,
        config: Config,
        flows: FlowRegistry,
        ari: AriClient,
        ami: AmiClient,
        call_log: WriteBehindCallLog,
        tickets: SqlTicketStore,
        wait_estimates: WaitEstimates,
        spool_dir: Path,
        callbacks: CallbackIntake,
        voicemail: VoicemailIntake,
        emit: Callable[[str, Mapping[str, Any]], None] | None = None,
        widgets: Widgets | None = None,
        lookups: Lookups | None = None,
    ) -> None:
        self._config = config
        self.history = CallHistory(call_log, tickets, emit)
        self.flows = flows

        def ivr_from(entry_flow: str) -> Callable[[CallSession], Awaitable[CallOutcome | None]]:
            return ivr_handler(
                lambda: self.flows.current,
                entry_flow,
                tickets,
                SystemClock(),
                prompts_dir(config),
                wait_estimates,
                callbacks,
                voicemail,
                lookups,
            )

        ivr = ivr_from(config.daemon.entry_flow)
        # Each of our numbers ([[numbers]]) into its flow; the virtual number: the entry flow.
        by_number = {n.number: ivr_from(n.flow) for n in config.numbers}
        web = (
            WebCallIntake(widgets, lambda session, flow: ivr_from(flow)(session))
            if widgets is not None
            else None
        )

        async def handler(session: CallSession) -> CallOutcome | None:
            # A caller who pressed a queue's callback digit comes back with "callback,…".
            if session.entered.args[:1] == ("callback",):
                return await callbacks.handle(session)
            if session.entered.args[:1] == ("web",) and web is not None:
                return await web.handle(session)
            return await by_number.get(session.entered.dialed, ivr)(session)

        self.supervisor = CallSupervisor(
            handler, ari, ami, call_log, SystemClock(), on_ended=self.history.call_ended
        )
        self.fallback_calls, self.capacity_calls = self._spools(
            config, spool_dir, call_log, callbacks.from_spool
        )
        self._call_log, self._ami = call_log, ami
        self._background: set[asyncio.Task[None]] = set()

    def _spools(
        self, config: Config, spool_dir: Path, call_log: WriteBehindCallLog, then: Then
    ) -> tuple[FallbackCalls, FallbackCalls]:
        """Calls the daemon never took still land on tickets (the dialplan's spool); callers
        beyond the load while it was down are called back (admission's capacity spool)."""
        number = config.dialplan.virtual_number
        ended = self.history.call_ended
        return (
            FallbackCalls(FallbackSpool(spool_dir), call_log, ended, number),
            FallbackCalls(FallbackSpool(spool_dir, CAPACITY), call_log, ended, number, then=then),
        )

    def deliver(self, event: CallEvent) -> None:
        self.supervisor.deliver(event)

    async def ari_connected(self) -> None:
        """After every ARI (re)connect: calls left in our application are taken stock of
        before any new event is read, then released while new calls flow (in a task)."""
        # Releasing orphaned calls uses AMI Redirect: give AMI a moment to log in too.
        if not await self._ami.wait_connected(timeout=5):
            log.warning("reconciling without AMI: orphaned calls wait for their prompt to end")
        plan = await self.supervisor.take_stock()
        self.spawn(self.supervisor.catch_up(plan))

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Work that must not hold up the caller (e.g. releases after a reconnect)."""
        task = asyncio.create_task(work, name="calls-background")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _watch_flows(self) -> None:
        """Reload when a flow file changes (polling: no inotify dependency)."""
        directory = Path(self._config.daemon.flows_dir)
        seen = _stamp(directory)
        while True:
            await asyncio.sleep(self._config.daemon.flows_poll_seconds)
            now = _stamp(directory)
            if now != seen:
                seen = now
                self.flows.reload()

    def tasks(self) -> list[asyncio.Task[None]]:
        return [
            asyncio.create_task(self._watch_flows(), name="flows-watch"),
            asyncio.create_task(self.history.backfill(self._call_log), name="backfill"),
            asyncio.create_task(self.fallback_calls.run(), name="fallback-import"),
            asyncio.create_task(self.capacity_calls.run(), name="capacity-import"),
        ]


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in flow_files(directory))


def _plug(parts: Parts, plug: Plug) -> None:
    config = parts[slots.CONFIG]
    etc_dir, _gid = parts[slots.ASTERISK_ETC]
    # What flows' lookup nodes ask: [[lookups]], their tokens from secrets.json.
    lookups = AiohttpLookups(config.lookups, parts[slots.SECRETS].lookup_tokens)
    calls = Calls(
        config,
        parts[slots.FLOWS],
        parts[slots.ARI],
        parts[slots.AMI],
        parts[slots.CALL_LOG],
        parts[slots.TICKETS],
        parts[slots.AGENTS].wait_estimates,
        etc_dir.parent / "spool",
        parts[slots.CALLBACKS].intake,
        parts[slots.VOICEMAILS].intake,
        parts[slots.EVENTS].emit,
        parts[slots.WIDGETS].service,
        lookups,
    )
    parts.provide(slots.CALLS, calls)
    plug.on_call_event(calls.deliver)
    plug.after_ari_connect(calls.ari_connected)
    plug.run(calls.tasks)

    async def hand_over() -> None:
        await calls.supervisor.close()  # live calls to the fallback queue
        await lookups.close()

    plug.on_stop(hand_over)


FEATURE = Feature(
    "calls",
    needs=(
        slots.FLOWS,
        slots.AGENTS,
        slots.CALLBACKS,
        slots.VOICEMAILS,
        slots.WIDGETS,
        slots.TICKETS,
        slots.EVENTS,
        slots.ASTERISK_ETC,
        slots.SECRETS,
    ),
    provides=(slots.CALLS,),
    build=_plug,
)
