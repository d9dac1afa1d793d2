"""The cluster's SIP front (Kamailio from the sandbox root, configured by
``callcenter.asterisk.kamailio``) under load, against the same calls without it, in one
run. Two SIPp "nodes" answer (so the front is what is measured, not Asterisk); SIPp
callers record-route through the front as carriers do.

Reported:
* calls per second through the front with no failed call (each rate 10 s of calls, each
  call 1 s long), and the front's CPU per call (all its processes, /proc);
* the setup delay it adds: INVITE → 200 at the caller, p50/p99, direct to a node and
  through the front (same rate, same run), and the difference;
* failover: the home node killed with -9 under 10 calls/s — seconds until the front
  marked it down (its log, against the kill) and new calls failed meanwhile (target 0).

    .venv/bin/python -m benchmarks.front_load [--rates 100,200,300,400]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import tempfile
import time
from pathlib import Path

from benchmarks.callback_load import messages
from benchmarks.stats import ms, percentile
from callcenter.app.front import prepare_front
from callcenter.asterisk.sandbox import Sandbox
from callcenter.config import load_config
from callcenter.secrets import load_or_create_secrets
from callcenter.store.migrate import upgrade
from tests.support.databases import postgres_database
from tests.support.ports import free_port
from tests.support.sipp import TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import caller_scenario

NUMBER = "7000"
# A node that answers every call, and every probe of the front (its OPTIONS).
_NODE = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="node">
  <recv request="OPTIONS" optional="true" next="probe"/>
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_Record-Route:]
[last_From:]
[last_To:];tag=[pid]node[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port]>
Content-Length: 0
]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send next="end"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <label id="probe"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]probe[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <label id="end"/>
</scenario>
"""


def cpu_seconds(name: str = "kamailio") -> float:
    """utime + stime of every process called ``name`` (its children included)."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if f"({name})" not in stat:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def setup_delays(run: SippRun) -> list[float]:
    """INVITE sent → 200 received, per call, from the caller's message trace."""
    sent: dict[str, float] = {}
    delays = []
    for at, text in messages(run.log.with_suffix(".messages")):
        call = re.search(r"^Call-ID:\s*(\S+)", text, re.M | re.I)
        if call is None:
            continue
        first = "sent" in text.lstrip().split("\n", 1)[0]
        if first and re.search(r"^INVITE sip:", text, re.M):
            sent.setdefault(call[1], at)
        elif (
            not first
            and re.search(r"^SIP/2.0 200", text, re.M)
            and re.search(r"^CSeq:\s*1 INVITE", text, re.M | re.I)
            and call[1] in sent
        ):
            delays.append(at - sent.pop(call[1]))
    return delays


class Bench:
    def __init__(self, work: Path, url: str) -> None:
        """``url``: the cluster's PostgreSQL (the front's registrar lives there)."""
        upgrade(url)
        env = {
            "CALLCENTER_INSTANCE__STATE_DIR": str(work / "state"),
            "CALLCENTER_DATABASE__URL": url,
        }
        config = load_config(None, environ=env)
        self.runtime = Sandbox(
            config, load_or_create_secrets(config.state_dir, config.dialplan.phones)
        ).runtime()
        self.work = work
        self.node_ports = {"a": free_port(), "b": free_port()}
        self.front_port = free_port()
        env |= {
            "CALLCENTER_CLUSTER__NODES": ",".join(
                f"{n}=127.0.0.1:{p}" for n, p in self.node_ports.items()
            ),
            "CALLCENTER_CLUSTER__PARTITIONS": f"{NUMBER}=a/b",
            "CALLCENTER_CLUSTER__FRONT_PORT": str(self.front_port),
        }
        self.front = prepare_front(load_config(None, environ=env), self.runtime, {})
        (work / "sipp").mkdir()
        self.sipp = Sipp(self.runtime, work / "sipp", self.front_port, sip_host=TRUNK_IP)
        self.nodes: dict[str, SippRun] = {}

    def start_nodes(self, seconds: float) -> None:
        for node, port in self.node_ports.items():
            self.nodes[node] = self.sipp.start(
                f"node-{node}",
                _NODE,
                port=port,
                local_ip="127.0.0.1",
                load=("-m", "100000"),
                timeout=seconds,
                trace_messages=False,
            )
        time.sleep(0.5)

    def callers(
        self, name: str, rate: int, count: int, direct: bool = False, trace: bool = False
    ) -> SippRun:
        harness = self.sipp
        if direct:  # straight to node a, as without a front
            harness = Sipp(self.runtime, self.work / "sipp", self.node_ports["a"])
            harness.counter = 1000 + self.sipp.counter
        return harness.start(
            name,
            caller_scenario("79990001234", hangup_after=1, bye_timeout=5, routed=not direct),
            service=NUMBER,
            local_ip=TRUNK_IP,
            load=("-r", str(rate), "-m", str(count), "-l", str(rate * 3)),
            timeout=count / rate + 30,
            trace_messages=trace,
        )


