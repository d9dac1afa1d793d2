"""What the daemon itself saw in each step of the IVR benchmark: loop lag (drawn) and the
AMI/ARI traffic per call, filters on and off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks.daemon_metrics import bars
from benchmarks.stats import ms, ratio

if TYPE_CHECKING:
    from benchmarks.ivr_vs_dialplan import StepResult


def daemon_report(results: list[StepResult]) -> list[str]:
    """What the daemon itself saw in each step: its loop lag and what AMI/ARI sent it."""
    lines = [
        "daemon: event-loop lag (bucket upper bounds) and AMI/ARI traffic per call",
        "variant   filters rate/s  lag p50/p99/max ms   AMI B/call ev/call   ARI B/call ev/call",
    ]
    for r in results:
        m = r.metrics
        if m is None:
            continue
        lines.append(
            f"{r.variant:<9} {'on' if r.filters else 'off':<7} {r.rate:>6g}  "
            f"{ms(m.lag_quantile(0.5)):>5} {ms(m.lag_quantile(0.99)):>5} "
            f"{ms(m.lag_max_bucket()):>6}   "
            f"{r.per_call('callcenter_ami_received_bytes_total'):>10.0f} "
            f"{r.per_call('callcenter_ami_received_events_total'):>7.1f}   "
            f"{r.per_call('callcenter_ari_received_bytes_total'):>10.0f} "
            f"{r.per_call('callcenter_ari_received_events_total'):>7.1f}"
        )
    lines += ["", "AMI+ARI bytes per call, filters off / on (same variant, same rate):"]
    on = {(r.variant, r.rate): r for r in results if r.filters}
    for r in (r for r in results if not r.filters):
        f = on.get((r.variant, r.rate))
        if f is None:
            continue
        total = [
            x.per_call("callcenter_ami_received_bytes_total")
            + x.per_call("callcenter_ari_received_bytes_total")
            for x in (r, f)
        ]
        lines.append(
            f"  {r.variant:<9} {r.rate:g}/s: {total[0]:.0f} / {total[1]:.0f} B "
            f"= {ratio(total[0], total[1])}x fewer with filters"
        )
        if r.metrics and f.metrics:
            top = sorted(
                r.metrics.by_label("callcenter_ami_received_events_total", "event").items(),
                key=lambda kv: -kv[1],
            )[:6]
            lines.append(
                "    AMI unfiltered, most sent: "
                + ", ".join(f"{k} {v / r.calls:.1f}/call" for k, v in top)
            )
    for r in results:
        if r.metrics is not None and r.variant == "flow" and r.filters:
            lines += ["", f"event-loop lag, flow at {r.rate:g}/s (ticks every 20 ms):"]
            lines += bars(r.metrics.lag_buckets())
    return lines
