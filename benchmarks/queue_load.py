"""20 answering agents and 40 callers into the support queue: through the daemon (IVR →
app_queue with members the daemon logged in, a screen pop to each agent's open desk) vs the
same load straight into a static queues.conf queue with the same parameters, no daemon.

Agents are SIPp phones that answer, talk 5 s and hang up; callers wait until an agent has
talked to them. Read off the SIP on loopback: the time from an agent hanging up (free
again, callers still waiting) to app_queue's next INVITE to that agent, and lost calls;
from the daemon's log: screen-pop latency after AgentCalled.

    .venv/bin/python -m benchmarks.queue_load [--agents 20 --callers 40 --rate 4]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import re
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

from benchmarks.capture import LoopbackCapture, Packet
from benchmarks.stats import keep_or_remove, ms, percentile
from callcenter.app import ticket_store
from callcenter.asterisk.confgen import write_config
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import NewCustomer, NewTicket, Role
from callcenter.store.db import make_engine, make_sessions
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_udp_range
from tests.support.sipp import PHONE_IP, Sipp, SippRun
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, busy_agent_scenario, caller_scenario
from tests.support.staff import link_token

log = logging.getLogger("benchmarks.queue")
TALK, RING = 5.0, 0.3
DIRECT = "7998"
POP = re.compile(r"screen pop to (\d+) \((\d+) page\(s\)\) ([0-9.]+) ms after AgentCalled")


def load_instance(state: Path, agents: list[str]) -> Instance:
    """A running Asterisk with ``agents`` and RTP ports for a thousand calls."""
    rtp = free_udp_range(2000)
    instance = Instance.create(
        state,
        CALLCENTER_DIALPLAN__AGENTS=",".join(agents),
        CALLCENTER_DAEMON__LOG_LEVEL="INFO",
        CALLCENTER_ASTERISK__RTP_START=str(rtp),
        CALLCENTER_ASTERISK__RTP_END=str(rtp + 1999),
    )
    instance.sandbox.up()
    return instance


def prepare(state: Path, agents: list[str]) -> tuple[Instance, DaemonProcess]:
    instance = load_instance(state, agents)
    etc = instance.sandbox.instance_dir / "etc"
    rendered = (etc / "dialplan" / "callcenter.conf").read_text()
    direct = (
        f"\n; benchmark baseline: straight into the queue, no daemon\n[from-trunk](+)\n"
        f"exten => {DIRECT},1,Answer()\n same => n,Queue(static,t)\n same => n,Hangup()\n"
    )
    # The baseline queue: support's parameters, every agent a static member.
    queues = (etc / "queues.conf").read_text()
    support = queues.split("[support]", 1)[1].split("\n[", 1)[0]
    static = "\n[static]" + support + "".join(f"member => PJSIP/{a}\n" for a in agents)
    files = {"dialplan/callcenter.conf": rendered + direct, "queues.conf": queues + static}
    write_config(etc, files, instance.runtime.gid)
    instance.asterisk_cli("dialplan reload")
    instance.asterisk_cli("module reload app_queue.so")
    return instance, DaemonProcess(instance, state / "daemon.log")


def load_args(description: str, agents: int, rate: float) -> argparse.Namespace:
    """The load benchmarks' options: agents, callers, their rate, --keep."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--agents", type=int, default=agents)
    parser.add_argument("--callers", type=int, default=40)
    parser.add_argument("--rate", type=float, default=rate, help="callers per second")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    return args


def load_setup(
    prefix: str, args: argparse.Namespace
) -> tuple[Path, Instance, DaemonProcess, Sipp, Path, list[str], list[str]]:
    """A prepared instance for ``args.agents`` agents (1001 on, the demo's operator first),
    SIPp on it, and the callers' file: (state, instance, daemon, sipp, callers file,
    agents, callers' numbers)."""
    agents = [str(1001 + n) for n in range(args.agents)]
    state = Path(tempfile.mkdtemp(prefix=prefix, dir="/var/tmp"))
    instance, daemon = prepare(state, agents)
    work = state / "sipp"
    work.mkdir()
    sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
    callers_csv = work / "callers.csv"
    return (
        state,
        instance,
        daemon,
        sipp,
        callers_csv,
        agents,
        callers_file(callers_csv, args.callers),
    )


def callers_file(path: Path, count: int) -> list[str]:
    numbers = [f"8916123{n:04d}" for n in range(1, count + 1)]
    path.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    return numbers


def known_callers(instance: Instance, numbers: list[str]) -> str:
    """Half the callers are customers with an open ticket (their pop carries history)."""
    engine = make_engine(instance.config.database_url)
    sessions = make_sessions(engine)
    store = ticket_store(instance.config, sessions)
    for n, number in enumerate(numbers[::2]):
        phone = ContactPoint(ContactKind.PHONE, "+7" + number[1:])
        customer = asyncio.run(store.create_customer(NewCustomer(f"Customer {n}", (phone,))))
        asyncio.run(store.create_ticket(NewTicket(f"Question {n}", customer.id)))
    token = link_token(sessions, Role.SUPERVISOR)  # the desks sign in as a supervisor
    engine.dispose()
    return token


