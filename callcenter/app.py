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
import socket
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.prompts import prompt_exists
from callcenter.asterisk.runtime import SandboxRuntime
from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sounds import SoundIndex
from callcenter.config import Config
from callcenter.domain.calls import CallEvent
from callcenter.flows.catalog import FlowSet, flow_files, load_catalog
from callcenter.flows.loader import FlowIssue
from callcenter.flows.validate import FlowContext
from callcenter.http.server import build_app, start_http
from callcenter.secrets import Secrets, load_or_create_secrets
from callcenter.services.call_supervisor import CallSupervisor
from callcenter.services.flow_registry import FlowRegistry
from callcenter.services.ivr_runner import ivr_handler
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_engine, make_sessions, ping
from callcenter.store.migrate import upgrade

log = logging.getLogger(__name__)


PID_FILE = "callcenterd.pid"


def flow_context(config: Config, sounds: SoundIndex | None) -> FlowContext:
    d = config.dialplan
    return FlowContext(
        queues=frozenset(d.queues),
        mailboxes=frozenset(d.mailboxes),
        extensions=frozenset(d.agents),
        external_allowlist=frozenset(d.external_allowlist),
        sound_exists=sounds.exists if sounds else None,
        prompt_exists=lambda lang, name: prompt_exists(prompts_dir(config), lang, name),
    )


def prompts_dir(config: Config) -> Path:
    """Uploaded prompts, inside the instance directory Asterisk sees at the same path."""
    return config.state_dir / "asterisk" / "prompts"


def sound_index(config: Config) -> SoundIndex | None:
    """Asterisk's sounds as this instance's Asterisk sees them (None if not installed yet)."""
    try:
        runtime = Sandbox(config, load_or_create_secrets(config.state_dir, ())).runtime()
    except Exception as exc:
        log.warning("cannot check sound files (%s)", exc)
        return None
    return SoundIndex(runtime.root if isinstance(runtime, SandboxRuntime) else Path("/"))


def flow_loader(
    config: Config, sounds: SoundIndex | None
) -> Callable[[], tuple[FlowSet | None, list[FlowIssue]]]:
    directory = Path(config.daemon.flows_dir).resolve()
    ctx = flow_context(config, sounds)
    return lambda: load_catalog(flow_files(directory), ctx, directory.parent)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Daemon:
    def __init__(self, config: Config) -> None:
        self.config = config
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.secrets = load_or_create_secrets(config.state_dir, config.dialplan.agents)
        upgrade(config.database_url)
        self.engine = make_engine(config.database_url)
        self.call_log = SqlCallLog(make_sessions(self.engine))
        a, d = config.asterisk, config.daemon
        self.ari = AriClient(
            f"http://127.0.0.1:{a.http_port}/",
            self.secrets.ari_user,
            self.secrets.ari_password,
            d.ari_app,
            sink=self._deliver,
            on_connected=self._ari_connected,
            max_delay=d.reconnect_max_delay,
        )
        self.ami = AmiClient(a.ami_port, self.secrets.ami_user, self.secrets.ami_password)
        self.flows = FlowRegistry(flow_loader(config, sound_index(config)))
        handler = ivr_handler(
            lambda: self.flows.current,
            d.entry_flow,
            self.call_log,
            SystemClock(),
            prompts_dir(config),
        )
        self.supervisor = CallSupervisor(handler, self.ari, self.ami, self.call_log, SystemClock())

    def _deliver(self, event: CallEvent) -> None:
        self.supervisor.deliver(event)

    async def _ari_connected(self) -> None:
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
            "ari": self.ari.connected,
            "db": await asyncio.to_thread(ping, self.engine),
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
        runner = await start_http(build_app(self.health), d.http_host, d.http_port)
        await self.ami.start()
        ari_task = asyncio.create_task(self.ari.run(), name="ari")
        watch_task = asyncio.create_task(self._watch_flows(), name="flows-watch")
        log.info("callcenterd up: http://%s:%d/healthz", d.http_host, d.http_port)
        print(banner(self.config, self.secrets), flush=True)
        await stop.wait()
        log.info("shutting down: handing live calls to the fallback queue")
        await self.supervisor.close()
        for task in (ari_task, watch_task):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pid_file.unlink(missing_ok=True)
        await self.ari.close()
        await self.ami.close()
        await runner.cleanup()
        self.engine.dispose()
        log.info("callcenterd stopped")
        return 0


def _stamp(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in flow_files(directory))


def banner(config: Config, secrets: Secrets) -> str:
    a, d = config.asterisk, config.dialplan
    host = a.sip_bind if a.sip_bind != "0.0.0.0" else _host_address()  # noqa: S104
    lines = [
        "",
        f"callcenter is running. Call the virtual number {d.virtual_number}:",
        f"  sip:{d.virtual_number}@{host}:{a.sip_port} (UDP) from "
        + ", ".join(d.trunk_networks)
        + ", or from an agent's softphone.",
        "Agents register a softphone (Linphone, Zoiper) with:",
        f"  server {host}, port {a.sip_port}, transport UDP",
    ]
    lines += [f"  user {ext}  password {secrets.agent_passwords[ext]}" for ext in d.agents]
    lines += [f"Health: http://{config.daemon.http_host}:{config.daemon.http_port}/healthz", ""]
    return "\n".join(lines)


def _host_address() -> str:
    with contextlib.suppress(OSError):
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            return address
    return "127.0.0.1"


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
