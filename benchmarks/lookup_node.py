"""The lookup node's cost to a caller: the time from the caller's last digit to the next
prompt, with a lookup of a 20 ms endpoint in between vs the same flow without the node —
one run, calls interleaved — and, with the endpoint slow (5 s), failing (500) or down,
the time until the fallback prompt against the node's timeout.

The IVR runner is the daemon's own (engine, runner, the aiohttp lookup client, a real HTTP
server on loopback); the caller and Asterisk are a script answering the runner's commands
at once (tests/support/fakes.py ScriptedCaller). What a real Asterisk adds — the digit's
RTP and the playback's start — is the same with and without the node, so the difference is
the node's. The real-call test (tests/integration/test_self_service.py) checks the same
bounds through Asterisk.

    .venv/bin/python -m benchmarks.lookup_node --calls 200
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.stats import ms, percentile, ratio
from callcenter.config_lookups import LookupConfig
from callcenter.domain.calls import CallEntered, CallRecord
from callcenter.flows.catalog import FlowSet
from callcenter.flows.loader import load_flow_text
from callcenter.http.lookup_client import AiohttpLookups
from callcenter.services.call_session import CallSession
from callcenter.services.ivr_runner import ivr_handler
from tests.support import lookups as shop
from tests.support.fakes import FixedClock, MemoryCallLog, ScriptedCaller
from tests.support.ports import free_port

TIMEOUT = 1.0  # the node's timeout in the failure arms
FLOW = """spec_version: 1
name: {name}
entry: ask
nodes:
  ask: {{type: collect, prompts: [enter], var: order, max_length: 8, next: {first}}}
  find:
    type: lookup
    endpoint: {endpoint}
    params: {{order: order, from: caller}}
    map: {{status: status, total: total}}
    timeout: {timeout}
    next: say
    on_failure: sorry
  fixed: {{type: set, vars: {{status: shipped, total: "12"}}, next: say}}
  say: {{type: hangup, prompts: [status, {{say_number: total}}]}}
  sorry: {{type: hangup, prompts: [sorry]}}
"""


class TimedCaller(ScriptedCaller):
    """Keys the order over the first prompt; notes when each prompt was asked for."""

    def __init__(self, directory: Path, order: str) -> None:
        super().__init__(directory)
        self.digits = {"sound:enter": [order + "#"]}
        self.asked: dict[str, float] = {}

    async def play(self, call_id: str, media: str | list[str], language: str = "") -> str:
        self.asked.setdefault(str(media), time.perf_counter())
        return await super().play(call_id, media, language)


async def one_call(flows: FlowSet, flow: str, order: str, lookups: AiohttpLookups) -> float:
    """Seconds from the last digit to the next prompt (or the fallback)."""
    with tempfile.TemporaryDirectory() as tmp:
        caller = TimedCaller(Path(tmp), order)
        log = MemoryCallLog()
        log.records["c1"] = CallRecord("c1", "c1", "+74951234567", "7000", datetime.now(UTC))
        entered = CallEntered("c1", "c1", "+74951234567", "7000", ("inbound",))
        caller.session = CallSession(entered, caller, log)
        handler = ivr_handler(lambda: flows, flow, log, FixedClock(), Path(tmp), lookups=lookups)
        await handler(caller.session)
        next_prompt = caller.asked.get("sound:status") or caller.asked["sound:sorry"]
        return next_prompt - caller.asked["sound:enter"]


def flow_set(endpoint: str, timeout: float) -> FlowSet:
    flows = {}
    for name, first in (("with", "find"), ("without", "fixed")):
        text = FLOW.format(name=name, first=first, endpoint=endpoint, timeout=timeout)
        parsed, issues, _ = load_flow_text(text, f"{name}.yaml")
        assert parsed is not None, issues
        flows[name] = parsed
    return FlowSet(flows, "bench")


async def run(calls: int) -> None:
    port, closed = free_port(), free_port()
    lookups = AiohttpLookups(
        [
            LookupConfig("orders", f"http://127.0.0.1:{port}/orders", timeout_ms=5000),
            LookupConfig("down", f"http://127.0.0.1:{closed}/orders", timeout_ms=5000),
        ],
        {},
    )
    flows, down = flow_set("orders", 5), flow_set("down", TIMEOUT)
    failing = flow_set("orders", TIMEOUT)
    with shop.orders_server(port, delay=0.020, slow=5.0):
        arms: dict[str, list[float]] = {"without": [], "with": []}
        for n in range(calls):
            for arm in ("without", "with") if n % 2 else ("with", "without"):
                arms[arm].append(await one_call(flows, arm, shop.SHIPPED, lookups))
            if n % 20 == 19:
                print(f"  {n + 1}/{calls} calls per arm", flush=True)
        fallbacks = {
            "slow (5 s)": [await one_call(failing, "with", shop.SLOW, lookups) for _ in range(5)],
            "failing (500)": [
                await one_call(failing, "with", shop.FAILING, lookups) for _ in range(20)
            ],
            "down (closed port)": [
                await one_call(down, "with", shop.SHIPPED, lookups) for _ in range(20)
            ],
        }
    await lookups.close()
    report(arms, fallbacks)


def report(arms: dict[str, list[float]], fallbacks: dict[str, list[float]]) -> None:
    base, node = arms["without"], arms["with"]
    print(f"\nlast digit → next prompt, {len(node)} calls per arm (endpoint answers in 20 ms)")
    print(f"{'arm':<22}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, values in (("without the node", base), ("with the lookup", node)):
        print(
            f"{name:<22}{ms(percentile(values, 50)):>10}{ms(percentile(values, 95)):>10}"
            f"{ms(percentile(values, 99)):>10}"
        )
    added = percentile(node, 95) - percentile(base, 95)
    times = ratio(percentile(node, 95), percentile(base, 95))
    print(f"added p95: {ms(added)} ms (with/without p95: {times})")
    print(f"\nfallback prompt after the last digit (node timeout {TIMEOUT:g} s)")
    print(f"{'endpoint':<22}{'max ms':>10}{'over timeout':>14}  bar: ≤ timeout + 100 ms")
    for name, values in fallbacks.items():
        worst = max(values)
        bound = TIMEOUT + 0.1 if name.startswith("slow") else 0.1
        over = worst - TIMEOUT if name.startswith("slow") else math.nan
        met = "met" if worst <= bound else "MISSED"
        print(f"{name:<22}{ms(worst):>10}{ms(over):>14}  {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per arm")
    args = parser.parse_args()
    asyncio.run(run(args.calls))


if __name__ == "__main__":
    main()
