"""A whole callcenter instance for tests: its own state dir, free ports, real Asterisk,
and the daemon as a real process (so it can be stopped, killed and restarted)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import struct
import subprocess
import sys
import urllib.error
import urllib.request
import wave
from pathlib import Path

from callcenter.app import prompts_dir
from callcenter.asterisk.prompts import add_prompt
from callcenter.asterisk.runtime import Runtime, jemalloc_library
from callcenter.asterisk.sandbox import Sandbox
from callcenter.config import Config, load_config
from callcenter.secrets import Secrets, load_or_create_secrets
from callcenter.store.migrate import upgrade
from tests.support.ports import free_port, free_udp_range
from tests.support.until import until

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "ivr_flows" / "main.yaml"
TEST_FLOWS = REPO / "tests" / "integration" / "flows"
ALL_WEEK = "\n".join(
    f'      {d}: ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


def write_test_flows(directory: Path) -> Path:
    """The test router, the shipped demo open all week (``demo``) and always closed
    (``afterhours``): the demo itself is what the tests walk."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in TEST_FLOWS.glob("*.yaml"):
        (directory / path.name).write_text(path.read_text())
    demo = DEMO.read_text()
    weekly = demo[demo.index("    weekly:\n") : demo.index("    holidays:")]
    (directory / "demo.yaml").write_text(
        demo.replace("name: main", "name: demo")
        .replace(weekly, f"    weekly:\n{ALL_WEEK}\n")
        .replace('holidays: ["2026-12-31", "2027-01-01", "2027-01-07"]', "holidays: []")
    )
    (directory / "afterhours.yaml").write_text(
        demo.replace("name: main", "name: afterhours").replace(weekly, "    weekly: {}\n")
    )
    return directory


