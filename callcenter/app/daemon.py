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
from datetime import UTC, datetime, timedelta

from callcenter.app.agents import Agents
from callcenter.app.assembly import asterisk_etc, ticket_store
from callcenter.app.banner import banner
from callcenter.app.callbacks import CallbacksWiring
from callcenter.app.calls import Calls
from callcenter.app.cluster import ClusterWiring
from callcenter.app.events import EventBus
from callcenter.app.live_transcripts import LiveTranscriptsWiring
from callcenter.app.lost_calls import LostCallsWiring
from callcenter.app.observability import Observability
from callcenter.app.presence import PresenceWiring
from callcenter.app.recordings import RecordingsWiring
from callcenter.app.search import search_service
from callcenter.app.security import Security
from callcenter.app.shifts import ShiftsWiring
from callcenter.app.transcripts import TranscriptsWiring
from callcenter.app.voicemails import VoicemailWiring
from callcenter.app.webhooks import WebhooksWiring
from callcenter.app.widgets import DialGuardWiring, WidgetsWiring
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.config import Config
from callcenter.domain.calls import CallEvent
from callcenter.http.dial_gate import DIAL_GATE
from callcenter.http.health import LAG_KEY
from callcenter.http.metrics import add_metrics_route
from callcenter.http.provisioning import add_provisioning_route
from callcenter.http.server import build_app, start_http
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import load_or_create_secrets
from callcenter.softphone_accounts import SoftphoneAccounts
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
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.secrets = load_or_create_secrets(config.state_dir, config.dialplan.phones)
        upgrade(config.database_url)
        self.engine = make_engine(config.database_url)
        sessions = make_sessions(self.engine)
        self.metrics = DaemonMetrics()
        self.db_threads = DbThreads(config.database.threads, self.metrics.observe_store)
        self.call_log = WriteBehindCallLog(
            SqlCallLog(sessions, self.db_threads, config.cluster.node), self.db_threads
        )
        self.tickets = ticket_store(config, sessions, self.db_threads)
        self.api_keys = SqlApiKeys(sessions, self.db_threads)
        self.staff = SqlStaff(sessions, self.db_threads)
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
        self.agents = Agents(config, self.ami, self.tickets, self.call_log)
        etc_dir, gid = asterisk_etc(config)
        self.cluster = ClusterWiring(config, sessions, self.db_threads)
        self.presence = PresenceWiring(
            config,
            sessions,
            self.db_threads,
            self.ami,
            self.agents.ami_queues,
            self.agents.queue_defs,
        )
        self.presence.holds_lease = self.cluster.holds_lease
        self.presence.logged_in = self._logged_in
        self.presence.resync = self.agents.resync_members
        self.webhooks = WebhooksWiring(config, sessions, self.db_threads)
        self.events = EventBus(self.webhooks.wake)
        self.guard = DialGuardWiring(config, sessions, self.db_threads, self.metrics)
        self.callbacks = CallbacksWiring(
            config,
            sessions,
            self.db_threads,
            self.ami,
            self.tickets,
            self.agents.queue_defs,
            self.agents.wait_estimates,
            lambda: self.calls.flows.current,  # read at call time, once Calls exists
            self.events.emit,
            self.guard.service,
            self.cluster.owner,
            self.secrets.dial_gate_secret,
        )
        self.cluster.adopt_with(self.callbacks.store.adopt)
        self.webhooks.may_work = self.cluster.holds_lease
        self.cluster.taken_over = lambda: self.callbacks.sweeper.taken_over
        self.shifts = ShiftsWiring(
            config,
            sessions,
            self.db_threads,
            self.agents.ami_queues,
            self.agents.control,
            self.callbacks.service,
            self.agents.queue_defs,
        )
        self.widgets = WidgetsWiring(
            config,
            sessions,
            self.db_threads,
            self.secrets,
            self.guard.service,
            self.callbacks.service,
            self.callbacks.calendar_of,
            frozenset(self.agents.queue_defs),
        )
        self.voicemail = VoicemailWiring(
            config,
            sessions,
            self.db_threads,
            self.tickets,
            self.agents.queue_defs,
            self.callbacks.service,
            self.callbacks.calendar_of,
            self.events.emit,
        )
        self.events.listen("callback.completed", self.voicemail.callback_completed)
        self.calls = Calls(
            config,
            self.ari,
            self.ami,
            self.call_log,
            self.tickets,
            self.agents.wait_estimates,
            etc_dir.parent / "spool",
            self.callbacks.intake,
            self.voicemail.intake,
            self.events.emit,
            self.widgets.service,
        )
        self.lost = LostCallsWiring(
            config,
            sessions,
            self.db_threads,
            self.ami,
            self.ari,
            self.call_log,
            self.cluster,
            self.callbacks.service,
            self.calls.history,
            self.tickets,
        )
        self.cluster.lost_calls = lambda: self.lost.service.lost
        self.recordings = RecordingsWiring(
            config,
            sessions,
            self.db_threads,
            self.ami,
            self.tickets,
            self.agents.queue_defs,
            self.metrics,
        )
        self.transcripts = TranscriptsWiring(
            config,
            sessions,
            self.db_threads,
            self.recordings.service,
            self.tickets,
            self.events.emit,
        )
        self.transcripts.may_work = self.cluster.holds_lease
        self.search = search_service(sessions, self.db_threads)
        self.live = LiveTranscriptsWiring(
            config, self.ami, self.ari, self.agents.desks, self.metrics
        )
        self.security = Security(
            config, sessions, self.db_threads, self.ami, self.ari, etc_dir, gid
        )
        self.observability = Observability(
            self.metrics,
            self.call_log,
            self.ami,
            self.ari,
            lambda: len(self.calls.supervisor.live_calls),
            self.agents.states,
            self.agents.ami_queues,
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

    async def _logged_in(self) -> frozenset[str]:
        return frozenset(a.extension for a in await self.tickets.list_agents() if a.logged_in)

    def _deliver(self, event: CallEvent) -> None:
        self.calls.deliver(event)

    async def _ami_login(self) -> None:
        await self.presence.ami_login()
        await self.agents.ami_login()
        await self.recordings.ami_login()
        await self.callbacks.ami_login()

    async def _ari_connected(self) -> None:
        await self.security.ari_connected()  # bans first: Asterisk may have restarted
        # Releasing orphaned calls uses AMI Redirect: give AMI a moment to log in too.
        if not await self.ami.wait_connected(timeout=5):
            log.warning("reconciling without AMI: orphaned calls wait for their prompt to end")
        # Taken before any new event is read; released while new calls flow (in a task).
        plan = await self.calls.supervisor.take_stock()
        self.calls.spawn(self.calls.supervisor.catch_up(plan))
        self.calls.spawn(self.lost.settle())  # hangups missed while we were away

    async def health(self) -> dict[str, bool]:
        return {
            "ami": self.ami.connected,
            "queues": self.ami.connected and self.agents.members_synced,
            "ari": self.ari.connected,
            "db": await self.db_threads.run("ping", ping, self.engine),
        }

    async def serve(self) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.calls.flows.reload)
        pid_file = self.config.state_dir / PID_FILE
        pid_file.write_text(f"{os.getpid()}\n")
        d = self.config.daemon
        await self.tickets.ensure_agents(self.config.dialplan.agents)
        app = build_app(
            self.health,
            self.tickets,
            self.api_keys,
            self.agents.desks,
            self.agents.control,
            self.security.bans,
            self.staff,
            timedelta(hours=self.config.staff.session_hours),
            self.recordings.service,
            self.agents.supervision,
            self.callbacks.service,
            self.webhooks.service,
            self.voicemail.service,
            self.transcripts.service,
            self.search,
            services={
                **self.widgets.services(),
                **self.shifts.services(),
                **self.cluster.services(),
                DIAL_GATE: self.callbacks,
            },
        )
        add_provisioning_route(app, SoftphoneAccounts(self.config))
        add_metrics_route(app, self.observability.metrics.render)
        app[LAG_KEY] = self.observability.lag.summary
        runner = await start_http(app, d.http_host, d.http_port)
        # A lease before anything is claimed: the claims made from here carry its epoch,
        # and this node's own open claims (from before a restart) are adopted first.
        await self.cluster.membership.join()
        await self.ami.start()
        ari_task = asyncio.create_task(self.ari.run(), name="ari")
        tasks = [
            ari_task,
            *self.calls.tasks(),
            *self.agents.tasks(),
            *self.observability.tasks(),
            *self.security.tasks(),
            *self.recordings.tasks(),
            *self.callbacks.tasks(),
            *self.voicemail.tasks(),
            *self.transcripts.tasks(),
            *self.live.tasks(),
            *self.webhooks.tasks(),
            *self.cluster.tasks(),
            *self.presence.tasks(),
            *self.lost.tasks(),
        ]
        log.info("callcenterd up: http://%s:%d/healthz", d.http_host, d.http_port)
        print(banner(self.config, self.secrets, self._admin_link()), flush=True)
        await stop.wait()
        log.info("shutting down: handing live calls to the fallback queue")
        await self.calls.supervisor.close()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pid_file.unlink(missing_ok=True)
        await self.cluster.membership.leave()  # the others take over our waiting callbacks
        await self.ari.close()
        await self.ami.close()
        await self.agents.close()
        await self.webhooks.close()
        self.transcripts.close()
        await self.live.close()
        await runner.cleanup()
        await self.call_log.close()  # what the calls wrote, committed before we go
        self.db_threads.close()
        self.engine.dispose()
        log.info("callcenterd stopped")
        return 0


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
