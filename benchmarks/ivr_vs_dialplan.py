"""The IVR as a YAML flow run by the daemon vs the same IVR in pure dialplan, under load.

Both IVRs have the demo's shape — language menu, main menu, an order number collected
with ``#``, a read-back — and play the same prompts. Each prompt is a tone of its own
frequency, so the RTP Asterisk sends tells which prompt is playing: the time from the end
of a caller's DTMF digit to the first packet of the next prompt is read off the wire.

One SIPp caller script presses 1 (barge-in on the language menu), 3 (barge-in on the main
menu), then 4 5 6 7 # into the collect; Asterisk hangs up after the read-back. For each
call rate, the dialplan and the flow take the same load, one after the other, in the same
Asterisk. Reported per rate and variant: failed calls, peak concurrent calls, call-setup
delay (INVITE → 200 OK) and DTMF → next prompt (p50/p95/p99), then the ratios — and,
from the daemon's own ``/metrics`` around each step, its event-loop lag (histogram) and
the AMI and ARI bytes and events it received per call. At the end the same load runs
once more with the event filters off (``asterisk.event_filters = false``), to compare.

    .venv/bin/python -m benchmarks.ivr_vs_dialplan [--rates 2,5,10,15,20,25,30]
        [--filters-rate 5] [--py-spy DIR]   # DIR: a py-spy profile of each flow step
        [--event-log-overhead 10]   # B2 and B3 with the event log on vs off, in turn

Needs root (loopback capture) and the sandbox root (``make setup`` builds what is missing).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import tempfile
import time
from pathlib import Path

from benchmarks.capture import (
    LoopbackCapture,
    Packet,
    audio_from_asterisk,
    dtmf_ends,
    sip_dialogs,
)
from benchmarks.daemon_metrics import StepMetrics, scrape
from benchmarks.ivr_report import daemon_report
from benchmarks.ivr_stalls import (
    FlowStepSeen,
    StallWatch,
    daemon_cpu,
    overhead_report,
    repeat_report,
)
from benchmarks.profiling import start_profiler
from benchmarks.stats import keep_or_remove, ms, percentile, ratio
from callcenter.app import prompts_dir
from callcenter.asterisk.confgen import write_config
from callcenter.asterisk.prompts import add_prompt
from callcenter.asterisk.sandbox import Sandbox
from callcenter.config import load_config
from tests.support.instance import DaemonProcess, Instance, write_tone_pcm_wav
from tests.support.ports import free_udp_range
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import caller_scenario

log = logging.getLogger("benchmarks.ivr")

# prompt name → (tone Hz, seconds)
PROMPTS = {
    "bench-lang": (400.0, 2.0),
    "bench-main": (700.0, 2.0),
    "bench-order": (1000.0, 2.0),
    "bench-readback": (1300.0, 1.0),
}
# digit pressed → the prompt that must follow it
NEXT_PROMPT = {"1": 700.0, "3": 1000.0, "#": 1300.0}
CALLER_DIGITS = [(1.0, "1"), (1.0, "3"), (1.0, "4"), (0.4, "5"), (0.4, "6"), (0.4, "7"), (0.4, "#")]
FLOW_NUMBER, DIALPLAN_NUMBER = "7000", "7999"
KNEE_P95 = 0.200  # a DTMF → prompt p95 above this, or any failed call, is past the knee
KNEE_SETUP_P95 = 0.500  # as is a call-setup p95 above this (SIP retransmissions start at 500 ms)

FLOW = """\
spec_version: 1
name: bench
entry: lang
nodes:
  lang:
    type: menu
    prompts: [{prompt: bench-lang}]
    options: {"1": main}
    timeout: 5
    on_failure: bye
  main:
    type: menu
    prompts: [{prompt: bench-main}]
    options: {"3": order}
    timeout: 5
    on_failure: bye
  order:
    type: collect
    prompts: [{prompt: bench-order}]
    var: order
    min_length: 4
    max_length: 8
    terminator: "#"
    timeout: 5
    next: readback
    on_failure: bye
  readback:
    type: play
    prompts: [{prompt: bench-readback}]
    next: bye
  bye:
    type: hangup
"""

DIALPLAN = """
; benchmark baseline: the same IVR in pure dialplan
[from-trunk](+)
exten => {number},1,Goto(bench-lang,s,1)

[bench-lang]
exten => s,1,Answer()
 same => n,Background({prompts}/bench-lang)
 same => n,WaitExten(5)
exten => 1,1,Goto(bench-main,s,1)

