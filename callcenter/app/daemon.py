"""Composition root: builds every edge and service, supervises them, stops them cleanly.

The only module that knows all the edges. Order of life:
start HTTP (so /healthz answers at once) → AMI → ARI (reconcile on every connect) →
wait for SIGTERM/SIGINT → hand live calls to the fallback queue → close edges.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from callcenter.app import slots
from callcenter.app.banner import banner
from callcenter.app.core import close_core, core_parts, serve_core
from callcenter.app.feature import Contributions, Feature, Hook, assemble
from callcenter.app.features import FEATURES, api_routes, pages
from callcenter.config import Config
from callcenter.domain.calls import CallEvent
from callcenter.http.server import build_app, start_http
from callcenter.http.staff_auth import STAFF
from callcenter.metrics.heap import Heap

log = logging.getLogger(__name__)


PID_FILE = "callcenterd.pid"


class Daemon:
    """The daemon's core (configuration, database, Asterisk's links, the event bus) and
    the features of :data:`~callcenter.app.features.FEATURES`, assembled."""

    def __init__(self, config: Config, features: Sequence[Feature] = FEATURES) -> None:
        self.config = config
        self.parts, self.router = core_parts(
            config, self._deliver, self._ami_login, self._ari_connected
        )
        self.plugged = Contributions(self.router)
        self.features = assemble(features, self.parts, self.plugged)
        events = self.parts[slots.EVENTS]
        for _feature, kind, listener in self.plugged.listeners:
            events.listen(kind, listener)
        for _feature, wake in self.plugged.any_listeners:
            events.on_any(wake)
        serve_core(self.parts, self.plugged)
        self.ami, self.ari = self.parts[slots.AMI], self.parts[slots.ARI]

    def _admin_link(self) -> str:
        """A fresh one-time sign-in link for ``admin`` (printed to whoever starts us)."""
        now = datetime.now(UTC)
        staff = self.plugged.services[STAFF]
        staff.ensure_admin_sync(now)
        token = staff.create_link_sync(
            "admin", now, timedelta(minutes=self.config.staff.link_minutes)
        )
        d = self.config.daemon
        return f"http://{d.http_host}:{d.http_port}/signin/link/{token}"

    def _deliver(self, event: CallEvent) -> None:
        for _feature, sink in self.plugged.call_sinks:
            sink(event)

    async def _ami_login(self) -> None:
        await _run_hooks("AMI login", self.plugged.ami_login)

    async def _ari_connected(self) -> None:
        await _run_hooks("ARI connect", self.plugged.ari_connected)

    async def health(self) -> dict[str, bool]:
        return {name: await probe() for name, probe in self.plugged.health.items()}

    async def serve(self) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self.parts[slots.FLOWS].reload)
        pid_file = self.config.state_dir / PID_FILE
        pid_file.write_text(f"{os.getpid()}\n")
        d = self.config.daemon
        await self.parts[slots.TICKETS].ensure_agents(self.config.dialplan.agents)
        features = tuple(self.features)
        app = build_app(self.health, self.plugged.services, api_routes(features), pages(features))
        runner = await start_http(app, d.http_host, d.http_port)
        # A lease before anything is claimed: the claims made from here carry its epoch,
        # and this node's own open claims (from before a restart) are adopted first.
        await self.parts[slots.MEMBERSHIP].membership.join()
        await self.ami.start()
        tasks = [asyncio.create_task(self.ari.run(), name="ari")]
        for _feature, start in self.plugged.tasks:
            tasks += start()
        freeze_the_heap()
        log.info("callcenterd up: http://%s:%d/healthz", d.http_host, d.http_port)
        secrets = self.parts[slots.SECRETS]
        print(banner(self.config, secrets, self._admin_link()), flush=True)
        await stop.wait()
        log.info("shutting down: handing live calls to the fallback queue")
        await _run_hooks("stop", self.plugged.stoppers)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pid_file.unlink(missing_ok=True)
        await self.parts[slots.MEMBERSHIP].membership.leave()  # the others take ours over
        await self.ari.close()
        await self.ami.close()
        for feature, close in self.plugged.closers:
            try:
                done = close()
                if done is not None:
                    await done
            except Exception:
                log.exception("%s: not closed cleanly", feature)
        await runner.cleanup()
        await close_core(self.parts)
        log.info("callcenterd stopped")
        return 0


def freeze_the_heap() -> None:
    """Everything built at start (modules, the features, SQLAlchemy's mappers, the flows)
    lives as long as the daemon: collected once, then moved out of the collector's sight
    (``gc.freeze``). Measured with the stall catcher (benchmarks.ivr_vs_dialplan): the
    loop's rare 90-170 ms stalls under load were generation-2 collections over that heap,
    run in a store thread that held the GIL meanwhile; a frozen heap leaves the collector
    only what calls create."""
    gc.collect()
    gc.freeze()
    log.info(
        "heap frozen after start: %d objects out of the collector's sight", gc.get_freeze_count()
    )


async def _run_hooks(what: str, hooks: list[tuple[str, Hook]]) -> None:
    """Each feature's hook in the features' order; one that fails is logged, the others run."""
    for feature, hook in hooks:
        try:
            await hook()
        except Exception:
            log.exception("%s: %s hook failed", feature, what)


def run_daemon(config: Config) -> int:
    heap = Heap()
    if heap.limit_arenas(config.daemon.malloc_arenas):  # before any thread allocates
        log.info("allocator: glibc, at most %d arenas", config.daemon.malloc_arenas)
    else:
        log.info("allocator: %s", heap.allocator or "unknown")
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
