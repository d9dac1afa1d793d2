"""``callcenter sandbox``: start, stop and inspect this instance's real Asterisk.

Contract:
* :meth:`Sandbox.up` renders the configuration, starts Asterisk as its own user and returns
  only once AMI and ARI answer; a second ``up`` reports the running instance and starts
  nothing; a port in use is named before anything starts; if Asterisk exits while starting,
  the error carries the tail of its log.
* :meth:`Sandbox.down` stops exactly the process it started (by the pid it recorded).
  Mounts live in that process's private namespace, so they go with it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import errno
import json
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from callcenter.asterisk import system_asterisk, tls_files
from callcenter.asterisk.confgen import render_all, template_values, write_config
from callcenter.asterisk.runtime import Runtime, SandboxRuntime, SystemRuntime
from callcenter.asterisk.sandbox_probes import (
    ami_banner,
    ari_ok,
    chown_tree,
    is_asterisk,
    process_alive,
)
from callcenter.asterisk.sandbox_root import SandboxError, ensure_root
from callcenter.config import Config
from callcenter.secrets import Secrets

log = logging.getLogger(__name__)

STATE_FILE = "sandbox.json"


@dataclasses.dataclass(frozen=True)
class SandboxState:
    pid: int
    kind: str
    root: str
    instance_dir: str
    ami_port: int
    http_port: int
    sip_port: int

    def describe(self) -> str:
        where = f"root {self.root}" if self.kind == "sandbox" else "system Asterisk"
        return (
            f"Asterisk running (pid {self.pid}, {where}): SIP udp/{self.sip_port}, "
            f"AMI 127.0.0.1:{self.ami_port}, ARI http://127.0.0.1:{self.http_port}/ari"
        )


class Sandbox:
    def __init__(self, config: Config, secrets: Secrets) -> None:
        self.config = config
        self.secrets = secrets
        self.instance_dir = config.state_dir / "asterisk"
        self.state_path = config.state_dir / STATE_FILE
        # Kept so the child is reaped by us, not reported as a leaked process.
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def system(self) -> bool:
        """The machine's Asterisk, started by its service manager: never by us."""
        return self.config.asterisk.mode == "system"

    def runtime(self, build: bool = True) -> Runtime:
        if self.system:
            return SystemRuntime()
        if os.geteuid() != 0:
            raise SandboxError(
                "the embedded Asterisk needs root (debootstrap, chroot, mounts): run as root,"
                " or install Asterisk >= 22 and set asterisk.mode = system"
            )
        a = self.config.asterisk
        cache, suite = Path(a.sandbox_cache), a.debian_suite
        return SandboxRuntime(ensure_root(cache, suite, a.debian_mirror, build))

    def state(self) -> SandboxState | None:
        """The recorded instance if its process is still the Asterisk we started."""
        try:
            state = SandboxState(**json.loads(self.state_path.read_text()))
        except (FileNotFoundError, json.JSONDecodeError, TypeError):
            return None
        return state if is_asterisk(state.pid) else None

    # -- up ---------------------------------------------------------------------------
    def up(self) -> tuple[SandboxState, bool]:
        """Start Asterisk; returns (state, started) — started is False if already running."""
        if self.system:
            return self._system_up(), False
        running = self.state()
        if running is not None:
            return running, False
        if self._process is not None:  # the one started before died (killed): reap it
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5)
            self._process = None
        self._check_ports()
        runtime = self.runtime()
        layout = runtime.layout(self.instance_dir)
        self._prepare_dirs(runtime)
        self._write_config(runtime)
        console = self.instance_dir / "log" / "console.log"
        malloc = runtime.allocator(self.config.asterisk.allocator)
        asterisk = [*malloc, "asterisk", "-f", "-U", "asterisk", "-G", "asterisk"]
        argv = runtime.command(
            [*asterisk, "-C", f"{layout.etc_dir}/asterisk.conf"], shared=[self.instance_dir]
        )
        with open(console, "ab") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        a = self.config.asterisk
        state = SandboxState(
            pid=proc.pid,
            kind=runtime.kind,
            root=str(getattr(runtime, "root", "/")),
            instance_dir=str(self.instance_dir),
            ami_port=a.ami_port,
            http_port=a.http_port,
            sip_port=a.sip_port,
        )
        self.state_path.write_text(json.dumps(dataclasses.asdict(state)))
        self._process = proc
        try:
            self._wait_ready(proc)
        except BaseException:
            self._stop_pid(proc.pid)
            self.state_path.unlink(missing_ok=True)
            raise
        log.info("sandbox up: %s", state.describe())
        return state, True

    def _write_config(self, runtime: Runtime) -> None:
        """Asterisk's files (and, for TLS without a certificate of the admin's, a lab's
        self-signed pair), readable by Asterisk's group only."""
        tls_files.ensure(self.config, runtime.uid, runtime.gid)
        layout = runtime.layout(self.instance_dir)
        files = render_all(template_values(self.config, self.secrets, layout))
        write_config(self.instance_dir / "etc", files, gid=runtime.gid)

    def _system_up(self) -> SandboxState:
        """A system Asterisk is not ours to start: say whether it answers."""
        a = self.config.asterisk
        if not system_asterisk.answering(self.config, self.secrets):
            raise SandboxError(
                f"asterisk.mode = system: no Asterisk answers on AMI {a.ami_port} and ARI"
                f" {a.http_port}. Render its configuration (callcenter asterisk config --out"
                f" {a.config_dir}) and start it (systemctl start asterisk)"
            )
        return SandboxState(0, "system", "/", a.config_dir, a.ami_port, a.http_port, a.sip_port)

    def _prepare_dirs(self, runtime: Runtime) -> None:
        """The instance's directories, Asterisk's to write."""
        # spool/recording: ARI's stored recordings (voicemail taken by the daemon); Asterisk
        # does not make it itself and fails the recording ("No such file or directory").
        kinds = ("recordings", "callbacks", "recording", "voicemail", "surveys")
        spools = [f"spool/{kind}" for kind in kinds]
        for d in ("lib", "lib/keys", "spool", *spools, "run", "log"):
            path = self.instance_dir / d
            path.mkdir(parents=True, exist_ok=True)
            chown_tree(path, runtime.uid, runtime.gid)
        # Asterisk makes each day's directory of recordings itself; the tree is not walked
        # (it may hold years of them).
        recordings = self.instance_dir / "recordings"
        recordings.mkdir(exist_ok=True)
        os.chown(recordings, runtime.uid, runtime.gid)
        os.chmod(self.instance_dir, 0o755)  # noqa: S103 (Asterisk traverses it)

    def _check_ports(self) -> None:
        a = self.config.asterisk
        checks = [
            ("127.0.0.1", a.ami_port, socket.SOCK_STREAM, "asterisk.ami_port"),
            ("127.0.0.1", a.http_port, socket.SOCK_STREAM, "asterisk.http_port"),
            (a.sip_bind, a.sip_port, socket.SOCK_DGRAM, "asterisk.sip_port"),
        ]
        for host, port, kind, key in checks:
            with socket.socket(socket.AF_INET, kind) as sock:
                # Like Asterisk itself: connections in TIME_WAIT do not make a port busy.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((host, port))
                except OSError as exc:
                    if exc.errno == errno.EADDRINUSE:
                        proto = "tcp" if kind == socket.SOCK_STREAM else "udp"
                        raise SandboxError(
                            f"port {port}/{proto} ({key}) is already in use; "
                            f"choose another with CALLCENTER_{key.upper().replace('.', '__')}"
                        ) from exc
                    raise

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.config.asterisk.start_timeout
        a, s = self.config.asterisk, self.secrets
        auth = base64.b64encode(f"{s.ari_user}:{s.ari_password}".encode()).decode()
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SandboxError(
                    f"Asterisk exited with code {proc.returncode} while starting:\n"
                    + self.log_tail()
                )
            if ami_banner(a.ami_port) and ari_ok(a.http_port, auth):
                return
            time.sleep(0.2)
        raise SandboxError(
            f"Asterisk did not answer on AMI {a.ami_port} and ARI {a.http_port} within "
            f"{a.start_timeout:.0f}s:\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 25) -> str:
        out: list[str] = []
        for name in ("messages.log", "console.log"):
            path = self.instance_dir / "log" / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out += [f"--- {path}", *tail]
        return "\n".join(out) or f"(no log in {self.instance_dir / 'log'})"

    def wait(self) -> int:
        """Wait for the Asterisk this object started to exit; its exit code."""
        if self._process is None:
            raise SandboxError("this process did not start the instance's Asterisk")
        return self._process.wait()

    # -- down -------------------------------------------------------------------------
    def down(self) -> SandboxState | None:
        """Stop the Asterisk this instance started; None if none was running."""
        state = self.state()
        if state is not None:
            self._stop_pid(state.pid)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.state_path.unlink(missing_ok=True)
        return state

    @staticmethod
    def _stop_pid(pid: int, timeout: float = 10.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not process_alive(pid):
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    def reload(self) -> bool:
        """Re-render the configuration and have a running Asterisk reload PJSIP and the
        queues: new agents can register, removed ones cannot; calls in progress stay up.
        Returns False when this instance's Asterisk is not running (nothing to reload)."""
        if self.system:
            system_asterisk.render(self.config, self.secrets, system_asterisk.owner())
            system_asterisk.reload(self.config, self.secrets)
            return True
        if self.state() is None:
            return False
        self._write_config(self.runtime())
        for command in ("module reload res_pjsip.so", "queue reload all"):
            result = subprocess.run(
                self.cli_command(command),
                capture_output=True,
                text=True,
                check=False,
                timeout=20,
                stdin=subprocess.DEVNULL,
            )
            if result.returncode != 0:
                raise SandboxError(f"asterisk -rx {command!r} failed: {result.stderr.strip()}")
        return True

    def cli_command(self, command: str | None) -> list[str]:
        """argv for ``asterisk -r`` (interactive) or ``-rx COMMAND`` against this instance."""
        runtime = self.runtime()
        conf = f"{runtime.layout(self.instance_dir).etc_dir}/asterisk.conf"
        argv = ["asterisk", "-C", conf] + (["-rx", command] if command else ["-r"])
        return runtime.command(argv, shared=[self.instance_dir])