def failed_calls(run: SippRun) -> int:
    text = run.log.read_text(errors="replace") if run.log.exists() else ""
    found = re.findall(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", text)
    return int(found[-1]) if found else -1


def report(name: str, delays: list[float]) -> float:
    p50, p99 = percentile(delays, 50), percentile(delays, 99)
    print(f"  {name:<14} calls {len(delays):>4}  p50 {ms(p50):>6} ms  p99 {ms(p99):>6} ms")
    return p50


def throughput(bench: Bench, rates: list[int], seconds: int) -> None:
    print(f"calls per second through the front ({seconds} s of 1 s calls each)")
    print(f"{'cps':>5} {'calls':>6} {'failed':>6} {'front CPU ms/call':>18}")
    for rate in rates:
        count = rate * seconds
        before = cpu_seconds()
        run = bench.callers(f"load-{rate}", rate, count)
        run.wait(count / rate + 40)
        used = cpu_seconds() - before
        print(f"{rate:>5} {count:>6} {failed_calls(run):>6} {used / count * 1000:>18.2f}")


def setup_delay(bench: Bench) -> None:
    print("\nsetup delay (INVITE -> 200 at the caller), 20 cps x 400 calls each, same run")
    runs = {}
    for name, direct in (("direct to node", True), ("through front", False)):
        run = bench.callers(name.replace(" ", "-"), 20, 400, direct=direct, trace=True)
        run.wait(60)
        runs[name] = setup_delays(run)
    base = report("direct to node", runs["direct to node"])
    front = report("through front", runs["through front"])
    print(f"  the front adds {ms(front - base)} ms at p50")


def failover(bench: Bench) -> None:
    print("\nfailover: node a (home) killed with -9 under 10 cps x 150 calls")
    run = bench.callers("failover", 10, 150, trace=True)
    time.sleep(5)
    killed = time.time()
    os.kill(bench.nodes["a"].process.pid, signal.SIGKILL)
    run.wait(60)
    log = (bench.front.dir / "log" / "kamailio.log").read_text(errors="replace")
    port = bench.node_ports["a"]
    down = re.search(rf"node down: sip:127\.0\.0\.1:{port} at (\d+\.\d+)", log)
    detect = f"{float(down[1]) - killed:.2f} s" if down else "not detected"
    answered = len(setup_delays(run))  # calls whose INVITE got its 200, from any node
    failed = failed_calls(run)
    print(
        f"  marked down after {detect}; new calls not answered: {150 - answered} of 150"
        f" (target 0); calls in progress on a, lost with it: {failed - (150 - answered)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="100,200,300,400")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="front-bench-") as tmp, postgres_database() as url:
        bench = Bench(Path(tmp), url)
        bench.start_nodes(seconds=900)
        bench.front.up()
        try:
            throughput(bench, [int(r) for r in args.rates.split(",")], args.seconds)
            setup_delay(bench)
            failover(bench)
        finally:
            bench.front.down()
            for run in bench.nodes.values():
                with contextlib.suppress(ProcessLookupError):
                    run.process.send_signal(signal.SIGKILL)


if __name__ == "__main__":
    main()
