"""Soak with faults: callers through the IVR into the support queue, answered by SIPp
agents, for a long while — and meanwhile the AMI and ARI links cut for 10 s (through
loopback proxies this benchmark controls), the daemon killed with -9 and restarted,
Asterisk restarted, PostgreSQL restarted.

Reported: daemon and Asterisk memory over time (drawn; slope per hour between restarts),
calls answered and lost (SIPp), calls missing from the record or recorded twice (the
store), event-loop lag p99, and per fault the calls lost around it and the seconds until
``/healthz`` is green again.

    .venv/bin/python -m benchmarks.soak [--minutes 30 --rate 4 --agents 24]
        [--faults ami_cut,ari_cut,daemon_kill,asterisk_restart,postgres_restart]
        [--sqlite]   # default: PostgreSQL (needed for postgres_restart)
        [--no-recordings]   # the same load with no call recorded (to compare)
        [--allocator glibc]  # Asterisk on glibc's malloc, as before jemalloc (to compare)

A short version runs in the suite (tests/integration/test_soak.py).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import text

from benchmarks.asterisk_state import LEFT, heap_kept, snapshot
from benchmarks.daemon_metrics import scrape
from benchmarks.sipp_errors import Lost, lost_calls
from benchmarks.soak_report import report
from benchmarks.stats import keep_or_remove
from benchmarks.tcp_proxy import TcpProxy
from callcenter.store.db import make_engine
from tests.support.databases import postgres_database
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port, free_udp_range
from tests.support.sipp import PHONE_IP, Sipp, SippRun
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, busy_agent_scenario, caller_scenario

log = logging.getLogger("benchmarks.soak")
FAULTS = ("ami_cut", "ari_cut", "daemon_kill", "asterisk_restart", "postgres_restart")
CUT_SECONDS = 10.0


@dataclasses.dataclass
class Fault:
    name: str
    at: float  # seconds into the run
    recovered_after: float | None = None  # seconds until /healthz was 200 again
    failed_calls: int = 0  # SIPp failures in the periods it is blamed for


@dataclasses.dataclass
class Soak:
    seconds: float
    offered: int = 0
    answered: int = 0
    failed: int = 0
    recorded: int = 0  # distinct callers in the call log
    missing: int = 0  # ended calls without their interaction on a ticket
    unrecorded: int = 0  # answered calls the daemon never recorded
    duplicated: int = 0  # callers with more than one call interaction (each calls once)
    faults: list[Fault] = dataclasses.field(default_factory=list)
    daemon_rss: list[tuple[float, float]] = dataclasses.field(default_factory=list)
    asterisk_rss: list[tuple[float, float]] = dataclasses.field(default_factory=list)
    lag_p99: list[float] = dataclasses.field(default_factory=list)  # ms, one per sample
    ami_bytes: float = 0.0  # received by the daemon's last run (since its last start)
    ari_bytes: float = 0.0
    # Asterisk's console over the run (every minute) and what it held at the end
    states: list[tuple[float, dict[str, int]]] = dataclasses.field(default_factory=list)
    left: dict[str, int] = dataclasses.field(default_factory=dict)
    trimmed: tuple[float, float] | None = None  # Asterisk's RSS before/after malloc_trim
    # The daemon's heap every minute (its /metrics): MB in use, free but kept, mmapped,
    # trimmed so far, and CPython's allocated blocks
    daemon_heap: list[tuple[float, dict[str, float]]] = dataclasses.field(default_factory=list)
    # Every call SIPp gave up, seconds into the run (from its error file)
    lost: list[tuple[float, Lost]] = dataclasses.field(default_factory=list)


def rss_mb(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def health(daemon: DaemonProcess) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"{daemon.url}/healthz", timeout=2) as resp:  # noqa: S310
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}


def wait_green(daemon: DaemonProcess, since: float, limit: float = 120.0) -> float | None:
    """Seconds from ``since`` (monotonic) until /healthz answers 200; None past ``limit``."""
    while time.monotonic() - since < limit:
        if health(daemon)[0] == 200:
            return time.monotonic() - since
        time.sleep(0.2)
    return None


class Rig:
    """One instance with its daemon behind AMI/ARI proxies, agents answering."""

    def __init__(
        self,
        state: Path,
        agents: int,
        url: str,
        filters: bool = True,
        rec: bool = True,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.agents = [str(1001 + n) for n in range(agents)]  # the demo transfers to 1001
        rtp = free_udp_range(4000)
        self.ami_port, self.ari_port = free_port(), free_port()
        overrides = {
            "CALLCENTER_DIALPLAN__AGENTS": ",".join(self.agents),
            "CALLCENTER_DAEMON__LOG_LEVEL": "INFO",
            "CALLCENTER_DAEMON__AMI_PORT": str(self.ami_port),
            "CALLCENTER_DAEMON__ARI_PORT": str(self.ari_port),
            "CALLCENTER_ASTERISK__RTP_START": str(rtp),
            "CALLCENTER_ASTERISK__RTP_END": str(rtp + 3999),
            "CALLCENTER_ASTERISK__EVENT_FILTERS": str(filters).lower(),
            "CALLCENTER_RECORDINGS__ENABLED": str(rec).lower(),
        }
        if url:
            overrides["CALLCENTER_DATABASE__URL"] = url
        overrides.update(extra or {})
        self.instance = Instance.create(state, **overrides)
        self.daemon = DaemonProcess(self.instance, state / "daemon.log")
        self.state = state
        self.phones: list[SippRun] = []  # the agents' SIPp, stopped with the rig

    @contextlib.contextmanager
    def running(self) -> Iterator[Rig]:
        a = self.instance.config.asterisk
        # Stopped with a signal, the benchmark still stops its Asterisk and daemon (they run
        # in sessions of their own: left running, they would load every later measurement).
        # A daemon that never gets healthy still takes its Asterisk down with it.
        before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            self.instance.sandbox.up()
            with (
                TcpProxy(self.ami_port, a.ami_port) as self.ami_proxy,
                TcpProxy(self.ari_port, a.http_port) as self.ari_proxy,
            ):
                try:
                    self.daemon.start()
                    yield self
                finally:
                    self.daemon.stop()
        finally:
            for run in self.phones:
                run.process.kill()
                run.process.wait()
            self.instance.sandbox.down()
            signal.signal(signal.SIGTERM, before)

    def asterisk_pid(self) -> int | None:
        state = self.instance.sandbox.state()
        return state.pid if state else None

    def daemon_pid(self) -> int | None:
        return self.daemon.process.pid if self.daemon.process else None

    def fault(self, name: str, postgres: bool) -> float:
        """Do fault ``name``; returns the monotonic time it began."""
        began = time.monotonic()
        log.info("fault: %s", name)
        if name == "ami_cut":
            self.ami_proxy.cut(CUT_SECONDS)
        elif name == "ari_cut":
            self.ari_proxy.cut(CUT_SECONDS)
        elif name == "daemon_kill":
            self.daemon.stop(signal.SIGKILL)
            self.daemon.start()  # returns once healthy
        elif name == "asterisk_restart":
            self.instance.sandbox.down()
            self.instance.sandbox.up()
        elif name == "postgres_restart":
            if not postgres:
                raise ValueError("postgres_restart needs the PostgreSQL store (drop --sqlite)")
            cluster = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
            subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
                check=True,
                capture_output=True,
                timeout=120,
            )
        else:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        return began


def soak(
    state: Path,
    minutes: float,
    rate: float,
    agents: int,
    faults: Sequence[str],
    database_url: str,
    talk: float = 4.0,
    event_filters: bool = True,
    recordings: bool = True,
    trim: bool = False,
    allocator: str = "jemalloc",
    daemon: dict[str, str] | None = None,
) -> Soak:
    extra = {"CALLCENTER_ASTERISK__ALLOCATOR": allocator, **(daemon or {})}
    rig = Rig(state, agents, database_url, event_filters, recordings, extra)
    seconds = minutes * 60
    result = Soak(seconds)
    calls = max(1, round(rate * seconds))
    numbers = [f"7495{n:07d}" for n in range(1, calls + 1)]
    work = state / "sipp"  # shared with the sandbox: SIPp reads its files there
    work.mkdir(exist_ok=True)
    csv = work / "callers.csv"
    csv.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    with rig.running():
        sipp = Sipp(rig.instance.runtime, work, rig.instance.config.asterisk.sip_port)
        phones = start_agents(rig, sipp, talk, calls)
        stats = work / "callers-stats.csv"
        started, started_wall = time.monotonic(), time.time()
        callers = sipp.start(
            "callers",
            caller_scenario("[field0]", digits=DEMO_TO_SUPPORT, bye_timeout=120),
            service=rig.instance.config.dialplan.virtual_number,
            timeout=seconds + 300,
            load=[
                "-r",
                f"{rate:g}",
                "-m",
                str(calls),
                "-l",
                str(calls),
                "-inf",
                str(csv),
                "-trace_stat",
                "-stf",
                str(stats),
                "-fd",
                "5",
            ],
            trace_messages=False,
        )
        stop = threading.Event()
        sampler = threading.Thread(target=sample, args=(rig, result, started, stop), daemon=True)
        sampler.start()
        schedule = {name: seconds * (n + 1) / (len(faults) + 1) for n, name in enumerate(faults)}
        for name, at in sorted(schedule.items(), key=lambda kv: kv[1]):
            time.sleep(max(0.0, started + at - time.monotonic()))
            began = rig.fault(name, bool(database_url))
            fault = Fault(name, began - started)
            if name.endswith("_cut"):
                time.sleep(1.0)  # let /healthz see the cut before waiting for green
            fault.recovered_after = wait_green(rig.daemon, began)
            result.faults.append(fault)
        code = callers.wait(seconds + 300)
        stop.set()
        samples = scrape(rig.daemon.url)
        result.ami_bytes = samples.get(("callcenter_ami_received_bytes_total", ()), 0.0)
        result.ari_bytes = samples.get(("callcenter_ari_received_bytes_total", ()), 0.0)
        sampler.join(10)
        for run in phones:
            run.process.kill()
            run.process.wait()
        periods = read_periods(stats)
        result.offered, result.answered, result.failed = calls, *totals(stats)
        if result.answered + result.failed == 0:
            raise RuntimeError(
                f"the callers' SIPp placed no call (exit {code}):\n{callers.output()}"
            )
        blame(result, periods)
        errors = callers.log.with_suffix(".errors")
        result.lost = [(x.epoch - started_wall, x) for x in lost_calls(errors)]
        time.sleep(2.0)
        check_records(rig, result, numbers)
        result.left = left_behind(rig)
        pid = rig.asterisk_pid()
        if trim and pid:
            result.trimmed = heap_kept(pid)
    return result


def left_behind(rig: Rig, limit: float = 120.0) -> dict[str, int]:
    """What Asterisk still holds once the last call ended and the recordings were swept
    (given up to ``limit`` seconds to settle)."""
    end = time.monotonic() + limit
    while True:
        now = snapshot(rig.instance)
        if not any(now[k] for k in LEFT) or time.monotonic() > end:
            return now
        time.sleep(5.0)


def start_agents(rig: Rig, sipp: Sipp, talk: float, calls: int) -> list[SippRun]:
    runs = rig.phones
    for agent in rig.agents:
        # For the whole run (SIPp never refreshes a registration; 7200 s is PJSIP's cap).
        port = sipp.register_agent(agent, rig.instance.secrets.agent_passwords[agent], 7200)
        runs.append(
            sipp.start(
                f"agent-{agent}",
                busy_agent_scenario(talk, 0.3),
                port=port,
                timeout=36000,
                load=["-m", str(calls)],
                trace_messages=False,
                local_ip=PHONE_IP,
            )
        )
    return runs


def sample(rig: Rig, result: Soak, started: float, stop: threading.Event) -> None:
    while not stop.wait(5.0):
        t = time.monotonic() - started
        for series, pid in (
            (result.daemon_rss, rig.daemon_pid()),
            (result.asterisk_rss, rig.asterisk_pid()),
        ):
            mb = rss_mb(pid)
            if mb is not None:
                series.append((t, mb))
        if not result.states or t - result.states[-1][0] >= 60:
            with contextlib.suppress(Exception):  # Asterisk restarting: the next minute
                result.states.append((t, snapshot(rig.instance)))
            with contextlib.suppress(OSError):  # the daemon restarting: the next minute
                result.daemon_heap.append((t, daemon_heap(rig)))
        status, body = health(rig.daemon)
        lag = body.get("loop_lag_ms") if status else None
        if isinstance(lag, dict) and "p99" in lag:
            result.lag_p99.append(float(lag["p99"]))


def daemon_heap(rig: Rig) -> dict[str, float]:
    samples = scrape(rig.daemon.url)
    mb = {
        dict(labels)["kind"]: v / 1e6
        for (name, labels), v in samples.items()
        if name == "callcenter_heap_bytes"
    }
    mb["trimmed"] = samples.get(("callcenter_heap_trimmed_bytes_total", ()), 0.0) / 1e6
    mb["python_blocks"] = samples.get(("callcenter_python_allocated_blocks", ()), math.nan)
    return mb


def read_periods(stats: Path) -> list[tuple[float, int]]:
    """(seconds since the first row, failed calls in that period) from SIPp's -trace_stat."""
    lines = stats.read_text().splitlines() if stats.exists() else []
    if len(lines) < 2:
        return []
    head = lines[0].split(";")
    at, failed = head.index("ElapsedTime(C)"), head.index("FailedCall(P)")
    out = []
    for line in lines[1:]:
        cells = line.split(";")
        h, m, s = cells[at].split(":")[:3]  # HH:MM:SS:microseconds
        out.append((int(h) * 3600 + int(m) * 60 + float(s), int(cells[failed])))
    return out


