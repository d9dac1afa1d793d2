"""The recorded knee: callers through the IVR into the support queue, answered by SIPp
agents, audio from the caller all the way, at a ramp of call rates — every step once with
recordings off and once on, in the same run on the same Asterisk (the dialplan's
``RECORDINGS`` global switches them; nothing else changes). Admission control is off
here: this finds what the machine carries, so that ``[admission]`` can be set from it.

Per step: calls offered, answered and failed (SIPp), call setup (INVITE → 200 OK) p50/p95
from SIPp's own response times, Asterisk's CPU per answered call, the most calls up at
once. The knee of each variant is its highest rate with no failed call and setup p95 under
the bar (as the IVR benchmark's). Then: the two knees, their ratio and the CPU ratio per
call, and what to write in ``[admission]`` (drawn: failed calls per step).

    .venv/bin/python -m benchmarks.recorded_knee [--rates 2,4,6,8 --seconds 60 --talk 4]
        [--arrangements disk,tmpfs,mono --arrangement-rate 6]

Then, at one rate, the recording arrangements that might cost less (the same run, the same
Asterisk): ours ("disk"), the writer on tmpfs moved at the end ("tmpfs"), and one mixed
channel ("mono", which gives up the speakers apart: the analysis only).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import tempfile
import time
from pathlib import Path

from benchmarks.soak import Rig, start_agents, totals
from benchmarks.stats import keep_or_remove, ms, percentile, ratio
from callcenter.asterisk.confgen import write_config
from callcenter.asterisk.process_cpu import cpu_seconds
from tests.support.rtp_audio import tone_pcap
from tests.support.sipp import Sipp, SippRun
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, caller_scenario

log = logging.getLogger("benchmarks.recorded_knee")
SETUP_P95 = 0.500  # past the knee: any failed call, or a setup p95 above this
BAR = 40
OFF = {  # admission off: the machine's own limits are what is measured
    "CALLCENTER_ADMISSION__MAX_CALLS": "0",
    "CALLCENTER_ADMISSION__MAX_RATE": "0",
    "CALLCENTER_ADMISSION__MAX_LOOP_LAG": "0",
    "CALLCENTER_ADMISSION__MAX_ASTERISK_CPU": "0",
}


@dataclasses.dataclass
class Step:
    rate: float
    recorded: bool
    arrangement: str = "disk"
    offered: int = 0
    answered: int = 0
    failed: int = 0
    setup: list[float] = dataclasses.field(default_factory=list)
    cpu: float = 0.0
    most_up: int = 0

    @property
    def past_knee(self) -> bool:
        return self.failed > 0 or percentile(self.setup, 95) > SETUP_P95

    @property
    def cpu_per_call(self) -> float:
        return self.cpu / self.answered if self.answered else float("nan")


def read_rtts(rig: Rig, name: str) -> list[float]:
    """SIPp's response times (INVITE → 200 OK, seconds) of run ``name``: SIPp writes them
    in its working directory, the runtime's root; read, then removed from there."""
    root = Path(getattr(rig.instance.runtime, "root", "/"))
    out: list[float] = []
    # SIPp names the file after its scenario's, cut at the first dot ("over-1.5" → "over-1").
    for path in root.glob(f"*-{name.split('.')[0]}_*_rtt.csv"):
        for line in path.read_text().splitlines()[1:]:
            cells = line.split(";")
            try:
                out.append(float(cells[1]) / 1000)
            except (IndexError, ValueError):
                continue
        path.unlink()
    return out


def channels_up(rig: Rig) -> int:
    text = rig.instance.asterisk_cli("core show channels count")
    for line in text.splitlines():
        if "active call" in line:
            return int(line.split()[0])
    return 0


def drained(rig: Rig, limit: float = 180.0) -> None:
    """Until no call is up (a step's leftovers never load the next)."""
    end = time.monotonic() + limit
    while channels_up(rig) and time.monotonic() < end:
        time.sleep(1.0)


