"""``callcenter cluster demo``: two nodes and the SIP front on this machine, on one
PostgreSQL — the shape of a cluster, to try and to watch (composition root: it starts
Asterisk, the daemons and Kamailio, and stops them all on Ctrl-C or SIGTERM).

Node ``a`` takes this instance's ports, node ``b`` the same ones plus 2 (SIP) or plus 1
(AMI, ARI, the daemon's HTTP) and the next RTP range; each node's state lives under
``<state_dir>/cluster-demo/<node>``. The virtual number is at home on ``a`` with ``b``
standing by; agents register at the front.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from callcenter.app.front import prepare_front
from callcenter.asterisk.confgen import gate_host
from callcenter.asterisk.kamailio import Front
from callcenter.asterisk.sandbox import Sandbox
from callcenter.config import Config, load_config
from callcenter.secrets import load_or_create_secrets
from callcenter.store.migrate import upgrade

NODES = ("a", "b")


def node_env(base: Config, node: int, database: str) -> dict[str, str]:
    """The environment of demo node ``node`` (0 or 1)."""
    a, d, c = base.asterisk, base.daemon, base.cluster
    rtp = (a.rtp_end - a.rtp_start + 1) // 2
    sip = {n: a.sip_port + 2 * i for i, n in enumerate(NODES)}
    name = NODES[node]
    return {
        "CALLCENTER_INSTANCE__STATE_DIR": str(base.state_dir / "cluster-demo" / name),
        "CALLCENTER_DATABASE__URL": database,
        # The daemons run in their own state directories: the files by absolute path.
        "CALLCENTER_DAEMON__FLOWS_DIR": str(Path(d.flows_dir).resolve()),
        "CALLCENTER_DIALPLAN__QUEUES_FILE": str(Path(base.dialplan.queues_file).resolve()),
        "CALLCENTER_ASTERISK__SIP_PORT": str(sip[name]),
        "CALLCENTER_ASTERISK__AMI_PORT": str(a.ami_port + node),
        "CALLCENTER_ASTERISK__HTTP_PORT": str(a.http_port + node),
        "CALLCENTER_ASTERISK__RTP_START": str(a.rtp_start + node * rtp),
        "CALLCENTER_ASTERISK__RTP_END": str(a.rtp_start + (node + 1) * rtp - 1),
        "CALLCENTER_DAEMON__HTTP_PORT": str(d.http_port + node),
        "CALLCENTER_CLUSTER__NODE": name,
        "CALLCENTER_CLUSTER__NODES": ",".join(f"{n}=127.0.0.1:{p}" for n, p in sip.items()),
        "CALLCENTER_CLUSTER__PARTITIONS": f"{base.dialplan.virtual_number}=a/b",
        "CALLCENTER_CLUSTER__AGENTS_AT_FRONT": "true",
        "CALLCENTER_CLUSTER__FRONT_PORT": str(c.front_port),
        "CALLCENTER_CLUSTER__FRONT_BIND": c.front_bind,
    }


def ensure_database(url: str) -> None:
    """Create the demo's PostgreSQL database if it is missing (needs the right to)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError(f"--database: {url!r} is not PostgreSQL (the nodes share it)")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()
    upgrade(url)


class Demo:
    def __init__(self, base: Config, database: str, environ: Mapping[str, str]) -> None:
        self.envs = [{**environ, **node_env(base, n, database)} for n in range(len(NODES))]
        self.configs = [load_config(None, environ=env) for env in self.envs]
        self.sandboxes: list[Sandbox] = []
        self.daemons: list[subprocess.Popen[bytes]] = []
        self.front: Front | None = None

    @contextlib.contextmanager
    def running(self) -> Iterator[Demo]:
        try:
            for config, env in zip(self.configs, self.envs, strict=True):
                config.state_dir.mkdir(parents=True, exist_ok=True)
                secrets = load_or_create_secrets(config.state_dir, config.dialplan.phones)
                sandbox = Sandbox(config, secrets)
                sandbox.up()
                self.sandboxes.append(sandbox)
                log = open(config.state_dir / "daemon.log", "ab")  # noqa: SIM115 (kept open)
                self.daemons.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "callcenter", "run"],
                        env=env,
                        cwd=config.state_dir,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            first = self.configs[0]
            passwords = load_or_create_secrets(first.state_dir, first.dialplan.phones)
            runtime = self.sandboxes[0].runtime()
            self.front = prepare_front(first, runtime, passwords.agent_passwords)
            self.front.up()
            for config in self.configs:
                _wait_healthy(config)
            yield self
        finally:
            self.stop()

    def stop(self) -> None:
        for proc in self.daemons:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        for proc in self.daemons:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:  # a daemon that does not stop is not left behind
                proc.kill()
                proc.wait()
        self.daemons.clear()
        if self.front is not None:
            self.front.down()
        for sandbox in self.sandboxes:
            sandbox.down()
        self.sandboxes.clear()

    def banner(self) -> str:
        a = self.configs[0]
        c = a.cluster
        ext = sorted(load_or_create_secrets(a.state_dir, a.dialplan.phones).agent_passwords)
        lines = [
            "",
            "cluster demo is running: nodes a and b, one database, the front before them.",
            f"  call sip:{a.dialplan.virtual_number}@{c.front_bind}:{c.front_port} (UDP; at home"
            " on a, b takes it while a is down)",
            f"  agents register at the front, server {c.front_bind}:{c.front_port}, as "
            + ", ".join(ext)
            + f" (passwords: {a.state_dir / 'secrets.json'})",
        ]
        for config in self.configs:
            d = config.daemon
            lines.append(
                f"  node {config.cluster.node}: Asterisk SIP {config.asterisk.sip_port},"
                f" daemon http://{d.http_host}:{d.http_port}/cluster"
                f" (logs in {config.state_dir})"
            )
        lines += ["Stop it with Ctrl-C.", ""]
        return "\n".join(lines)


def _wait_healthy(config: Config, timeout: float = 60.0) -> None:
    d = config.daemon
    url = f"http://{gate_host(d.http_host)}:{d.http_port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"node {config.cluster.node}: the daemon is not healthy ({url})")


def run_demo(base: Config, database: str, environ: Mapping[str, str]) -> int:
    ensure_database(database)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with Demo(base, database, environ).running() as demo:
        print(demo.banner(), flush=True)
        stop.wait()
    return 0
