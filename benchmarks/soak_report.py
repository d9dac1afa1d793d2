"""The soak's report: totals, the fault table, memory drawn over time, slopes per hour."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from benchmarks.stats import percentile

if TYPE_CHECKING:
    from benchmarks.soak import Soak


WARM_UP = 300.0  # seconds: the slope "after warm-up" leaves these out


def slope_per_hour(series: list[tuple[float, float]], after: float = 0.0) -> float:
    """MB per hour over the longest stretch without a restart (a drop of over 30 %), of
    the samples ``after`` seconds into the run."""
    stretches: list[list[tuple[float, float]]] = [[]]
    for t, mb in (p for p in series if p[0] >= after):
        if stretches[-1] and mb < 0.7 * stretches[-1][-1][1]:
            stretches.append([])
        stretches[-1].append((t, mb))
    best = max(stretches, key=len)
    if len(best) < 3:
        return math.nan
    n = len(best)
    mean_t = sum(t for t, _ in best) / n
    mean_m = sum(m for _, m in best) / n
    var = sum((t - mean_t) ** 2 for t, _ in best)
    cov = sum((t - mean_t) * (m - mean_m) for t, m in best)
    return cov / var * 3600 if var else math.nan


def between_faults(r: Soak, series: list[tuple[float, float]]) -> list[str]:
    """MB per hour in each stretch between faults (from 60 s after one to the next; the
    first from 2 minutes in): which fault, if any, the growth follows."""
    marks = [(0.0, "start")] + [(f.at, f.name) for f in r.faults]
    ends = [f.at for f in r.faults] + [r.seconds]
    lines = []
    for (began, name), end in zip(marks, ends, strict=True):
        # 60 s after a fault; from the start, past the first calls' growth (half-way at most)
        start = began + 60.0 if name != "start" else min(120.0, end / 2)
        stretch = [(t, mb) for t, mb in series if start <= t < end]
        rate = slope_per_hour(stretch) if len(stretch) >= 3 else math.nan
        span = f"{start / 60:5.1f} to {end / 60:5.1f} min"
        lines.append(f"  after {name:<17} {span}  {rate:+8.1f} MB/h")
    return lines


def chart(series: list[tuple[float, float]], width: int = 60, height: int = 8) -> list[str]:
    """Memory over time as rows of blocks (one column per time slice)."""
    if not series:
        return ["  (no samples)"]
    end = series[-1][0] or 1.0
    cols: list[list[float]] = [[] for _ in range(width)]
    for t, mb in series:
        cols[min(width - 1, int(t / end * width))].append(mb)
    values = [max(c) if c else math.nan for c in cols]
    top = max(v for v in values if not math.isnan(v))
    low = min(v for v in values if not math.isnan(v))
    span = (top - low) or 1.0
    rows = []
    for level in range(height, 0, -1):
        row = "".join(
            " " if math.isnan(v) else ("█" if (v - low) / span * height >= level - 0.5 else " ")
            for v in values
        )
        label = low + span * level / height
        rows.append(f"  {label:7.1f} MB |{row}")
    rows.append(f"  {'':7}    +{'-' * width} {end / 60:.1f} min")
    return rows


HELD = (
    ("channels", "channels"),
    ("bridges", "bridges"),
    ("taskprocessor_queued", "queued"),
    ("ami_eventq", "AMI evq"),
    ("ami_sessions", "AMI ses"),
    ("stasis_topics", "topics"),
    ("taskprocessors", "tps"),
    ("threads", "threads"),
    ("ari_apps", "ARI apps"),
)


def held_table(r: Soak) -> list[str]:
    """What Asterisk held each minute, next to its memory then: the column that climbs
    with the memory while the calls stay level is where the growth is."""
    head = "    min      RSS " + "".join(f"{label:>9}" for _, label in HELD)
    rows = [head]
    for t, st in r.states:
        rss = min(r.asterisk_rss, key=lambda p: abs(p[0] - t), default=(t, math.nan))[1]
        cells = "".join(f"{st.get(key, -1):>9}" for key, _ in HELD)
        rows.append(f"  {t / 60:5.1f} {rss:8.1f} {cells}")
    return rows


def heap_table(r: Soak) -> list[str]:
    """The daemon's RSS next to its C heap (in use, free but kept, mmapped, given back so
    far) and CPython's blocks: which of them climbs with the RSS."""
    rows = ["  min    RSS MB  in use  free kept  mmapped  trimmed  Python blocks"]
    for t, h in r.daemon_heap:
        rss = min(r.daemon_rss, key=lambda p: abs(p[0] - t), default=(t, math.nan))[1]
        cells = "".join(
            f"{h.get(k, math.nan):>{w}.1f}"
            for k, w in (("in_use", 8), ("free", 11), ("mmapped", 9), ("trimmed", 9))
        )
        rows.append(f"  {t / 60:5.1f} {rss:8.1f}{cells} {h.get('python_blocks', math.nan):>14,.0f}")
    return rows