def place_callers(
    rig: Rig, sipp: Sipp, name: str, rate: float, calls: int, csv: Path, tone: str, timeout: float
) -> int:
    """``calls`` callers of ``csv`` at ``rate`` through the IVR to support (audio from the
    caller; SIPp's stats and response times kept): until the last one ended, returns the
    most calls up at once."""
    stats = csv.with_suffix(".stats.csv")
    run = sipp.start(
        name,
        caller_scenario("[field0]", digits=DEMO_TO_SUPPORT, bye_timeout=120, audio=tone),
        service=rig.instance.config.dialplan.virtual_number,
        timeout=timeout,
        load=[
            *("-r", f"{rate:g}", "-m", str(calls), "-l", str(calls), "-inf", str(csv)),
            *("-trace_stat", "-stf", str(stats), "-fd", "5", "-trace_rtt", "-rtt_freq", "1"),
        ],
        trace_messages=False,
    )
    most = 0
    while run.process.poll() is None:
        most = max(most, channels_up(rig))
        time.sleep(2.0)
    return most


def callers_and_agents(rig: Rig, state: Path, talk: float) -> tuple[Sipp, str, list[SippRun]]:
    """SIPp in ``state``/sipp, the callers' tone (440 Hz, 120 s) and agents talking ``talk``
    seconds a call on every agent line (the recorded-knee and overload benchmarks')."""
    work = state / "sipp"
    work.mkdir(exist_ok=True)
    sipp = Sipp(rig.instance.runtime, work, rig.instance.config.asterisk.sip_port)
    tone = str(tone_pcap(work / "caller.pcap", 440, 120))
    return sipp, tone, start_agents(rig, sipp, talk, 100_000)


def run_step(rig: Rig, sipp: Sipp, step: Step, seconds: float, tone: str, pid: int) -> Step:
    rig.instance.asterisk_cli(f"dialplan set global RECORDINGS {int(step.recorded)}")
    calls = step.offered = max(1, round(step.rate * seconds))
    work = sipp.work_dir
    csv = work / f"callers-{step.rate:g}-{int(step.recorded)}-{step.arrangement}.csv"
    csv.write_text("SEQUENTIAL\n" + "".join(f"7495{n:07d};\n" for n in range(1, calls + 1)))
    stats = csv.with_suffix(".stats.csv")
    cpu0 = cpu_seconds(pid) or 0.0
    name = f"callers-{step.rate:g}-{int(step.recorded)}-{step.arrangement}"
    step.most_up = place_callers(rig, sipp, name, step.rate, calls, csv, tone, seconds + 300)
    step.cpu = (cpu_seconds(pid) or 0.0) - cpu0
    step.answered, step.failed = totals(stats)
    step.setup = read_rtts(rig, name)
    drained(rig)
    return step


SHM = "/dev/shm/callcenter-rec"  # noqa: S108 tmpfs, in the sandbox too (/dev is bound)


def arrangement(rig: Rig, original: str, name: str) -> None:
    """The recording Gosub's MixMonitor as arrangement ``name``: "disk" (ours: two
    channels written to the recordings directory), "tmpfs" (the same written to memory and
    moved at the end), "mono" (one mixed channel: the speakers no longer apart; for the
    analysis only)."""
    head, rest = original.split("[callcenter-record]", 1)
    body, tail = rest.split("\n[", 1)
    line = next(ln for ln in body.splitlines() if "MixMonitor(" in ln)
    target, _, command = line.split("MixMonitor(", 1)[1].partition(",D,")
    if name == "tmpfs":
        Path(SHM).mkdir(mode=0o777, exist_ok=True)
        os.chmod(SHM, 0o777)  # noqa: S103 (a benchmark's scratch directory)
        new = (
            f" same => n,MixMonitor({SHM}/${{UNIQUEID}}.raw,D,mv {SHM}/${{UNIQUEID}}.raw"
            f" {target} && {command}"
        )
    elif name == "mono":
        new = f" same => n,MixMonitor({target},,{command}"
    else:
        new = line
    text = head + "[callcenter-record]" + body.replace(line, new) + "\n[" + tail
    etc = rig.instance.sandbox.instance_dir / "etc"
    write_config(etc, {"dialplan/callcenter.conf": text}, rig.instance.runtime.gid)
    rig.instance.asterisk_cli("dialplan reload")


def bar(n: int, most: int) -> str:
    return "█" * max(1, round(BAR * n / most)) if n and most else ""


