"""Callbacks on the real sandbox: N callback requests (the API), SIPp agents who take the
placeholders and a SIPp "carrier" that answers every customer's phone — first with the
AMI link steady, then with it cut for 2 s every 10 s (a loopback proxy this benchmark
controls; panoramisk re-sends unanswered actions on reconnect).

Reported per phase: agent answers → customer's phone rings (the INVITE reaches the
carrier; it includes the "calling" the agent hears first) p50/p95, callbacks completed,
and **double dials**: customers whose phone rang more than once (target 0 of N).

    .venv/bin/python -m benchmarks.callback_load [--callbacks 40 --agents 8 --talk 3]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from benchmarks.stats import keep_or_remove, percentile
from benchmarks.tcp_proxy import TcpProxy
from callcenter.domain.tickets import Role
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port, free_udp_range
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp
from tests.support.sipp_scenarios import answer_scenario, busy_agent_scenario
from tests.support.until import until

log = logging.getLogger("benchmarks.callback_load")
# SIPp -trace_msg: "----------- 2026-12-02T05:25:57.693321Z" before each message.
_STAMP = re.compile(r"^-{5,}\s+(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}\.\d+)Z?", re.M)


def messages(path: Path) -> list[tuple[float, str]]:
    """(epoch, message text) of a SIPp ``-trace_msg`` file."""
    text = path.read_text(errors="replace")
    marks = list(_STAMP.finditer(text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        at = datetime.fromisoformat(f"{m[1]}T{m[2]}+00:00").timestamp()
        out.append((at, text[m.end() : end]))
    return out


def agent_answers(path: Path) -> dict[str, list[float]]:
    """Customer number → when an agent sent 200 OK to that placeholder's INVITE."""
    found: dict[str, list[float]] = {}
    caller = ""
    for at, body in messages(path):
        invite = re.search(r"^INVITE sip:.*?^From: [^<]*<sip:\+?(\d+)@", body, re.M | re.S)
        if invite:
            caller = invite[1]
        elif re.search(r"^SIP/2.0 200 OK", body, re.M) and "INVITE" in body and caller:
            found.setdefault(caller, []).append(at)
            caller = ""
    return found


