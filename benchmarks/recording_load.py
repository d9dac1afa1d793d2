"""N concurrent queue calls with real audio (caller and agent each say a tone), recorded
versus not recorded, in the same run on the same Asterisk: Asterisk's CPU per call (the
ratio), disk bytes per minute of call, recordings missing or truncated, and — ramping the
number of concurrent recorded calls — the share of 20 ms frames lost from the recordings,
so the most concurrent recorded calls before frames drop.

Callers go straight into the support queue (the same dialplan path as after the IVR, the
recording Gosub included); the daemon adopts and checks every recording. Recording is
switched per variant with the dialplan's global (``RECORDINGS``), nothing else changes.

    .venv/bin/python -m benchmarks.recording_load [--calls 20 --talk 20 --ramp 10,20,40]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.queue_load import load_instance
from benchmarks.stats import keep_or_remove, ratio
from callcenter.asterisk.confgen import write_config
from callcenter.domain.recordings import RecordingFilter, RecordingState
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.recordings import SqlRecordings
from tests.support.instance import DaemonProcess, Instance
from tests.support.rtp_audio import channels, tone_pcap
from tests.support.sipp import PHONE_IP, Sipp, SippRun
from tests.support.sipp_scenarios import answer_scenario, caller_scenario
from tests.support.until import until

log = logging.getLogger("benchmarks.recording")
DIRECT = "7997"
FRAME = 160  # samples: 20 ms at 8 kHz
BAR = 40


def prepare(state: Path, agents: list[str]) -> tuple[Instance, DaemonProcess]:
    instance = load_instance(state, agents)
    etc = instance.sandbox.instance_dir / "etc"
    rendered = (etc / "dialplan" / "callcenter.conf").read_text()
    direct = (
        f"\n; benchmark: straight into the support queue (recording included), no IVR\n"
        f"[from-trunk](+)\nexten => {DIRECT},1,Answer()\n same => n,Set(CC_QUEUE=support)\n"
        " same => n,Goto(callcenter-queue,s,1)\n"
    )
    write_config(etc, {"dialplan/callcenter.conf": rendered + direct}, instance.runtime.gid)
    instance.asterisk_cli("dialplan reload")
    return instance, DaemonProcess(instance, state / "daemon.log")


def without_mixmonitor(dialplan: str) -> str:
    """The same dialplan with the recording path run for every call (its Gosub, UserEvent,
    the daemon's bookkeeping) but MixMonitor left out: what recording costs besides
    MixMonitor itself."""
    out = []
    for line in dialplan.splitlines():
        if "MixMonitor(" in line and not line.lstrip().startswith(";"):
            line = " same => n,NoOp(benchmark: no MixMonitor)"
        out.append(line.replace('"${RECORDINGS}" != "1" |', '"0" = "1" |'))
    return "\n".join(out) + "\n"


def dialplan(instance: Instance, text: str) -> None:
    etc = instance.sandbox.instance_dir / "etc"
    write_config(etc, {"dialplan/callcenter.conf": text}, instance.runtime.gid)
    instance.asterisk_cli("dialplan reload")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    instance: Instance, sipp: Sipp, agents: list[str], n: int, talk: float, recorded: bool
) -> dict[str, Any]:
    instance.asterisk_cli(f"dialplan set global RECORDINGS {'1' if recorded else '0'}")
    says = {
        "agent": str(tone_pcap(sipp.work_dir / "agent.pcap", 1000, talk + 20)),
        "caller": str(tone_pcap(sipp.work_dir / "caller.pcap", 440, talk + 20)),
    }
    phones: list[SippRun] = []
    for agent in agents[:n]:
        port = sipp.register_agent(agent, instance.secrets.agent_passwords[agent])
        phones.append(
            sipp.start(
                f"agent-{agent}",
                answer_scenario(talk + 60, 0.0, says["agent"]),
                port=port,
                timeout=talk + 120,
                trace_messages=False,
                local_ip=PHONE_IP,
            )
        )
    time.sleep(1.0)  # every phone listening
    pid = instance.sandbox.state().pid  # type: ignore[union-attr]
    since, cpu0 = datetime.now(UTC), cpu_seconds(pid)
    callers = sipp.start(
        "callers",
        caller_scenario("89161230000", hangup_after=talk, audio=says["caller"]),
        service=DIRECT,
        timeout=talk + 120,
        load=["-r", "20", "-m", str(n), "-l", str(n)],
        trace_messages=False,
    )
    callers.wait(talk + 150)
    cpu = cpu_seconds(pid) - cpu0
    for phone in phones:
        phone.wait(30)
    sipp.unregister_all()
    out: dict[str, Any] = {"calls": n, "cpu": cpu, "cpu_per_call": cpu / n}
    if recorded:
        out |= check_recordings(instance, since, n, talk)
    return out


def check_recordings(instance: Instance, since: datetime, n: int, talk: float) -> dict[str, Any]:
    engine = make_engine(instance.config.database_url)
    store = SqlRecordings(make_sessions(engine))

    def settled() -> list[Any] | None:
        found = store.search_sync(RecordingFilter(since=since), 1000, None).items
        done = [r for r in found if r.state is not RecordingState.RECORDING]
        return done if len(done) >= n else None

    try:
        recordings = until(settled, 60 + n, what=f"{n} recordings adopted")
    finally:
        engine.dispose()
    root = instance.config.state_dir / "asterisk" / "recordings"
    missing = [r for r in recordings if r.state is not RecordingState.COMPLETE]
    truncated = [r for r in recordings if r.duration < talk - 1.0]
    frames = lost = 0
    for r in recordings:
        if r.state is not RecordingState.COMPLETE:
            continue
        left, _right = channels(root / r.path)
        # The caller's tone never stops while they talk: an all-zero 20 ms frame in the
        # middle of the call is a frame the recording lost.
        body = left[8000 : len(left) - 8000]
        for i in range(0, len(body) - FRAME + 1, FRAME):
            frames += 1
            lost += not any(body[i : i + FRAME])
    minutes = sum(r.duration for r in recordings) / 60
    return {
        "recordings": len(recordings),
        "missing": len(missing),
        "truncated": len(truncated),
        "frames": frames,
        "lost_frames": lost,
        "bytes_per_minute": sum(r.bytes for r in recordings) / minutes if minutes else 0.0,
    }


def bar(share: float, most: float) -> str:
    return "█" * round(BAR * share / most) if most else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="concurrent calls, both variants")
    parser.add_argument("--talk", type=float, default=20.0, help="seconds each call talks")
    parser.add_argument("--ramp", default="10,20,40", help="concurrent recorded calls to try")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ramp = [int(x) for x in args.ramp.split(",")]
    most = max([args.calls, *ramp])
    agents = [str(1001 + k) for k in range(most)]  # the demo flows transfer to 1001
    state = Path(tempfile.mkdtemp(prefix="cc-bench-rec-", dir="/var/tmp"))
    instance, daemon = prepare(state, agents)
    work = state / "sipp"
    work.mkdir()
    sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
    try:
        daemon.start()
        plain = run(instance, sipp, agents, args.calls, args.talk, recorded=False)
        full = (instance.sandbox.instance_dir / "etc" / "dialplan" / "callcenter.conf").read_text()
        dialplan(instance, without_mixmonitor(full))
        path_only = run(instance, sipp, agents, args.calls, args.talk, recorded=False)
        dialplan(instance, full)
        recorded = run(instance, sipp, agents, args.calls, args.talk, recorded=True)
        steps = [run(instance, sipp, agents, n, args.talk, recorded=True) for n in ramp]
    finally:
        daemon.stop()
        instance.sandbox.down()
    print(f"{args.calls} concurrent queue calls, {args.talk:g} s of talk each, audio both ways")
    print(f"{'variant':<30} Asterisk CPU s  per call s")
    for name, r in (
        ("not recorded", plain),
        ("recording path, no MixMonitor", path_only),
        ("recorded", recorded),
    ):
        print(f"{name:<30} {r['cpu']:>14.2f} {r['cpu_per_call']:>11.3f}")
    print(f"CPU per call, recorded / not recorded: {ratio(recorded['cpu'], plain['cpu'])}")
    print(
        "  of which the recording path without MixMonitor (dialplan, events, the daemon):"
        f" {ratio(path_only['cpu'], plain['cpu'])}; MixMonitor itself:"
        f" {ratio(recorded['cpu'], path_only['cpu'])}"
    )
    print(
        f"recordings: {recorded['recordings']} of {args.calls}, missing {recorded['missing']},"
        f" truncated {recorded['truncated']}; disk {recorded['bytes_per_minute'] / 1e6:.2f} MB"
        " per minute of call (8 kHz, 16-bit, 2 channels)"
    )
    print("\nframes lost from the recordings as concurrent recorded calls rise:")
    shares = [s["lost_frames"] / s["frames"] if s["frames"] else 0.0 for s in steps]
    top = max(shares) or 1.0
    for s, share in zip(steps, shares, strict=True):
        print(
            f"  {s['calls']:>4} calls {share * 100:7.3f} % lost  missing {s['missing']}"
            f"  CPU/call {s['cpu_per_call']:.3f} s  {bar(share, top)}"
        )
    clean = [s["calls"] for s, share in zip(steps, shares, strict=True) if share < 0.001]
    print(f"most concurrent recorded calls with < 0.1 % frames lost: {max(clean, default=0)}")
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
