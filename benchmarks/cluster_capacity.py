"""Capacity of the cluster: one node against two, each node pinned to one core, through
the front, at the same setup-delay bar — in one run.

Two real nodes (a sandbox Asterisk and its daemon each, one PostgreSQL) behind Kamailio
(``callcenter cluster front``): partition 7000 is at home on node a, 7001 on node b. Node
a's Asterisk and daemon are pinned to core 0, node b's to core 1 (``taskset``); SIPp (the
callers), Kamailio and PostgreSQL are not pinned and share both cores with the nodes —
so the two-node figure is the conservative one (in the one-node steps the callers and the
front have core 1 almost to themselves).

Each call is the IVR benchmark's (``benchmarks.ivr_vs_dialplan``): a language menu, a main
menu, an order number with ``#``, a read-back, Asterisk hangs up — driven by the daemon
over ARI. Each step offers ``--seconds`` of calls at one rate: one node takes all of them
(7000), two nodes half each (7000 and 7001, two SIPp callers). A step is within the bar
while no call failed and the setup delay (INVITE → 200 at the caller) stays at or under
``--bar-ms`` at p95. The capacity of a shape is the highest rate within the bar; the
report gives every step and the ratio (target ≥ 1.6).

    .venv/bin/python -m benchmarks.cluster_capacity [--rates 4,8,12,16,20,24,28,32,40]
        [--seconds 20] [--bar-ms 200]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.front_load import failed_calls, setup_delays
from benchmarks.ivr_vs_dialplan import CALLER_DIGITS, FLOW, PROMPTS
from benchmarks.stats import ms, percentile
from callcenter.app import prompts_dir
from callcenter.app.front import prepare_front
from callcenter.asterisk.prompts import add_prompt
from callcenter.config import load_config
from tests.support.databases import postgres_database
from tests.support.instance import DaemonProcess, Instance, write_tone_pcm_wav
from tests.support.ports import free_port, free_udp_range
from tests.support.sipp import TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import caller_scenario

NUMBERS = {"a": "7000", "b": "7001"}  # each node's partition


@dataclasses.dataclass
class Step:
    shape: str  # "one node" / "two nodes"
    rate: int  # calls per second offered in all
    calls: int
    failed: int
    setup: list[float]

    def within(self, bar: float) -> bool:
        return self.failed == 0 and bool(self.setup) and percentile(self.setup, 95) <= bar


def pin(pid: int, core: int) -> None:
    """Every thread of ``pid`` on ``core``."""
    subprocess.run(["taskset", "-a", "-pc", str(core), str(pid)], check=True, capture_output=True)


class Cluster:
    def __init__(self, work: Path, url: str, stack: contextlib.ExitStack) -> None:
        ports = {n: free_port() for n in NUMBERS}
        shared = {
            "CALLCENTER_DATABASE__URL": url,
            "CALLCENTER_DAEMON__ENTRY_FLOW": "bench",
            "CALLCENTER_DAEMON__LOG_LEVEL": "INFO",
            "CALLCENTER_CLUSTER__NODES": ",".join(f"{n}=127.0.0.1:{p}" for n, p in ports.items()),
            "CALLCENTER_CLUSTER__PARTITIONS": "7000=a/b,7001=b/a",
            "CALLCENTER_CLUSTER__FRONT_PORT": str(free_port()),
        }
        self.nodes: dict[str, Instance] = {}
        for core, node in enumerate(NUMBERS):
            rtp = free_udp_range(2000)
            inst = Instance.create(
                work / node,
                **shared,
                CALLCENTER_CLUSTER__NODE=node,
                CALLCENTER_ASTERISK__SIP_PORT=str(ports[node]),
                CALLCENTER_ASTERISK__RTP_START=str(rtp),
                CALLCENTER_ASTERISK__RTP_END=str(rtp + 1999),
            )
            (Path(inst.env["CALLCENTER_DAEMON__FLOWS_DIR"]) / "bench.yaml").write_text(FLOW)
            for name, (freq, seconds) in PROMPTS.items():
                source = write_tone_pcm_wav(work / node / f"{name}.wav", seconds, freq)
                add_prompt(prompts_dir(inst.config), name, source, "en")
            inst.sandbox.up()
            stack.callback(inst.sandbox.down)
            daemon = DaemonProcess(inst, work / node / "daemon.log")
            daemon.start()
            stack.callback(daemon.stop)
            state = inst.sandbox.state()
            assert state is not None
            assert daemon.process is not None
            pin(state.pid, core)
            pin(daemon.process.pid, core)
            self.nodes[node] = inst
        a = self.nodes["a"]
        config = load_config(None, environ=a.env)
        self.front = prepare_front(config, a.runtime, a.secrets.agent_passwords)
        self.front.up()
        stack.callback(self.front.down)
        (work / "sipp").mkdir()
        port = a.config.cluster.front_port
        self.sipp = Sipp(a.runtime, work / "sipp", port, sip_host=TRUNK_IP)

    def callers(self, node: str, rate: float, calls: int) -> SippRun:
        return self.sipp.start(
            f"{node}-{rate:g}",
            caller_scenario("79123456789", digits=CALLER_DIGITS, bye_timeout=15, routed=True),
            service=NUMBERS[node],
            local_ip=TRUNK_IP,
            load=("-r", f"{rate:g}", "-m", str(calls), "-l", "2000"),
            timeout=calls / rate + 60,
        )


def step(cluster: Cluster, shape: str, rate: int, seconds: int) -> Step:
    targets = ["a"] if shape == "one node" else ["a", "b"]
    share = rate / len(targets)
    calls = max(1, round(share * seconds))
    runs = [cluster.callers(node, share, calls) for node in targets]
    for run in runs:
        run.wait(seconds + 90)
    time.sleep(2)  # the last calls' hangups, before the next step's load
    failed = sum(max(0, failed_calls(r)) for r in runs)
    setup = [d for r in runs for d in setup_delays(r)]
    return Step(shape, rate, calls * len(targets), failed, setup)


def drawn(results: dict[str, list[Step]], bar: float, width: int = 48) -> list[str]:
    """Setup p95 per step as bars on a log scale (1 ms .. 10 s); ``|`` marks the bar."""

    def column(seconds: float) -> int:
        return max(0, min(width, round(math.log10(max(seconds, 0.001) / 0.001) / 4 * width)))

    mark = column(bar)
    rows = [f"setup p95 per step, log scale 1 ms .. 10 s ('|': the {ms(bar)} ms bar)"]
    for shape, steps in results.items():
        for s in steps:
            p95 = percentile(s.setup, 95) if s.setup else 10.0
            cells = ["█" if i < column(p95) else " " for i in range(width)]
            if cells[mark - 1] == " ":
                cells[mark - 1] = "|"
            rows.append(f"  {shape:<9} {s.rate:>3} cps {''.join(cells)} {ms(p95)} ms")
    return rows


def capacity(steps: list[Step], bar: float) -> int:
    within = [s.rate for s in steps if s.within(bar)]
    return max(within, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="4,8,12,16,20,24,28,32,40")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--bar-ms", type=float, default=200.0)
    args = parser.parse_args()
    rates, bar = [int(r) for r in args.rates.split(",")], args.bar_ms / 1000
    results: dict[str, list[Step]] = {}
    # The directory outlives the stack: nodes stop before their state is removed.
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_database("cc_capacity"))
        cluster = Cluster(Path(tmp), url, stack)
        time.sleep(3)  # both daemons joined, the front sees both nodes up
        print(
            f"setup-delay bar: p95 <= {args.bar_ms:g} ms, no failed call; {args.seconds} s a step"
        )
        print(
            f"{'shape':<10} {'cps':>4} {'calls':>6} {'failed':>6} {'p50':>8} {'p95':>8} {'p99':>8}"
        )
        for shape in ("one node", "two nodes"):
            results[shape] = []
            past = 0
            for rate in rates:
                s = step(cluster, shape, rate, args.seconds)
                results[shape].append(s)
                p = [ms(percentile(s.setup, q)) if s.setup else "-" for q in (50, 95, 99)]
                mark = "" if s.within(bar) else "  past the bar"
                row = f"{shape:<10} {rate:>4} {s.calls:>6} {s.failed:>6}"
                print(f"{row} {p[0]:>8} {p[1]:>8} {p[2]:>8}{mark}", flush=True)
                past = 0 if s.within(bar) else past + 1
                if past == 2:  # two steps in a row past the bar: this shape's knee is behind
                    break
    print("\n" + "\n".join(drawn(results, bar)))
    one, two = capacity(results["one node"], bar), capacity(results["two nodes"], bar)
    print(f"\ncapacity within the bar: one node {one} cps, two nodes {two} cps")
    print(
        f"ratio two / one: {two / one:.2f} (target >= 1.6)"
        if one
        else "one node: no step within the bar"
    )


if __name__ == "__main__":
    main()