def report(steps: list[Step]) -> None:
    print(
        f"{'rate/s':>6} {'rec':>4} {'offered':>7} {'failed':>6} {'setup p50':>9} {'p95 ms':>7}"
        f" {'up':>4} {'CPU/call s':>10}"
    )
    most = max((s.failed for s in steps), default=0)
    for s in steps:
        print(
            f"{s.rate:>6g} {'on' if s.recorded else 'off':>4} {s.offered:>7} {s.failed:>6}"
            f" {ms(percentile(s.setup, 50)):>9} {ms(percentile(s.setup, 95)):>7}"
            f" {s.most_up:>4} {s.cpu_per_call:>10.3f} {bar(s.failed, most)}"
        )
    knees = {}
    for recorded in (False, True):
        clean = [s for s in steps if s.recorded is recorded and not s.past_knee]
        knees[recorded] = max(clean, key=lambda s: s.rate) if clean else None
    for recorded, knee in knees.items():
        name = "recorded" if recorded else "not recorded"
        if knee is None:
            print(f"{name:<13} past the knee at every rate tried")
        else:
            cores = os.cpu_count() or 1
            print(
                f"{name:<13} knee {knee.rate:g} calls/s, {knee.most_up} calls up at once"
                f" ({knee.most_up / cores:.0f} per core), CPU/call {knee.cpu_per_call:.3f} s"
            )
    on, off = knees[True], knees[False]
    if on and off:
        print(f"recorded knee / unrecorded knee: {ratio(on.rate, off.rate)}")
    pairs = [
        (a, b)
        for a in steps
        for b in steps
        if a.rate == b.rate and a.recorded and not b.recorded and a.answered and b.answered
    ]
    for a, b in pairs:
        print(
            f"CPU per call at {a.rate:g}/s, recorded / not: {ratio(a.cpu_per_call, b.cpu_per_call)}"
        )
    if on:
        print(f"[admission] max_rate = {int(on.rate)}, max_calls = {on.most_up} (from this run)")


def report_arrangements(tried: list[Step], steps: list[Step]) -> None:
    if not tried:
        return
    rate = tried[0].rate
    plain = next((s for s in steps if s.rate == rate and not s.recorded), None)
    print(f"\nrecording arrangements at {rate:g} calls/s (CPU per call against not recorded)")
    for s in tried:
        base = plain.cpu_per_call if plain else float("nan")
        print(
            f"  {s.arrangement:<6} failed {s.failed:>3}  setup p95 {ms(percentile(s.setup, 95)):>7}"
            f" ms  CPU/call {s.cpu_per_call:.3f} s  x{ratio(s.cpu_per_call, base)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="2,4,6,8")
    parser.add_argument("--seconds", type=float, default=60.0, help="of calls offered per step")
    parser.add_argument("--talk", type=float, default=4.0)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument("--arrangements", default="disk,tmpfs,mono")
    parser.add_argument("--arrangement-rate", type=float, default=6.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    state = Path(tempfile.mkdtemp(prefix="cc-bench-knee-", dir="/var/tmp"))
    rig = Rig(state, args.agents, "", extra=OFF)
    steps: list[Step] = []
    tried: list[Step] = []  # recording arrangements at one rate
    with rig.running():
        sipp, tone, phones = callers_and_agents(rig, state, args.talk)
        pid = rig.asterisk_pid()
        assert pid is not None
        for rate in (float(r) for r in args.rates.split(",")):
            for recorded in (False, True):
                step = run_step(rig, sipp, Step(rate, recorded), args.seconds, tone, pid)
                log.info("step %s", dataclasses.replace(step, setup=[]))
                steps.append(step)
        original = (rig.instance.sandbox.instance_dir / "etc/dialplan/callcenter.conf").read_text()
        for name in (a for a in args.arrangements.split(",") if a):
            arrangement(rig, original, name)
            step = Step(args.arrangement_rate, True, name)
            tried.append(run_step(rig, sipp, step, args.seconds, tone, pid))
            log.info("arrangement %s", dataclasses.replace(tried[-1], setup=[]))
        arrangement(rig, original, "disk")
        for phone in phones:
            phone.process.kill()
            phone.process.wait()
    report(steps)
    report_arrangements(tried, steps)
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