class Desks:
    """The agents' desk pages, as websockets held open in a thread of their own."""

    def __init__(self, url: str, agents: list[str], token: str) -> None:
        self._stop = threading.Event()
        self.received = 0
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run(url, agents, token)))

    async def _run(self, url: str, agents: list[str], token: str) -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            (await http.get(f"{url}/signin/link/{token}")).raise_for_status()
            sockets = [await http.ws_connect(f"{url}/agents/{a}/ws") for a in agents]
            while not self._stop.is_set():
                for ws in sockets:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ws.receive(), 0.01)
                        self.received += 1
            for ws in sockets:
                await ws.close()

    def __enter__(self) -> Desks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_variant(
    instance: Instance,
    sipp: Sipp,
    capture: LoopbackCapture,
    agents: list[str],
    args: argparse.Namespace,
    through_daemon: bool,
    callers_csv: Path,
) -> dict[str, object]:
    phones: dict[int, str] = {}
    runs: list[SippRun] = []
    for agent in agents:
        port = sipp.register_agent(agent, instance.secrets.agent_passwords[agent])
        phones[port] = agent
        runs.append(
            sipp.start(
                f"agent-{agent}",
                busy_agent_scenario(TALK, RING),
                port=port,
                timeout=600,
                load=["-m", "50"],
                trace_messages=False,
                local_ip=PHONE_IP,
            )
        )
    time.sleep(1.0)
    capture.take()
    digits = DEMO_TO_SUPPORT if through_daemon else ()
    scenario = caller_scenario("[field0]", digits=digits, bye_timeout=180)
    stats = sipp.work_dir / f"callers-{'daemon' if through_daemon else 'direct'}.csv"
    started = time.time()
    callers = sipp.start(
        "callers",
        scenario,
        service=instance.config.dialplan.virtual_number if through_daemon else DIRECT,
        timeout=300,
        load=[
            "-r",
            f"{args.rate:g}",
            "-m",
            str(args.callers),
            "-l",
            str(args.callers),
            "-inf",
            str(callers_csv),
            "-trace_stat",
            "-stf",
            str(stats),
        ],
        trace_messages=False,
    )
    callers.wait(400)
    elapsed = time.time() - started
    for run in runs:
        run.process.kill()
        run.process.wait()
    packets = capture.take()
    free_to_ring = agent_free_to_ring(packets, instance.config.asterisk.sip_port, set(phones))
    lines = stats.read_text().splitlines()
    head, last = lines[0].split(";"), lines[-1].split(";")
    failed = int(last[head.index("FailedCall(C)")])
    ok = int(last[head.index("SuccessfulCall(C)")])
    return {"ok": ok, "failed": failed, "free_to_ring": free_to_ring, "seconds": elapsed}


def agent_free_to_ring(packets: list[Packet], sip_port: int, phones: set[int]) -> list[float]:
    """Per agent phone: agent's BYE (free again) → Asterisk's next INVITE to that phone."""
    events: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for p in packets:
        head = p.payload[:8].decode("latin-1")
        if p.src == sip_port and p.dst in phones and head.startswith("INVITE"):
            events[p.dst].append((p.at, "invite"))
        elif p.src in phones and p.dst == sip_port and head.startswith("BYE"):
            events[p.src].append((p.at, "free"))
    deltas = []
    for seq in events.values():
        seq.sort()
        free_at = None
        for at, kind in seq:
            if kind == "free":
                free_at = free_at or at  # a retransmitted BYE is the same moment
            elif free_at is not None:
                deltas.append(at - free_at)
                free_at = None
    return deltas


def pops(log_text: str) -> tuple[list[float], int]:
    found = POP.findall(log_text)
    return [float(m) / 1000 for _, _, m in found], sum(1 for _, pages, _ in found if pages == "0")


def main() -> None:
    args = load_args(__doc__.splitlines()[0], agents=20, rate=4.0)
    state, instance, daemon, sipp, callers_csv, agents, numbers = load_setup(
        "cc-bench-queue-", args
    )
    token = known_callers(instance, numbers)
    a = instance.config.asterisk
    results = {}
    try:
        with LoopbackCapture([range(a.sip_port, a.sip_port + 1)]) as capture:
            results["direct"] = run_variant(
                instance, sipp, capture, agents, args, False, callers_csv
            )
            daemon.start()
            with Desks(daemon.url, agents, token):
                results["daemon"] = run_variant(
                    instance, sipp, capture, agents, args, True, callers_csv
                )
    finally:
        daemon.stop()
        instance.sandbox.down()
    pop_latency, unseen = pops(daemon.log())
    print(
        f"{args.agents} agents (talk {TALK:g} s, ring {RING:g} s), "
        f"{args.callers} callers at {args.rate:g}/s"
    )
    print("variant  answered lost  agent free → next ring p50/p95/max ms   total s")
    for name, r in results.items():
        d = r["free_to_ring"]
        assert isinstance(d, list)
        print(
            f"{name:<8} {r['ok']:>8} {r['failed']:>4}  {ms(percentile(d, 50)):>8} "
            f"{ms(percentile(d, 95)):>8} {ms(max(d) if d else float('nan')):>8}"
            f"   {r['seconds']:>7.1f}"
        )
    print(
        f"screen pop after AgentCalled (daemon): p50 {ms(percentile(pop_latency, 50))} ms, "
        f"p95 {ms(percentile(pop_latency, 95))} ms, p99 {ms(percentile(pop_latency, 99))} ms "
        f"over {len(pop_latency)} pops ({unseen} reached no open page)"
    )
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
