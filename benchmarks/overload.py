"""Overload: callers offered above the recorded knee with admission control on, recordings
on — the same callers as ``benchmarks.recorded_knee`` (through the IVR into the support
queue, SIPp agents talking, audio from the caller), at ``--times`` times the knee for
``--minutes`` each, ``[admission]`` set from the knee (``--max-rate``, ``--max-calls``).

Per load: callers offered; admitted (the daemon took them: their IVR record) and of those
lost (SIPp failed them); told (the dialplan's announcement and offer: its log line); of
those, asked (1 or silence: the capacity spool, imported as a call), and of those, stored
(a callback request, source "capacity": one asked for and not stored is a callback lost);
any caller neither admitted nor told. Callers past ``max_told`` being told at once are
refused with 503 (told so; SIPp counts them failed by design). Call setup p50/p95 of every
caller answered (INVITE → 200 OK); Asterisk's CPU.
Targets: 0 admitted calls lost, every other caller told, 0 callbacks lost.

    .venv/bin/python -m benchmarks.overload --knee 6 --max-calls 60 [--times 1.5,2 --minutes 5]
        [--max-entry-lag 0]   # the door blind to callers the daemon takes late (to compare)
        [--max-told 0]        # every caller beyond the load offered a callback (to compare)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import re
import tempfile
import time
from pathlib import Path

from sqlalchemy import bindparam, text

from benchmarks.recorded_knee import callers_and_agents, drained, place_callers, read_rtts
from benchmarks.soak import Rig, totals
from benchmarks.stats import keep_or_remove, ms, percentile
from callcenter.asterisk.process_cpu import cpu_seconds
from callcenter.config_admission import AdmissionConfig
from callcenter.store.db import make_engine
from tests.support.sipp import Sipp

log = logging.getLogger("benchmarks.overload")


@dataclasses.dataclass
class Load:
    times: float
    rate: float
    offered: int = 0
    succeeded: int = 0  # SIPp: the call ended normally (admitted and talked, or told)
    failed: int = 0
    admitted: int = 0
    admitted_lost: int = 0
    offered_callback: int = 0  # told: the announcement and the offer (the dialplan's)
    refused: int = 0  # told with 503: beyond max_told callers being told at once
    promised: int = 0  # of those, asked for it (1 or silence: the capacity spool)
    callbacks: int = 0  # of those, with a callback request stored (source "capacity")
    setup: list[float] = dataclasses.field(default_factory=list)
    cpu_share: float = 0.0
    most_up: int = 0
    told_why: dict[str, int] = dataclasses.field(default_factory=dict)  # by the door's reason


def outcomes(rig: Rig, numbers: list[str]) -> tuple[set[str], dict[str, str], set[str], set[str]]:
    """Callers the daemon took into the IVR (admitted); callers the dialplan did not admit
    and offered a callback (told: its log line); of those, the ones who asked for it (the
    capacity spool imported: a call without a flow); and the numbers with a callback
    request from admission (stored). The told come with why (calls, rate, a signal)."""
    engine = make_engine(rig.instance.config.database_url)
    ours = {f"+{n}" for n in numbers} | set(numbers)
    try:
        with engine.connect() as conn:
            query = text("SELECT caller, flow, outcome FROM calls WHERE caller IN :numbers")
            query = query.bindparams(bindparam("numbers", expanding=True))
            rows = conn.execute(query, {"numbers": sorted(ours)}).all()
            asked_for = conn.execute(
                text("SELECT number FROM callbacks WHERE source = 'capacity'")
            ).scalars()
            stored = {n.lstrip("+") for n in asked_for if n in ours}
    finally:
        engine.dispose()
    log = rig.instance.sandbox.instance_dir / "log" / "messages.log"
    said = re.findall(
        r"admission: \+?(\d+) not admitted \(([a-z_,]*)\)", log.read_text(errors="replace")
    )
    mine = {n.lstrip("+") for n in ours}
    told = {number: why for number, why in said if number in mine}
    admitted = {c.lstrip("+") for c, flow, _o in rows if flow}
    asked = {c.lstrip("+") for c, flow, _o in rows if not flow}
    return admitted, told, asked, stored & asked


def offer(rig: Rig, sipp: Sipp, load: Load, seconds: float, tone: str, first: int) -> Load:
    calls = load.offered = max(1, round(load.rate * seconds))
    numbers = [f"7916{first + n:07d}" for n in range(calls)]
    csv = sipp.work_dir / f"over-{load.times:g}.csv"
    csv.write_text("SEQUENTIAL\n" + "".join(f"{n};\n" for n in numbers))
    stats = csv.with_suffix(".stats.csv")
    name = f"over-{load.times:g}"
    pid = rig.asterisk_pid() or 0
    cpu0, began = cpu_seconds(pid) or 0.0, time.monotonic()
    load.most_up = place_callers(rig, sipp, name, load.rate, calls, csv, tone, seconds + 400)
    load.cpu_share = ((cpu_seconds(pid) or 0.0) - cpu0) / (time.monotonic() - began)
    load.succeeded, load.failed = totals(stats)
    load.setup = read_rtts(rig, name)
    drained(rig, 30.0)  # callback placeholders stay up: a short wait only
    time.sleep(5.0)  # the last callback requests committed
    admitted, told, asked, stored = outcomes(rig, numbers)
    load.admitted = len(admitted)
    load.refused = sum(1 for why in told.values() if why == "told")
    load.offered_callback = len(told) - load.refused
    for why in told.values():
        load.told_why[why] = load.told_why.get(why, 0) + 1
    load.promised, load.callbacks = len(asked), len(stored)
    # A caller SIPp failed who was admitted (a refused caller fails by design, told so by
    # the 503): an admitted call lost.
    load.admitted_lost = max(0, load.admitted + load.offered_callback - load.succeeded)
    return load


def report(loads: list[Load], env: dict[str, str]) -> None:
    print("[admission] " + ", ".join(f"{k.rsplit('__')[-1].lower()} = {v}" for k, v in env.items()))
    print(
        f"{'load':>5} {'rate/s':>6} {'offered':>7} {'admitted':>8} {'lost':>5}"
        f" {'told':>5} {'503':>5} {'asked':>6} {'stored':>6} {'untold':>6}"
        f" {'setup p50':>9} {'p95 ms':>7}"
        f" {'up':>4} {'Ast CPU':>7}"
    )
    for x in loads:
        untold = x.offered - x.admitted - x.offered_callback - x.refused
        print(
            f"{x.times:>4g}x {x.rate:>6g} {x.offered:>7} {x.admitted:>8} {x.admitted_lost:>5}"
            f" {x.offered_callback:>5} {x.refused:>5} {x.promised:>6} {x.callbacks:>6} {untold:>6}"
            f" {ms(percentile(x.setup, 50)):>9} {ms(percentile(x.setup, 95)):>7}"
            f" {x.most_up:>4} {x.cpu_share:>6.0%}"
        )
    for x in loads:
        whys = ", ".join(f"{why} {n}" for why, n in sorted(x.told_why.items())) or "-"
        print(f"{x.times:>4g}x told because: {whys}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knee", type=float, required=True, help="recorded knee, calls/s")
    parser.add_argument("--max-calls", type=int, required=True)
    parser.add_argument("--max-rate", type=int, default=0, help="default: the knee")
    parser.add_argument("--times", default="1.5,2")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--talk", type=float, default=4.0)
    parser.add_argument("--agents", type=int, default=40)
    parser.add_argument(
        "--max-entry-lag",
        type=float,
        default=AdmissionConfig.max_entry_lag,
        help="seconds (0: not watched, to compare)",
    )
    parser.add_argument(
        "--max-told",
        type=int,
        default=AdmissionConfig.max_told,
        help="callers told at once before 503 (0: no limit, to compare)",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    max_rate = args.max_rate or int(args.knee)
    state = Path(tempfile.mkdtemp(prefix="cc-bench-over-", dir="/var/tmp"))
    shipped = AdmissionConfig()  # the live signals as shipped (the suite turns them off)
    env = {
        "CALLCENTER_ADMISSION__MAX_CALLS": str(args.max_calls),
        "CALLCENTER_ADMISSION__MAX_RATE": str(max_rate),
        "CALLCENTER_ADMISSION__MAX_LOOP_LAG": str(shipped.max_loop_lag),
        "CALLCENTER_ADMISSION__MAX_ASTERISK_CPU": str(shipped.max_asterisk_cpu),
        "CALLCENTER_ADMISSION__MAX_ENTRY_LAG": str(args.max_entry_lag),
        "CALLCENTER_ADMISSION__MAX_TOLD": str(args.max_told),
    }
    rig = Rig(state, args.agents, "", extra=env)
    loads: list[Load] = []
    with rig.running():
        sipp, tone, phones = callers_and_agents(rig, state, args.talk)
        first = 1
        for times in (float(t) for t in args.times.split(",")):
            load = offer(rig, sipp, Load(times, times * args.knee), args.minutes * 60, tone, first)
            first += load.offered
            log.info("load %s", dataclasses.replace(load, setup=[]))
            loads.append(load)
        for phone in phones:
            phone.process.kill()
            phone.process.wait()
    report(loads, env)
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