def lost_table(r: Soak, window: float = 150.0) -> list[str]:
    """The calls SIPp gave up: counted by reason at each fault, and listed one by one
    where no fault began in the ``window`` seconds before."""
    at_fault: dict[str, int] = {}
    rows = []
    for t, lost in r.lost:
        fault = [f for f in r.faults if f.at <= t <= f.at + window]
        if fault:
            key = f"{fault[-1].name}: {lost.reason[:70]}"
            at_fault[key] = at_fault.get(key, 0) + 1
        else:
            rows.append(f"  {t:7.1f} s  caller {lost.caller or '?':<12} {lost.reason[:90]}")
    lines = [f"  {n:>5} calls, {key}" for key, n in sorted(at_fault.items())]
    return [*lines, f"  at no fault: {len(rows)}", *rows]


def report(r: Soak) -> str:
    lag = sorted(r.lag_p99)
    lines = [
        f"soak: {r.seconds / 60:g} min, {r.offered} callers offered",
        f"  answered {r.answered}, lost {r.failed} "
        f"({r.failed / r.offered * 100 if r.offered else 0:.2f} %)",
        f"  record: {r.recorded} callers in the call log, {r.unrecorded} answered but never "
        f"recorded, {r.missing} ended calls missing from their ticket, {r.duplicated} recorded "
        "twice",
        f"  event-loop lag p99 over the run (per-minute p99, sampled every 5 s): median "
        f"{percentile(lag, 50):.1f} ms, worst {max(lag, default=math.nan):.1f} ms",
        f"  AMI+ARI received per answered call (since the daemon's last start): "
        f"{(r.ami_bytes + r.ari_bytes) / max(1, r.answered):.0f} B "
        f"(AMI {r.ami_bytes / max(1, r.answered):.0f}, ARI {r.ari_bytes / max(1, r.answered):.0f})",
        f"  memory slope: daemon {slope_per_hour(r.daemon_rss):+.1f} MB/h, Asterisk "
        f"{slope_per_hour(r.asterisk_rss):+.1f} MB/h (longest stretch without a restart);"
        f" after {WARM_UP / 60:g} min of warm-up: daemon"
        f" {slope_per_hour(r.daemon_rss, WARM_UP):+.1f} MB/h, Asterisk"
        f" {slope_per_hour(r.asterisk_rss, WARM_UP):+.1f} MB/h",
        "  Asterisk's heap at the end: "
        + (
            f"{r.trimmed[0]:.0f} MB, {r.trimmed[1]:.0f} MB after malloc_trim (freed but kept"
            f" by glibc: {r.trimmed[0] - r.trimmed[1]:.0f} MB)"
            if r.trimmed
            else "(not trimmed: no gdb)"
        ),
        "  left behind at the end: "
        + (", ".join(f"{k} {v}" for k, v in r.left.items()) if r.left else "(not read)"),
        "",
        "fault               at (s)  lost calls  /healthz green after (s)",
    ]
    for f in r.faults:
        green = "never (120 s)" if f.recovered_after is None else f"{f.recovered_after:.1f}"
        lines.append(f"  {f.name:<17} {f.at:>6.0f}  {f.failed_calls:>10}  {green:>24}")
    if r.lost:
        lines += ["", "calls SIPp gave up (its error file):", *lost_table(r)]
    if r.states:
        lines += ["", "Asterisk over the run (every minute):", *held_table(r)]
    if r.daemon_heap:
        lines += ["", "the daemon's heap (every minute):", *heap_table(r)]
    lines += ["", "daemon memory:", *chart(r.daemon_rss)]
    lines += ["", "Asterisk memory:", *chart(r.asterisk_rss)]
    lines += ["", "Asterisk memory slope between faults:", *between_faults(r, r.asterisk_rss)]
    lines += ["", "daemon memory slope between faults:", *between_faults(r, r.daemon_rss)]
    return "\n".join(lines)
