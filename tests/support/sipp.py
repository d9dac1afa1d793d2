"""Real SIP peers for tests: SIPp processes run where Asterisk runs.

Scenarios (:mod:`tests.support.sipp_scenarios`) are written per test into a directory
shared with the runtime (the sandbox bind-mounts it at the same path), so paths need no
translation.
"""

from __future__ import annotations

import dataclasses
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

from callcenter.asterisk.runtime import Runtime
from tests.support.ports import free_port, free_udp_range
from tests.support.sipp_scenarios import answer_scenario, caller_scenario, register_scenario

# Where test peers send from. Callers come from the trunk network (the default
# ``dialplan.trunk_networks``, the demo's carrier); agents' phones from another loopback
# address, as phones on a LAN would: requests from the trunk network are the trunk's.
TRUNK_IP = "127.0.0.2"
PHONE_IP = "127.0.0.1"
OUTSIDE_IP = "127.0.0.3"  # neither: an address on the internet, as far as Asterisk can tell


@dataclasses.dataclass
class SippRun:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def wait(self, timeout: float = 60.0) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(
                f"SIPp {self.name} did not finish in {timeout}s:\n" + self.output()
            ) from None

    def output(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        errors = self.log.with_suffix(".errors")
        if errors.exists():
            text += "\n--- errors\n" + errors.read_text(errors="replace")
        return text[-4000:]

    def assert_ok(self, timeout: float = 60.0) -> None:
        code = self.wait(timeout)
        assert code == 0, f"SIPp {self.name} exited {code}:\n{self.output()}"


@dataclasses.dataclass
class Sipp:
    """Starts SIPp processes against one Asterisk, with scenarios under ``work_dir``."""

    runtime: Runtime
    work_dir: Path
    sip_port: int
    counter: int = 0
    registered: dict[str, str] = dataclasses.field(default_factory=dict)
    sip_host: str = "127.0.0.1"  # where the Asterisk (or the cluster's front) listens

    def start(
        self,
        name: str,
        scenario: str,
        service: str = "",
        port: int | None = None,
        timeout: float = 60.0,
        load: Sequence[str] = ("-m", "1"),
        trace_messages: bool = True,
        local_ip: str = TRUNK_IP,
    ) -> SippRun:
        """Run ``scenario`` from ``local_ip``; ``load`` replaces the default one call (e.g.
        ``-r 10 -m 150``). Under load, ``trace_messages=False`` spares SIPp writing every
        SIP message."""
        self.counter += 1
        base = self.work_dir / f"{self.counter:03d}-{name}"
        xml = base.with_suffix(".xml")
        xml.write_text(scenario)
        log = base.with_suffix(".log")
        argv = [
            "sipp",
            "-sf",
            str(xml),
            f"{self.sip_host}:{self.sip_port}",
            "-i",
            local_ip,
            "-p",
            str(port or free_port()),
            "-mp",
            str(free_udp_range(4)),
            *load,
            "-nostdin",
            "-timeout",
            f"{int(timeout)}s",
            "-timeout_error",
            "-trace_err",
            "-error_file",
            str(base.with_suffix(".errors")),
        ]
        if trace_messages:
            argv += ["-trace_msg", "-message_file", str(base.with_suffix(".messages"))]
        if service:
            argv += ["-s", service]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                self.runtime.command(argv, shared=[self.work_dir]),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return SippRun(name, process, log)

    def call(self, service: str, caller: str, **kwargs: object) -> SippRun:
        """A call to ``service``: from the trunk network, or — with ``auth`` (an agent's
        credentials) — from the agents' phones, as an agent dials a feature code."""
        return self.start(
            f"call-{caller}",
            caller_scenario(caller, **kwargs),  # type: ignore[arg-type]
            service=service,
            local_ip=PHONE_IP if kwargs.get("auth") else TRUNK_IP,
        )

    def register_agent(self, user: str, password: str, expires: int = 300) -> int:
        """Register ``user`` from a fresh port for ``expires`` seconds (SIPp does not
        refresh it, as a phone would); returns the port its phone must answer on."""
        port = free_port(socket.SOCK_DGRAM)
        self.start(
            f"register-{user}",
            register_scenario(user, password, expires=expires),
            port=port,
            timeout=15,
            local_ip=PHONE_IP,
        ).assert_ok(20)
        self.registered[user] = password
        return port

    def unregister_all(self) -> None:
        """Remove the contacts this harness registered: a phone whose SIPp has exited must
        not stay registered, or app_queue would ring it in the next test."""
        for user, password in self.registered.items():
            self.start(
                f"unregister-{user}",
                register_scenario(user, password, expires=0),
                timeout=15,
                local_ip=PHONE_IP,
            ).wait(20)
        self.registered.clear()

    def agent_phone(
        self,
        user: str,
        password: str,
        talk_until_bye: float = 30.0,
        ring_for: float = 0.0,
        audio: str = "",
    ) -> SippRun:
        """A registered agent whose phone answers the next call (after ``ring_for`` s),
        saying ``audio`` (a pcap of RTP) if given."""
        port = self.register_agent(user, password)
        return self.start(
            f"agent-{user}",
            answer_scenario(talk_until_bye, ring_for, audio),
            port=port,
            timeout=talk_until_bye + ring_for + 30,
            local_ip=PHONE_IP,
        )
