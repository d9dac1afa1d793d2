"""The cluster's SIP front: Kamailio's configuration rendered from ``[cluster]`` and the
process run in the same runtime as Asterisk (the sandbox root carries Debian's Kamailio).

Contract: :func:`render_front` returns ``kamailio.cfg`` and ``dispatcher.list`` (one
dispatcher set per partition, its nodes by falling priority: home first) from the
template in ``kamailio_conf/``; every value is checked like Asterisk's. :class:`Front`
starts Kamailio (``up``: returns once it answers an OPTIONS), records its pid, stops it
(``down``) and reports whether it runs (``state``). Raises FrontError naming the cause.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import make_url

from callcenter.asterisk.confgen import render_text
from callcenter.asterisk.runtime import Runtime
from callcenter.asterisk.sandbox_probes import process_alive
from callcenter.asterisk.sip_probe import options_answered
from callcenter.config import Config
from callcenter.domain.cluster import NodeAddress, Partition, node_addresses, partitions

# The digest realm phones are challenged with (their HA1s in the database are for it).
REALM = "callcenter-front"
TEMPLATE = Path(__file__).resolve().parents[2] / "kamailio_conf" / "kamailio.cfg"
STATE_FILE = "front.json"


class FrontError(RuntimeError):
    """Kamailio cannot be rendered or run; the message says why."""


def dispatcher_list(parts: tuple[Partition, ...], nodes: tuple[NodeAddress, ...]) -> str:
    """``set uri flags priority attrs`` lines: set N+1 is partition N, home node first."""
    where = {n.node: n for n in nodes}
    lines = ["# set destination flags priority attributes (rendered by callcenter)"]
    for index, part in enumerate(parts, 1):
        for rank, node in enumerate(part.nodes):
            lines.append(f"{index} {where[node].uri} 0 {100 - rank} node={node}")
    return "\n".join(lines) + "\n"


def partition_routes(parts: tuple[Partition, ...]) -> str:
    return "\n".join(
        f'    if ($rU == "{p.number}") {{\n        $var(set) = {n};\n        return;\n    }}'
        for n, p in enumerate(parts, 1)
    )


def kamailio_db_url(database_url: str) -> str:
    """The cluster's PostgreSQL as db_postgres names it (``postgres://user:pw@host:port/db``):
    the front keeps the agents' digests and registrations there."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise FrontError(
            f"database.url: the front keeps agents' registrations in the cluster's PostgreSQL,"
            f" not in {url.drivername!r}"
        )
    credentials = url.username or ""
    if url.password:
        credentials += f":{quote(str(url.password), safe='')}"
    where = f"{url.host or '127.0.0.1'}:{url.port or 5432}"
    value = f"postgres://{credentials}@{where}/{url.database}"
    if not re.fullmatch(r"postgres://[\w.%:-]*@[\w.-]+:\d+/[\w-]+", value):
        raise FrontError(f"database.url: {url.render_as_string()!r} cannot be given to Kamailio")
    return value


def _short(path: Path) -> str:
    return hashlib.sha256(str(path).encode()).hexdigest()[:12]


def render_front(config: Config, etc_dir: Path, run_dir: Path) -> dict[str, str]:
    """The files of the front, by name (they carry the database's address and credentials:
    written mode 0600)."""
    c = config.cluster
    nodes = node_addresses(c.nodes)
    parts = partitions(c.partitions, nodes)
    if not parts:
        raise FrontError("cluster.partitions is empty: the front would route no number")
    values = {
        "kamailio_bind": c.front_bind,
        "kamailio_port": str(c.front_port),
        "kamailio_children": "2",
        "kamailio_etc": str(etc_dir),
        "kamailio_ctl": f"/run/callcenter-front-{_short(run_dir)}.ctl",
        "kamailio_fr_ms": "1000",
        "kamailio_ping_seconds": str(c.probe_seconds),
        "kamailio_keepalive_seconds": "30",  # the dialog module's least
        "kamailio_log_prefix": "front: ",
        "kamailio_partitions": partition_routes(parts),
        "kamailio_db_url": kamailio_db_url(config.database_url),
        "kamailio_realm": REALM,
        "kamailio_retry_after": str(config.admission.retry_after),
    }
    return {
        "kamailio.cfg": render_text("kamailio.cfg", TEMPLATE.read_text(encoding="utf-8"), values),
        "dispatcher.list": dispatcher_list(parts, nodes),
    }


@dataclasses.dataclass(frozen=True)
class FrontState:
    pid: int
    bind: str
    port: int

    def describe(self) -> str:
        return f"Kamailio running (pid {self.pid}): SIP udp {self.bind}:{self.port}"


class Front:
    def __init__(self, config: Config, runtime: Runtime, passwords: Mapping[str, str]) -> None:
        self.config = config
        self.passwords = dict(passwords)
        self.runtime = runtime
        self.dir = config.state_dir / "front"
        self._state = self.dir / STATE_FILE
        self._process: subprocess.Popen[bytes] | None = None  # reaped by us

    def state(self) -> FrontState | None:
        try:
            state = FrontState(**json.loads(self._state.read_text()))
        except (FileNotFoundError, json.JSONDecodeError, TypeError):
            return None
        return state if _is_kamailio(state.pid) else None

    def up(self, timeout: float = 20.0) -> tuple[FrontState, bool]:
        """Start Kamailio; (state, started) — started is False if it already ran."""
        running = self.state()
        if running is not None:
            return running, False
        etc, run, log = self.dir / "etc", self.dir / "run", self.dir / "log"
        for d in (etc, run, log):
            d.mkdir(parents=True, exist_ok=True)
        for name, text in render_front(self.config, etc, run).items():
            (etc / name).write_text(text, encoding="utf-8")
            (etc / name).chmod(0o600)  # the database's credentials
        c = self.config.cluster
        argv = self.runtime.command(
            ["kamailio", "-f", str(etc / "kamailio.cfg"), "-DD", "-E", "-P", str(run / "pid")],
            shared=[self.dir],
        )
        with open(log / "kamailio.log", "ab") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = proc
        state = FrontState(proc.pid, c.front_bind, c.front_port)
        self._state.write_text(json.dumps(dataclasses.asdict(state)))
        deadline = time.monotonic() + timeout
        while not options_answered(c.front_bind, c.front_port, 0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                self.down()
                tail = (log / "kamailio.log").read_text(errors="replace").splitlines()[-15:]
                raise FrontError("Kamailio did not come up:\n" + "\n".join(tail))
        return state, True

    def down(self) -> FrontState | None:
        state = self.state()
        pid = state.pid if state else (self._process.pid if self._process else None)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while process_alive(pid) and time.monotonic() < deadline:
                if self._process is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._process.wait(0.1)
                else:
                    time.sleep(0.1)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        if self._process is not None:  # reaped, even when it was gone (a zombie) at once
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5)
        self._state.unlink(missing_ok=True)
        self._process = None
        return state


def _is_kamailio(pid: int) -> bool:
    """The recorded pid is our launcher (unshare/chroot) or Kamailio itself, alive."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"kamailio" in cmdline