def write_tone_pcm_wav(path: Path, seconds: float = 1.5, freq: float = 440.0) -> Path:
    """A 16-bit PCM tone at CD rate: what an admin would upload."""
    frames = b"".join(
        struct.pack("<h", int(9000 * math.sin(2 * math.pi * freq * n / 44100)))
        for n in range(int(44100 * seconds))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(frames)
    return path


SUPERVISOR = "1090"  # the test instances' supervisor phone (dialplan.supervisors)
NIGHT_TEAM = "night"


def instance_env(state_dir: Path, **overrides: str) -> dict[str, str]:
    flows = write_test_flows(state_dir / "flows")
    env = {
        "CALLCENTER_DAEMON__FLOWS_DIR": str(flows),
        "CALLCENTER_INSTANCE__STATE_DIR": str(state_dir),
        "CALLCENTER_ASTERISK__SIP_BIND": "127.0.0.1",
        "CALLCENTER_ASTERISK__SIP_PORT": str(free_port()),
        "CALLCENTER_ASTERISK__AMI_PORT": str(free_port()),
        "CALLCENTER_ASTERISK__HTTP_PORT": str(free_port()),
        "CALLCENTER_ASTERISK__RTP_START": str(base := free_udp_range(200)),
        "CALLCENTER_ASTERISK__RTP_END": str(base + 199),
        "CALLCENTER_DAEMON__HTTP_PORT": str(free_port()),
        # The flows' lookup endpoints: "orders" is served by a test's own HTTP server
        # (tests/support/lookups.py) on its port; nothing ever listens on "stock"'s.
        "CALLCENTER_LOOKUPS": json.dumps(
            [
                {
                    "name": "orders",
                    "url": f"http://127.0.0.1:{free_port()}/orders",
                    "timeout_ms": 2000,
                },
                {
                    "name": "stock",
                    "url": f"http://127.0.0.1:{free_port()}/stock",
                    "timeout_ms": 1000,
                },
            ]
        ),
        "CALLCENTER_LOOKUP_TOKEN_ORDERS": "orders-test-token",
        "CALLCENTER_DAEMON__LOG_LEVEL": "DEBUG",
        "CALLCENTER_DIALPLAN__QUEUES_FILE": str(TEST_FLOWS.parent / "queues.yaml"),
        "CALLCENTER_DIALPLAN__QUEUES": (
            "sales,support,billing,callbacks,messages,reports,surveys,flowsurvey"
        ),
        # Callbacks dial the "carrier" here: a SIPp customer phone listens on it when a test
        # needs one (Instance.customer_port).
        "CALLCENTER_CALLBACKS__TRUNK_CONTACT": f"127.0.0.2:{free_port()}",
        "CALLCENTER_CALLBACKS__RETRY_SECONDS": "3",
        "CALLCENTER_WEBHOOKS__RETRY_SECONDS": "1",
        "CALLCENTER_DIALPLAN__SUPERVISORS": SUPERVISOR,
        # Tests fail logins on purpose from loopback; only the ban tests ban (own instance).
        "CALLCENTER_SECURITY__NEVER_BAN": "127.0.0.0/8",
        # The team whose agents read their handoffs before taking calls; no agent is in it
        # unless a test puts one there (test_shift_handoff.py, which takes them out again).
        "CALLCENTER_HANDOFFS__READING_REQUIRED": NIGHT_TEAM,
        # Targets are checked every 2 s (the reports test waits on its alert).
        "CALLCENTER_REPORTS__ALERT_EVERY_SECONDS": "2",
        # The door stays open whatever the suite's load does to the loop, to Asterisk's
        # CPU or to how late calls are taken (test_admission closes it on purpose); the
        # ceilings stay as shipped.
        "CALLCENTER_ADMISSION__MAX_LOOP_LAG": "0",
        "CALLCENTER_ADMISSION__MAX_ASTERISK_CPU": "0",
        "CALLCENTER_ADMISSION__MAX_ENTRY_LAG": "0",
    }
    env.update(overrides)
    return env


@dataclasses.dataclass
class Instance:
    env: dict[str, str]
    config: Config
    secrets: Secrets
    sandbox: Sandbox
    runtime: Runtime

    @classmethod
    def create(cls, state_dir: Path, runtime: Runtime | None = None, **overrides: str) -> Instance:
        """``runtime``: where its SIP tools run when it is not the instance's own (a system
        Asterisk the test started)."""
        env = instance_env(state_dir, **overrides)
        config = load_config(None, environ=env)
        state_dir.mkdir(parents=True, exist_ok=True)
        upgrade(config.database_url)  # the schema exists before the daemon first runs
        tone = write_tone_pcm_wav(state_dir / "welcome-source.wav")
        add_prompt(prompts_dir(config), "welcome", tone, "en")
        secrets = load_or_create_secrets(config.state_dir, config.dialplan.phones)
        sandbox = Sandbox(config, secrets)
        return cls(env, config, secrets, sandbox, runtime or sandbox.runtime())

    @property
    def customer_port(self) -> int:
        """Where callbacks reach the customer (callbacks.trunk_contact, on 127.0.0.2)."""
        return int(self.config.callbacks.trunk_contact.rpartition(":")[2])

    def asterisk_cli(self, command: str) -> str:
        return subprocess.run(
            self.sandbox.cli_command(command),
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
        ).stdout


@dataclasses.dataclass
class DaemonProcess:
    """``callcenter run`` as a child process with the instance's environment."""

    instance: Instance
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        d = self.instance.config.daemon
        return f"http://{d.http_host}:{d.http_port}"

    def start(self, healthy: bool = True) -> None:
        """Start it and wait until ``/healthz`` answers: 200 (``healthy``), or at all (a
        test that starts it degraded, e.g. with a trunk not registered yet)."""
        if self.process is not None and self.process.poll() is None:
            return
        env = {**os.environ, **self.instance.env}
        library = jemalloc_library()
        if self.instance.config.daemon.allocator == "jemalloc" and library is not None:
            # Preloaded here, as a unit file could: the daemon then does not start itself
            # again on jemalloc (the command line's imports, 1.7 s, twice per start).
            env["LD_PRELOAD"] = str(library)
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "callcenter", "run"],
                env=env,
                cwd=self.instance.config.state_dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        until(
            lambda: self.health()[0] in ((200,) if healthy else (200, 503)),
            30,
            what=f"daemon {'healthy' if healthy else 'up'} ({self.log_path})",
        )

    def health(self) -> tuple[int, dict[str, str]]:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as resp:  # noqa: S310
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())
        except OSError:
            return 0, {}

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        if self.process is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(sig)
        code = self.process.wait(timeout)
        self.process = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