def totals(stats: Path) -> tuple[int, int]:
    lines = stats.read_text().splitlines() if stats.exists() else []
    if len(lines) < 2:
        return 0, 0
    head, last = lines[0].split(";"), lines[-1].split(";")
    return int(last[head.index("SuccessfulCall(C)")]), int(last[head.index("FailedCall(C)")])


def blame(result: Soak, periods: list[tuple[float, int]]) -> None:
    """A period's failures go to the latest fault begun at most 150 s before it ends
    (a call cut by a fault fails when its BYE wait runs out, up to 120 s later)."""
    for end, failed in periods:
        if not failed:
            continue
        before = [f for f in result.faults if f.at <= end <= f.at + 150]
        if before:
            before[-1].failed_calls += failed


def check_records(rig: Rig, result: Soak, numbers: list[str]) -> None:
    engine = make_engine(rig.instance.config.database_url)
    try:
        with engine.connect() as conn:
            callers = dict(
                conn.execute(text("SELECT caller, COUNT(*) FROM calls GROUP BY caller")).all()
            )
            missing = conn.execute(
                text(
                    "SELECT COUNT(*) FROM calls c WHERE c.state = 'ended' AND NOT EXISTS "
                    "(SELECT 1 FROM interactions i WHERE i.source = 'asterisk' "
                    "AND i.source_id = c.call_id)"
                )
            ).scalar_one()
            per_caller = conn.execute(
                text(
                    "SELECT c.caller, COUNT(*) FROM interactions i JOIN calls c "
                    "ON i.source = 'asterisk' AND i.source_id = c.call_id GROUP BY c.caller"
                )
            ).all()
    finally:
        engine.dispose()
    ours = set(numbers)
    result.recorded = sum(1 for caller in callers if caller in ours)
    result.missing = int(missing)
    result.duplicated = sum(1 for caller, n in per_caller if caller in ours and n > 1)
    result.unrecorded = max(0, result.answered - result.recorded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=4.0, help="callers per second")
    parser.add_argument("--agents", type=int, default=24)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--no-event-filters", action="store_true", help="AMI/ARI send all")
    parser.add_argument("--no-recordings", action="store_true", help="calls not recorded")
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    parser.add_argument("--malloc-arena-max", type=int, default=0, help="glibc's, for Asterisk")
    parser.add_argument("--allocator", default="jemalloc", help="Asterisk's: jemalloc or glibc")
    parser.add_argument("--malloc-arenas", type=int, help="the daemon's (daemon.malloc_arenas)")
    parser.add_argument("--heap-trim-seconds", type=float, help="the daemon's (0: never)")
    args = parser.parse_args()
    daemon = {
        f"CALLCENTER_DAEMON__{key.upper()}": str(value)
        for key, value in (
            ("malloc_arenas", args.malloc_arenas),
            ("heap_trim_seconds", args.heap_trim_seconds),
        )
        if value is not None
    }
    if args.malloc_arena_max:
        os.environ["MALLOC_ARENA_MAX"] = str(args.malloc_arena_max)  # inherited by Asterisk
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    faults = [f for f in args.faults.split(",") if f]
    state = Path(tempfile.mkdtemp(prefix="cc-bench-soak-", dir="/var/tmp"))
    with contextlib.ExitStack() as stack:
        url = "" if args.sqlite else stack.enter_context(postgres_database("cc_soak"))
        result = soak(
            state,
            args.minutes,
            args.rate,
            args.agents,
            faults,
            url,
            event_filters=not args.no_event_filters,
            recordings=not args.no_recordings,
            trim=True,
            allocator=args.allocator,
            daemon=daemon,
        )
    print(report(result))
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