[bench-main]
exten => s,1,Background({prompts}/bench-main)
 same => n,WaitExten(5)
exten => 3,1,Goto(bench-order,s,1)

[bench-order]
exten => s,1,Read(ORDER,{prompts}/bench-order,8,,1,5)
 same => n,Playback({prompts}/bench-readback)
 same => n,Hangup()
"""


@dataclasses.dataclass
class StepResult:
    variant: str
    rate: float
    calls: int
    failed: int
    peak_concurrent: int
    setup: list[float]
    dtmf_to_prompt: list[float]
    filters: bool = True
    metrics: StepMetrics | None = None
    seen: FlowStepSeen | None = None

    def per_call(self, name: str) -> float:
        if self.metrics is None or not self.calls:
            return math.nan
        return self.metrics.total(name) / self.calls

    @property
    def past_knee(self) -> bool:
        return (
            self.failed > 0
            or percentile(self.dtmf_to_prompt, 95) > KNEE_P95
            or percentile(self.setup, 95) > KNEE_SETUP_P95
        )


def prepare(state_dir: Path) -> tuple[Instance, DaemonProcess]:
    rtp = free_udp_range(2000)
    instance = Instance.create(
        state_dir,
        CALLCENTER_DAEMON__ENTRY_FLOW="bench",
        CALLCENTER_DAEMON__LOG_LEVEL="INFO",
        CALLCENTER_ASTERISK__RTP_START=str(rtp),
        CALLCENTER_ASTERISK__RTP_END=str(rtp + 1999),
    )
    (Path(instance.env["CALLCENTER_DAEMON__FLOWS_DIR"]) / "bench.yaml").write_text(FLOW)
    prompts = prompts_dir(instance.config)
    for name, (freq, seconds) in PROMPTS.items():
        source = write_tone_pcm_wav(state_dir / f"{name}.wav", seconds, freq)
        add_prompt(prompts, name, source, "en")
    instance.sandbox.up()
    add_baseline_dialplan(instance)
    daemon = DaemonProcess(instance, state_dir / "daemon.log")
    daemon.start()
    return instance, daemon


def add_baseline_dialplan(instance: Instance) -> None:
    etc = instance.sandbox.instance_dir / "etc"
    rendered = (etc / "dialplan" / "callcenter.conf").read_text()
    extra = DIALPLAN.format(number=DIALPLAN_NUMBER, prompts=prompts_dir(instance.config) / "en")
    write_config(etc, {"dialplan/callcenter.conf": rendered + extra}, instance.runtime.gid)
    instance.asterisk_cli("dialplan reload")


def set_event_filters(instance: Instance, daemon: DaemonProcess, on: bool) -> None:
    """Re-render Asterisk's configuration with the event filters on or off, reload AMI,
    and restart the daemon with the same setting (it sets the ARI filter itself)."""
    daemon.stop()
    instance.env["CALLCENTER_ASTERISK__EVENT_FILTERS"] = "true" if on else "false"
    instance.config = load_config(None, environ=instance.env)
    Sandbox(instance.config, instance.secrets).reload()
    add_baseline_dialplan(instance)
    instance.asterisk_cli("manager reload")
    daemon.start()


def set_stall_catcher(instance: Instance, daemon: DaemonProcess, on: bool) -> None:
    """Restart the daemon with the stall catcher on (its default threshold) or off."""
    daemon.stop()
    instance.env["CALLCENTER_DAEMON__STALL_THRESHOLD_MS"] = "40" if on else "0"
    instance.config = load_config(None, environ=instance.env)
    daemon.start()


def set_event_log(instance: Instance, daemon: DaemonProcess, on: bool) -> None:
    """Restart the daemon with the event log on (the default) or off ([reports] event_log)."""
    daemon.stop()
    instance.env["CALLCENTER_REPORTS__EVENT_LOG"] = "true" if on else "false"
    instance.config = load_config(None, environ=instance.env)
    daemon.start()


def run_step(
    instance: Instance,
    daemon: DaemonProcess,
    sipp: Sipp,
    capture: LoopbackCapture,
    variant: str,
    rate: float,
    seconds: float,
    profile_dir: Path | None = None,
    watch: StallWatch | None = None,
) -> StepResult:
    calls = max(1, round(rate * seconds))
    number = FLOW_NUMBER if variant == "flow" else DIALPLAN_NUMBER
    filters = instance.config.asterisk.event_filters
    tag = f"{variant}-{rate:g}{'' if filters else '-unfiltered'}"
    stats = sipp.work_dir / f"{tag}.csv"
    capture.take()
    before = scrape(daemon.url)
    cpu_before = daemon_cpu(daemon)
    profiler = start_profiler(daemon, profile_dir, tag, seconds) if variant == "flow" else None
    run = sipp.start(
        f"{variant}-{rate:g}",
        caller_scenario("79123456789", digits=CALLER_DIGITS, bye_timeout=15),
        service=number,
        timeout=seconds + 60,
        load=["-r", f"{rate:g}", "-m", str(calls), "-l", "1000", "-trace_stat", "-stf", str(stats)],
        trace_messages=False,
    )
    run.wait(seconds + 90)
    time.sleep(1.0)
    if profiler is not None:
        profiler.wait(60)
    result = analyse(instance, capture.take(), variant, rate, calls, sipp_failed(stats))
    result.filters = filters
    result.metrics = StepMetrics.between(before, scrape(daemon.url))
    if watch is not None and variant == "flow":
        result.seen = watch.after_step(daemon, cpu_before, result.metrics.lag_max_bucket())
    return result


def sipp_failed(stats: Path) -> int:
    lines = stats.read_text().splitlines() if stats.exists() else []
    if len(lines) < 2:
        return -1
    head, last = lines[0].split(";"), lines[-1].split(";")
    return int(last[head.index("FailedCall(C)")])


def analyse(
    instance: Instance, packets: list[Packet], variant: str, rate: float, calls: int, failed: int
) -> StepResult:
    a = instance.config.asterisk
    rtp = range(a.rtp_start, a.rtp_end + 1)
    dialogs = sip_dialogs(packets, a.sip_port)
    audio = audio_from_asterisk(packets, rtp)
    latencies, missing = [], 0
    for end in dtmf_ends(packets, rtp):
        want = NEXT_PROMPT.get(end.digit)
        if want is None:
            continue
        heard = next(
            (
                at
                for at, freq in audio.get(end.port, [])
                if end.at < at < end.at + 3 and abs(freq - want) < 100
            ),
            None,
        )
        if heard is None:
            missing += 1
        else:
            latencies.append(heard - end.at)
    events = []
    for d in dialogs.values():
        if d.answered_at is not None:
            events += [(d.answered_at, 1), (d.ended_at or math.inf, -1)]
    peak = level = 0
    for _, step in sorted(events):
        level += step
        peak = max(peak, level)
    setups = [s for d in dialogs.values() if (s := d.setup) is not None]
    answered = len(setups)
    failed_calls = max(failed, calls - answered) + missing
    return StepResult(variant, rate, calls, failed_calls, peak, setups, latencies)


def report(results: list[StepResult]) -> str:
    lines = [
        "variant   rate/s calls failed peak  setup p50/p95/p99 ms      dtmf→prompt p50/p95/p99 ms",
    ]
    for r in results:
        s, d = r.setup, r.dtmf_to_prompt
        lines.append(
            f"{r.variant:<9} {r.rate:>6g} {r.calls:>5} {r.failed:>6} {r.peak_concurrent:>4}  "
            f"{ms(percentile(s, 50)):>6} {ms(percentile(s, 95)):>6} {ms(percentile(s, 99)):>6}"
            f"        {ms(percentile(d, 50)):>6} {ms(percentile(d, 95)):>6} "
            f"{ms(percentile(d, 99)):>6}"
        )
    by = {(r.variant, r.rate): r for r in results if r.filters}
    lines.append("")
    lines.append("rate/s  setup p99 flow-dialplan ms  dtmf→prompt p95 flow-dialplan ms  p95 ratio")
    for rate in sorted({r.rate for r in results}):
        f, p = by.get(("flow", rate)), by.get(("dialplan", rate))
        if f is None or p is None:
            continue
        setup_delta = percentile(f.setup, 99) - percentile(p.setup, 99)
        dtmf_f, dtmf_p = percentile(f.dtmf_to_prompt, 95), percentile(p.dtmf_to_prompt, 95)
        lines.append(
            f"{rate:>6g}  {ms(setup_delta):>27}  {ms(dtmf_f - dtmf_p):>32}  "
            f"{ratio(dtmf_f, dtmf_p):>9}"
        )
    lines.append("")
    best: dict[str, StepResult] = {}
    for variant in ("dialplan", "flow"):
        clean = [r for r in results if r.variant == variant and r.filters and not r.past_knee]
        if clean:
            best[variant] = max(clean, key=lambda r: r.rate)
            b = best[variant]
            lines.append(
                f"{variant:<9} before the knee: {b.rate:g} calls/s, "
                f"{b.peak_concurrent} concurrent calls"
            )
        else:
            lines.append(f"{variant:<9} past the knee at every rate tried")
    if len(best) == 2:
        lines.append(
            "flow/dialplan: call rate "
            f"{ratio(best['flow'].rate, best['dialplan'].rate)}, concurrency "
            f"{ratio(best['flow'].peak_concurrent, best['dialplan'].peak_concurrent)}"
        )
    lines.append(
        f"(knee: a failed call, DTMF → prompt p95 above {KNEE_P95 * 1000:.0f} ms "
        f"or setup p95 above {KNEE_SETUP_P95 * 1000:.0f} ms)"
    )
    return "\n".join([*lines, "", *daemon_report(results)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="2,5,10,15,20,25,30", help="calls per second, ramped")
    parser.add_argument("--step-seconds", type=float, default=15.0, help="load per rate")
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    parser.add_argument(
        "--filters-rate", type=float, default=5.0, help="rate of the filters-off run (0: none)"
    )
    parser.add_argument("--py-spy", type=Path, help="profile each flow step into this directory")
    parser.add_argument(
        "--repeat", type=int, default=1, help="ramps in a row (stalls are rare: see them happen)"
    )
    parser.add_argument(
        "--catcher-overhead",
        type=float,
        default=0.0,
        help="rate of a flow step with the stall catcher on, then off (0: none)",
    )
    parser.add_argument(
        "--event-log-overhead",
        type=float,
        default=0.0,
        help="rate of a flow step with the event log on, then off (0: none)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    rates = [float(r) for r in args.rates.split(",")]
    state = Path(tempfile.mkdtemp(prefix="cc-bench-ivr-", dir="/var/tmp"))
    instance, daemon = prepare(state)
    work = state / "sipp"
    work.mkdir()
    sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
    a = instance.config.asterisk
    results: list[StepResult] = []
    runs: list[list[StepResult]] = []
    extra: list[str] = []
    watch = StallWatch()
    try:
        with LoopbackCapture(
            [range(a.sip_port, a.sip_port + 1), range(a.rtp_start, a.rtp_end + 1)]
        ) as cap:
            for _ in range(args.repeat):
                run: list[StepResult] = []
                for rate in rates:
                    step = [
                        run_step(
                            instance,
                            daemon,
                            sipp,
                            cap,
                            v,
                            rate,
                            args.step_seconds,
                            args.py_spy,
                            watch,
                        )
                        for v in ("dialplan", "flow")
                    ]
                    for r in step:
                        log.info(
                            "%s at %g/s: %d calls, %d failed", r.variant, rate, r.calls, r.failed
                        )
                    run += step
                    if args.repeat == 1 and all(r.past_knee for r in step):
                        break
                runs.append(run)
            results = runs[0]
            if args.catcher_overhead:
                rate, secs = args.catcher_overhead, args.step_seconds
                pairs = []
                for _ in range(2):  # on, off, on, off: the daemon's CPU drifts between steps
                    on = run_step(instance, daemon, sipp, cap, "flow", rate, secs, None, watch)
                    set_stall_catcher(instance, daemon, on=False)
                    off = run_step(instance, daemon, sipp, cap, "flow", rate, secs, None, watch)
                    set_stall_catcher(instance, daemon, on=True)
                    pairs.append((on, off))
                extra += overhead_report(pairs)
            if args.event_log_overhead:
                rate, secs = args.event_log_overhead, args.step_seconds
                pairs = []
                for _ in range(2):  # on, off, on, off
                    on = run_step(instance, daemon, sipp, cap, "flow", rate, secs, None, watch)
                    set_event_log(instance, daemon, on=False)
                    off = run_step(instance, daemon, sipp, cap, "flow", rate, secs, None, watch)
                    set_event_log(instance, daemon, on=True)
                    pairs.append((on, off))
                extra += overhead_report(pairs, "event log")
            if args.filters_rate:
                set_event_filters(instance, daemon, on=False)
                results += [
                    run_step(instance, daemon, sipp, cap, v, args.filters_rate, args.step_seconds)
                    for v in ("dialplan", "flow")
                ]
    finally:
        daemon.stop()
        instance.sandbox.down()
    print(report(results))
    if args.repeat > 1 or any(r.seen and r.seen.stalls for r in results):
        print("\n".join(repeat_report(runs)))
    print("\n".join(extra))
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