def customer_rings(path: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for at, body in messages(path):
        invite = re.search(r"^INVITE sip:\+?(\d+)@", body, re.M)
        if invite:
            found.setdefault(invite[1], []).append(at)
    return found


def run(state: Path, callbacks: int, agents: int, talk: float) -> str:
    phones = [str(1001 + n) for n in range(agents)]
    carrier = free_port()
    rtp = free_udp_range(1000)
    instance = Instance.create(
        state,
        CALLCENTER_DIALPLAN__AGENTS=",".join(phones),
        CALLCENTER_DAEMON__LOG_LEVEL="INFO",
        CALLCENTER_ASTERISK__RTP_START=str(rtp),
        CALLCENTER_ASTERISK__RTP_END=str(rtp + 999),
        CALLCENTER_CALLBACKS__TRUNK_CONTACT=f"127.0.0.2:{carrier}",
    )
    instance.sandbox.up()
    ami_proxy = free_port()
    instance.env["CALLCENTER_DAEMON__AMI_PORT"] = str(ami_proxy)
    daemon = DaemonProcess(instance, state / "daemon.log")
    lines = []
    try:
        with TcpProxy(ami_proxy, instance.config.asterisk.ami_port) as proxy:
            daemon.start()
            token = api_token(instance, Role.INTEGRATION)
            lead = api_token(instance, Role.SUPERVISOR)
            work = state / "sipp"
            work.mkdir(exist_ok=True)
            sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
            for phase, cuts in (("AMI steady", False), ("AMI cut 2 s every 10 s", True)):
                lines.append(
                    phase_run(
                        instance,
                        daemon,
                        sipp,
                        proxy,
                        phones,
                        callbacks,
                        talk,
                        carrier,
                        token,
                        lead,
                        phase,
                        cuts,
                    )
                )
                instance.asterisk_cli("channel request hangup all")
                sipp.unregister_all()
    finally:
        daemon.stop()
        instance.sandbox.down()
    head = (
        f"callback load: {callbacks} callbacks per phase, {agents} SIPp agents talking"
        f" {talk:g} s, a SIPp carrier answering every customer"
    )
    cols = f"{'phase':<24} {'completed':>9} {'double dials':>12} {'ring p50':>9} {'ring p95':>9}"
    return "\n".join(
        [
            head,
            cols,
            *lines,
            "ring: agent's 200 OK → the customer's INVITE at the carrier (includes"
            ' the "calling" the agent hears).',
        ]
    )


def phase_run(
    instance: Instance,
    daemon: DaemonProcess,
    sipp: Sipp,
    proxy: TcpProxy,
    phones: list[str],
    callbacks: int,
    talk: float,
    carrier: int,
    token: str,
    lead: str,
    phase: str,
    cuts: bool,
) -> str:
    base = int(time.time()) % 10_000_000
    numbers = [f"7916{(base + n) % 10_000_000:07d}" for n in range(callbacks)]
    customer = sipp.start(
        "carrier",
        answer_scenario(talk_until_bye=talk * 4 + 30, ring_for=0.3),
        port=carrier,
        local_ip=TRUNK_IP,
        load=("-m", str(callbacks * 2)),
        timeout=callbacks * talk + 600,
    )
    agent_runs = []
    per_agent = callbacks  # each may take any of them
    for phone in phones:
        port = sipp.register_agent(phone, instance.secrets.agent_passwords[phone], 3600)
        agent_runs.append(
            sipp.start(
                f"agent-{phone}",
                busy_agent_scenario(talk, 0.2),
                port=port,
                local_ip=PHONE_IP,
                load=("-m", str(per_agent)),
                timeout=callbacks * talk + 600,
            )
        )
    stop = threading.Event()
    cutter = threading.Thread(target=_cut_every, args=(proxy, stop), daemon=True)
    if cuts:
        cutter.start()
    ids = []
    for number in numbers:
        for _ in range(20):  # the API waits for nothing but the store; AMI may be cut
            with contextlib.suppress(Exception):
                ids.append(
                    api_call(
                        daemon,
                        token,
                        "POST",
                        "/callbacks",
                        {"queue": "support", "number": f"+{number}"},
                    )["id"]
                )
                break
            time.sleep(0.5)

    def settled() -> bool:
        states = [api_call(daemon, lead, "GET", f"/callbacks/{i}")["state"] for i in ids]
        return all(s in ("completed", "failed", "cancelled") for s in states)

    until(settled, callbacks * talk / max(1, len(phones)) * 4 + 240, what=f"{phase}: settled")
    stop.set()
    completed = sum(
        api_call(daemon, lead, "GET", f"/callbacks/{i}")["state"] == "completed" for i in ids
    )
    for run_ in agent_runs:
        run_.process.terminate()
    customer.process.terminate()
    time.sleep(1)
    answers: dict[str, list[float]] = {}
    for run_ in agent_runs:
        for number, times in agent_answers(run_.log.with_suffix(".messages")).items():
            answers.setdefault(number, []).extend(times)
    rings = customer_rings(customer.log.with_suffix(".messages"))
    doubles = sum(1 for n in numbers if len(rings.get(n, [])) > 1)
    delays = [
        min(r for r in rings[n] if r >= a) - a
        for n in numbers
        if n in rings and n in answers
        for a in answers[n][:1]
        if any(r >= a for r in rings[n])
    ]
    rang = Counter(len(rings.get(n, [])) for n in numbers)
    log.info("%s: rings per customer %s", phase, dict(rang))
    return (
        f"{phase:<24} {completed:>5}/{callbacks:<3} {doubles:>8}/{callbacks:<3}"
        f" {percentile(delays, 50) * 1000:>6.0f} ms {percentile(delays, 95) * 1000:>6.0f} ms"
    )


def _cut_every(proxy: TcpProxy, stop: threading.Event) -> None:
    while not stop.wait(8.0):
        proxy.cut(2.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callbacks", type=int, default=40)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--talk", type=float, default=3.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    state = Path(tempfile.mkdtemp(prefix="cc-bench-callbacks-", dir="/var/tmp"))
    print(run(state, args.callbacks, args.agents, args.talk))
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
