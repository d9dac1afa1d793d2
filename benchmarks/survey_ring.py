"""Does the post-call survey cost the agent their next call? The same load in one run on
one Asterisk and daemon — SIPp agents that answer, talk 5 s and hang up, callers into the
support queue through the IVR (queue_load's method, "B4") — with support's survey off and
on in turns (off, on, off, on … ``--rounds`` times: a drift of the machine falls on both),
the callers staying on the line for the survey after their agent hangs up. Read off the SIP
on loopback: agent hangs up (free again) → app_queue's next INVITE to that agent, pooled per
arm, p50 / p95 / max, and callers lost.

    .venv/bin/python -m benchmarks.survey_ring [--agents 10 --callers 40 --rate 2 --rounds 3]
"""

from __future__ import annotations

import sys
from typing import cast

from benchmarks.capture import LoopbackCapture
from benchmarks.queue_load import load_args, load_setup, run_variant
from benchmarks.stats import keep_or_remove, ms, percentile, ratio


def _rounds() -> int:
    """``--rounds N`` (taken off the command line before the load options are read)."""
    if "--rounds" not in sys.argv:
        return 3
    at = sys.argv.index("--rounds")
    n = int(sys.argv[at + 1])
    del sys.argv[at : at + 2]
    return n


def main() -> None:
    rounds = _rounds()
    args = load_args(__doc__.splitlines()[0], agents=10, rate=2.0)
    state, instance, daemon, sipp, callers_csv, agents, _ = load_setup("cc-bench-survey-", args)
    a = instance.config.asterisk
    results: dict[str, dict[str, list[float]]] = {
        arm: {"free_to_ring": [], "ok": [], "failed": []} for arm in ("survey off", "survey on")
    }
    try:
        daemon.start()
        with LoopbackCapture([range(a.sip_port, a.sip_port + 1)]) as capture:
            for _ in range(rounds):
                for arm, on in (("survey off", "0"), ("survey on", "1")):
                    instance.asterisk_cli(f"dialplan set global SURVEY_support {on}")
                    r = run_variant(instance, sipp, capture, agents, args, True, callers_csv)
                    results[arm]["free_to_ring"] += cast(list[float], r["free_to_ring"])
                    results[arm]["ok"].append(cast(int, r["ok"]))
                    results[arm]["failed"].append(cast(int, r["failed"]))
    finally:
        daemon.stop()
        instance.sandbox.down()
    surveyed = daemon.log().count("survey of call")
    print(f"{args.agents} agents (talk 5 s), {args.callers} callers at {args.rate:g}/s an arm, "
          f"{rounds} rounds of off then on, one run")  # fmt: skip
    print("arm          answered lost  agent free → next ring p50 / p95 / max ms")
    p95 = {}
    for arm, pooled in results.items():
        d = pooled["free_to_ring"]
        p95[arm] = percentile(d, 95)
        most = ms(max(d) if d else float("nan"))
        late = sum(1 for x in d if x > 1.0)  # app_queue's next look, a second later
        print(f"{arm:<12} {sum(pooled['ok']):>8.0f} {sum(pooled['failed']):>4.0f}  "
              f"{ms(percentile(d, 50)):>8} "
              f"{ms(p95[arm]):>8} {most:>8}  ({len(d)} rings, {late} over 1 s)")  # fmt: skip
    print(
        f"p95 on / off: {ratio(p95['survey on'], p95['survey off'])}; "
        f"surveys imported: {surveyed} (the on arms' callers: {rounds * args.callers})"
    )
    keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
