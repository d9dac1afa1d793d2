"""The IVR benchmark run until the rare stall happens: the ramp repeated, the added setup
p99 and the loop's worst tick of every flow step, what the stall catcher saw, and the
catcher's own cost (the daemon's CPU per call with it on and off, same load, one run).

    .venv/bin/python -m benchmarks.ivr_vs_dialplan --rates 2,5,10 --repeat 5 \
        --catcher-overhead 10 --filters-rate 0
"""

from __future__ import annotations

import dataclasses
import json
import os
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.stats import ms, percentile, ratio

if TYPE_CHECKING:
    from benchmarks.ivr_vs_dialplan import StepResult
    from tests.support.instance import DaemonProcess

BAR_SETUP_ADDED = 0.020  # the bar: added setup p99 ≤ +20 ms
BAR_LAG_MAX = 0.020  # and the loop's worst tick ≤ 20 ms


@dataclasses.dataclass
class FlowStepSeen:
    """What the daemon's /healthz said right after a flow step."""

    lag_max: float  # seconds: the upper bound of the step's worst lag bucket (/metrics)
    stalls: list[dict[str, Any]]  # new stall records since the previous step
    cpu: float  # the daemon's CPU seconds (user + system) during the step


def daemon_cpu(daemon: DaemonProcess) -> float:
    """CPU seconds the daemon process has used so far (utime + stime)."""
    assert daemon.process is not None
    stat = Path(f"/proc/{daemon.process.pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def healthz(daemon: DaemonProcess) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{daemon.url}/healthz", timeout=5) as resp:  # noqa: S310
            return json.loads(resp.read())  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())  # type: ignore[no-any-return]


class StallWatch:
    """Reads /healthz around each flow step and keeps the stall records not seen before."""

    def __init__(self) -> None:
        self._seen: set[float] = set()

    def after_step(self, daemon: DaemonProcess, cpu_before: float, lag_max: float) -> FlowStepSeen:
        body = healthz(daemon)
        fresh = [s for s in body.get("loop_stalls", []) if s["at"] not in self._seen]
        self._seen.update(s["at"] for s in fresh)
        return FlowStepSeen(lag_max, fresh, daemon_cpu(daemon) - cpu_before)


def repeat_report(runs: list[list[StepResult]]) -> list[str]:
    """One line per run and rate: added setup p99 and worst tick, against the bars."""
    lines = [
        "",
        f"repeated ramp: added setup p99 (bar +{BAR_SETUP_ADDED * 1000:.0f} ms) and the loop's "
        f"worst tick in the step, as its histogram bucket's upper bound (bar "
        f"{BAR_LAG_MAX * 1000:.0f} ms)",
        "run  rate/s  added setup p99 ms  lag max ms  stalls  verdict",
    ]
    met = total = 0
    for n, results in enumerate(runs, 1):
        by = {(r.variant, r.rate): r for r in results}
        for rate in sorted({r.rate for r in results}):
            f, p = by.get(("flow", rate)), by.get(("dialplan", rate))
            if f is None or p is None or f.seen is None:
                continue
            added = percentile(f.setup, 99) - percentile(p.setup, 99)
            ok = added <= BAR_SETUP_ADDED and f.seen.lag_max <= BAR_LAG_MAX
            met, total = met + ok, total + 1
            lines.append(
                f"{n:>3}  {rate:>6g}  {ms(added):>18}  {ms(f.seen.lag_max):>10}  "
                f"{len(f.seen.stalls):>6}  {'met' if ok else 'MISSED'}"
            )
    lines.append(f"steps within both bars: {met} of {total}")
    stalls = [s for results in runs for r in results if r.seen for s in r.seen.stalls]
    lines += ["", f"the stall catcher's records ({len(stalls)}):"]
    for s in stalls:
        gc = ", ".join(f"gen{g['generation']} {g['ms']} ms ({g['thread']})" for g in s["gc"])
        lines.append(
            f"  {s['ms']:>6} ms  in {s['where']}  task {s['task']}  "
            f"{s['same_stack']}/{s['samples']} samples  gc: {gc or 'none'}  "
            f"watchdog blocked {s['watchdog_blocked_ms']} ms  threads {s['threads']}  "
            f"context {s['context']}"
        )
        lines += [f"           {frame}" for frame in s["stack"][-6:]]
    return lines


def overhead_report(
    pairs: list[tuple[StepResult, StepResult]], what: str = "stall catcher"
) -> list[str]:
    """A part's cost (the stall catcher, the event log): the daemon's CPU per call with it
    on vs off (same load), call setup p99 (B2) and DTMF → prompt p95 (B3), each pair in
    turn and all together."""
    lines = ["", f"{what} overhead: daemon CPU per call, on / off (same load, in turn)"]
    total_on = total_off = 0.0
    for n, (on, off) in enumerate(pairs, 1):
        assert on.seen is not None
        assert off.seen is not None
        per_on, per_off = on.seen.cpu / max(on.calls, 1), off.seen.cpu / max(off.calls, 1)
        total_on, total_off = total_on + per_on, total_off + per_off
        lines.append(
            f"  pair {n} at {on.rate:g}/s: {per_on * 1000:.2f} / {per_off * 1000:.2f} ms "
            f"= {ratio(per_on, per_off)}x; setup p99 {ms(percentile(on.setup, 99))} / "
            f"{ms(percentile(off.setup, 99))} ms; dtmf→prompt p95 "
            f"{ms(percentile(on.dtmf_to_prompt, 95))} / {ms(percentile(off.dtmf_to_prompt, 95))} ms"
        )
    share = (total_on - total_off) / total_off * 100 if total_off else float("nan")
    lines.append(f"  all: {ratio(total_on, total_off)}x ({share:+.1f} %, bar ≤ +1 %)")
    return lines
