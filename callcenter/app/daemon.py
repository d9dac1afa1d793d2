"""Composition root: builds every edge and service, supervises them, stops them cleanly.

The only module that knows all the edges. Order of life:
start HTTP (so /healthz answers at once) → AMI → ARI (reconcile on every connect) →
wait for SIGTERM/SIGINT → hand live calls to the fallback queue → close edges.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from callcenter.app.assembly import (
    SystemClock,
    asterisk_etc,
    flow_loader,
    prompts_dir,
    sound_index,
    ticket_store,
)
from callcenter.app.observability import Observability
from callcenter.app.security import Security
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_events import (
    QUEUE_EVENTS,
    AgentRequest,
    agent_request,
    member_paused,
)
from callcenter.asterisk.ami_events import translate as translate_queue_event
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.confgen import queue_defs
from callcenter.asterisk.fallback_spool import FallbackSpool
from callcenter.config import Config
from callcenter.domain.calls import CallEvent
from callcenter.flows.catalog import flow_files
from callcenter.http.agent_desk import AgentHub
from callcenter.http.health import LAG_KEY
from callcenter.http.metrics import add_metrics_route
from callcenter.http.provisioning import add_provisioning_route
from callcenter.http.server import build_app, start_http
from callcenter.logs import call_id_var
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import Secrets, load_or_create_secrets
from callcenter.services.agent_control import AgentControl
from callcenter.services.agent_states import AgentStates
from callcenter.services.call_history import CallHistory
from callcenter.services.call_supervisor import CallSupervisor
from callcenter.services.fallback_calls import FallbackCalls
from callcenter.services.flow_registry import FlowRegistry
from callcenter.services.ivr_runner import ivr_handler
from callcenter.services.ports import TelephonyError
from callcenter.services.queue_calls import QueueCallRecorder
from callcenter.services.screen_pop import ScreenPop
from callcenter.services.wait_announcer import WaitAnnouncer
from callcenter.services.wait_estimates import WaitEstimates
from callcenter.softphone_accounts import SoftphoneAccounts, sip_host
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.call_log import SqlCallLog
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.db import make_engine, make_sessions, ping
from callcenter.store.db_threads import DbThreads
from callcenter.store.migrate import upgrade
from callcenter.store.staff import SqlStaff

log = logging.getLogger(__name__)


PID_FILE = "callcenterd.pid"


class Daemon:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._background: set[asyncio.Task[None]] = set()
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.secrets = load_or_create_secrets(config.state_dir, config.dialplan.agents)
        upgrade(config.database_url)
        self.engine = make_engine(config.database_url)
        sessions = make_sessions(self.engine)
        self.metrics = DaemonMetrics()
        self.db_threads = DbThreads(config.database.threads, self.metrics.observe_store)
        self.call_log = WriteBehindCallLog(SqlCallLog(sessions, self.db_threads), self.db_threads)
        self.tickets = ticket_store(config, sessions, self.db_threads)
        self.api_keys = SqlApiKeys(sessions, self.db_threads)
        self.staff = SqlStaff(sessions, self.db_threads)
        self.history = CallHistory(self.call_log, self.tickets)
        a, d = config.asterisk, config.daemon
        self.ari = AriClient(
            f"http://127.0.0.1:{d.ari_port or a.http_port}/",
            self.secrets.ari_user,
            self.secrets.ari_password,
            d.ari_app,
            sink=self._deliver,
            on_connected=self._ari_connected,
            max_delay=d.reconnect_max_delay,
            filter_events=a.event_filters,
        )
        self.ami = AmiClient(
            d.ami_port or a.ami_port,
            self.secrets.ami_user,
            self.secrets.ami_password,
            on_login=self._ami_login,
        )
        self._members_synced = False
        self.desks = AgentHub()
        self.screen_pop = ScreenPop(self.tickets, self.tickets, self.call_log, self.desks)
        self.queue_calls = QueueCallRecorder(self.tickets)
        self.ami_queues = AmiQueues(self.ami)
        self.queue_defs = queue_defs(config)
        self.agent_states = AgentStates(self.desks, self.queue_defs, lambda: datetime.now(UTC))
        self.agent_control = AgentControl(
            self.ami_queues,
            self.tickets,
            self.queue_defs,
            config.agents.pause_reasons,
            config.agents.service_level_seconds,
            self.agent_states,
        )
        for name in QUEUE_EVENTS:
            self.ami.on_event(name, self._queue_event)
        self.ami.on_event("UserEvent", self._user_event)
        self.ami.on_event("QueueMemberPause", self._member_paused)
        self.wait_estimates = WaitEstimates(
            self.ami_queues,
            self.tickets,
            self.queue_defs,
            SystemClock(),
            talking_for=self.agent_states.talking_for,
        )
        self.wait_announcer = WaitAnnouncer(self.ami_queues, self.wait_estimates, self.queue_defs)
        self.flows = FlowRegistry(flow_loader(config, sound_index(config)))
        handler = ivr_handler(
            lambda: self.flows.current,
            d.entry_flow,
            self.tickets,
            SystemClock(),
            prompts_dir(config),
            self.wait_estimates,
        )
        self.supervisor = CallSupervisor(
            handler,
            self.ari,
            self.ami,
            self.call_log,
            SystemClock(),
            on_ended=self.history.call_ended,
        )
        etc_dir, gid = asterisk_etc(config)
        # Calls the daemon never took still land on tickets (the dialplan's spool).
        self.fallback_calls = FallbackCalls(
            FallbackSpool(etc_dir.parent / "spool"),
            self.call_log,
            self.history.call_ended,
            config.dialplan.virtual_number,
        )
        self.security = Security(
            config, sessions, self.db_threads, self.ami, self.ari, etc_dir, gid
        )
        self.observability = Observability(
            self.metrics,
            self.call_log,
            self.ami,
            self.ari,
            lambda: len(self.supervisor.live_calls),
            self.agent_states,
            self.ami_queues,
        )

    def _admin_link(self) -> str:
        """A fresh one-time sign-in link for ``admin`` (printed to whoever starts us)."""
        now = datetime.now(UTC)
        self.staff.ensure_admin_sync(now)
        token = self.staff.create_link_sync(
            "admin", now, timedelta(minutes=self.config.staff.link_minutes)
        )
        d = self.config.daemon
        return f"http://{d.http_host}:{d.http_port}/signin/link/{token}"

    def _deliver(self, event: CallEvent) -> None:
        self.supervisor.deliver(event)

    def _queue_event(self, _manager: object, message: Mapping[str, str]) -> None:
        received = time.monotonic()
        event = translate_queue_event(dict(message))
        if event is not None:
            for work in (
                self.agent_states.handle(event),
                self.screen_pop.handle(event, received),
                self.queue_calls.handle(event),
            ):
                self._background_task(work)

    def _member_paused(self, _manager: object, message: Mapping[str, str]) -> None:
        event = member_paused(dict(message))
        if event is not None:
            self._background_task(self.agent_states.handle(event))

    def _background_task(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _user_event(self, _manager: object, message: Mapping[str, str]) -> None:
        request = agent_request(dict(message))
        if request is not None:
            self._background_task(self._agent_request(request))
        else:
            self._queue_event(_manager, message)  # CallcenterQueue: a caller left unanswered

    async def _agent_request(self, request: AgentRequest) -> None:
        token = call_id_var.set(request.channel)
        try:
            result = await self.agent_control.phone_request(request.agent, request.request)
            await self.ami_queues.answer_request(request.channel, result)
        except TelephonyError as exc:
            log.warning("agent %s: could not answer the phone: %s", request.agent, exc)
        finally:
            call_id_var.reset(token)

    async def _ami_login(self) -> None:
        """After every AMI login (Asterisk or the daemon restarted, or the link broke):
        app_queue's members are made to match the store before we say we are healthy."""
        self._members_synced = False
        await self._resync_members()

    async def _resync_members(self) -> None:
        try:
            await self.agent_control.resync()
            await self.agent_states.sync(await self.agent_control.presences())
        except TelephonyError as exc:
            log.warning("queue members not resynced: %s", exc)
        else:
            self._members_synced = True

    async def _resync_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(self.config.agents.resync_seconds)
            if self.ami.connected:
                await self._resync_members()

    async def _ari_connected(self) -> None:
        await self.security.ari_connected()  # bans first: Asterisk may have restarted
        # Releasing orphaned calls uses AMI Redirect: give AMI a moment to log in too.
        if not await self.ami.wait_connected(timeout=5):
            log.warning("reconciling without AMI: orphaned calls wait for their prompt to end")
        await self.supervisor.reconcile()

    async def _watch_flows(self) -> None:
        """Reload when a flow file changes (polling: no inotify dependency)."""
        directory = Path(self.config.daemon.flows_dir)
        seen = _stamp(directory)
        while True:
            await asyncio.sleep(self.config.daemon.flows_poll_seconds)
            now = _stamp(directory)
            if now != seen:
                seen = now
                self.flows.reload()

    async def health(self) -> dict[str, bool]:
        return {
            "ami": self.ami.connected,
            "queues": self.ami.connected and self._members_synced,
            "ari": self.ari.connected,
            "db": await self.db_threads.run("ping", ping, self.engine),
        }

    async def serve(self) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.flows.reload)
        pid_file = self.config.state_dir / PID_FILE
        pid_file.write_text(f"{os.getpid()}\n")
        d = self.config.daemon
        await self.tickets.ensure_agents(self.config.dialplan.agents)
        app = build_app(
            self.health,
            self.tickets,
            self.api_keys,
            self.desks,
            self.agent_control,
            self.security.bans,
            self.staff,
            timedelta(hours=self.config.staff.session_hours),
        )
        add_provisioning_route(app, SoftphoneAccounts(self.config))
        add_metrics_route(app, self.observability.metrics.render)
        app[LAG_KEY] = self.observability.lag.summary
        runner = await start_http(app, d.http_host, d.http_port)
        backfill = asyncio.create_task(self.history.backfill(self.call_log), name="backfill")
        await self.ami.start()
        ari_task = asyncio.create_task(self.ari.run(), name="ari")
        watch_task = asyncio.create_task(self._watch_flows(), name="flows-watch")
        resync_task = asyncio.create_task(self._resync_now_and_then(), name="members-resync")
        announce_task = asyncio.create_task(self.wait_announcer.run(), name="wait-announcer")
        observe_tasks = [
            *self.observability.tasks(),
            *self.security.tasks(),
            asyncio.create_task(self.fallback_calls.run(), name="fallback-import"),
        ]
        log.info("callcenterd up: http://%s:%d/healthz", d.http_host, d.http_port)
        print(banner(self.config, self.secrets, self._admin_link()), flush=True)
        await stop.wait()
        log.info("shutting down: handing live calls to the fallback queue")
        await self.supervisor.close()
        for task in (ari_task, watch_task, resync_task, announce_task, backfill, *observe_tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pid_file.unlink(missing_ok=True)
        await self.ari.close()
        await self.ami.close()
        self.agent_states.close()
        await self.desks.close()
        await runner.cleanup()
        await self.call_log.close()  # what the calls wrote, committed before we go
        self.db_threads.close()
        self.engine.dispose()
        log.info("callcenterd stopped")
        return 0


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in flow_files(directory))


def banner(config: Config, secrets: Secrets, admin_link: str = "") -> str:
    a, d = config.asterisk, config.dialplan
    host = sip_host(config)
    lines = [
        "",
        f"callcenter is running. Call the virtual number {d.virtual_number}:",
        f"  sip:{d.virtual_number}@{host}:{a.sip_port} (UDP) from "
        + ", ".join(d.trunk_networks)
        + " (dialplan.trunk_networks), or from an agent's softphone.",
        "Agents register a softphone (Linphone, Zoiper), from outside the trunk networks, with:",
        f"  server {host}, port {a.sip_port}, transport UDP",
    ]
    lines += [f"  user {ext}  password {pw}" for ext, pw in sorted(secrets.agent_passwords.items())]
    lines += [
        "More agents: callcenter agents add NAME --ext EXT (prints a Linphone provisioning URL).",
        f"Health: http://{config.daemon.http_host}:{config.daemon.http_port}/healthz",
        *(
            [
                "Open the board (and every page) as admin with this one-time link:",
                f"  {admin_link}",
                "More staff: callcenter staff add NAME --role agent --agent EXT; "
                "callcenter staff link NAME.",
            ]
            if admin_link
            else []
        ),
        "",
    ]
    return "\n".join(lines)


def run_daemon(config: Config) -> int:
    try:
        daemon = Daemon(config)
    except Exception as exc:
        log.error("cannot start: %s", exc)
        return 2
    try:
        return asyncio.run(daemon.serve())
    except OSError as exc:
        print(f"callcenterd: {exc}", file=sys.stderr)
        return 2
