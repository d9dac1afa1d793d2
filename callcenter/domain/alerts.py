"""Targets and alerts: a queue whose callers wait too many or too long, whose service level
fell under its target or whose abandonment rose over its limit, an agent paused longer than
their reason allows. Pure: what is breached now, and what was raised or cleared since the
last look.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from callcenter.domain.reports import Figures, Targets

RULES = (
    "waiting",
    "longest_wait",
    "service_level",
    "abandonment_rate",
    "pause_length",
    "promise_kept_share",  # promises of the last 7 days (callbacks' calibration)
    "promise_median_left",
)
MIN_CALLS = 5  # a rate over fewer of today's calls says nothing yet


@dataclasses.dataclass(frozen=True)
class Alert:
    rule: str
    subject: str  # the queue, or the agent
    value: float
    limit: float
    since: datetime

    @property
    def key(self) -> tuple[str, str]:
        return self.rule, self.subject


Breaches = dict[tuple[str, str], tuple[float, float]]


def breaches(
    queues: Sequence[tuple[str, int, float]],
    today: Mapping[str, Figures],
    paused: Sequence[tuple[str, str, float]],
    targets: Callable[[str], Targets],
    pause_limits: Mapping[str, float],
) -> Breaches:
    """What is over its limit now: ``queues`` as (queue, waiting, longest wait),
    ``today`` each queue's figures so far, ``paused`` as (agent, reason, seconds)."""
    out: Breaches = {}
    for queue, waiting, longest in queues:
        t = targets(queue)
        if t.max_waiting and waiting > t.max_waiting:
            out["waiting", queue] = (waiting, t.max_waiting)
        if t.max_wait and longest > t.max_wait:
            out["longest_wait", queue] = (round(longest, 1), t.max_wait)
    for queue, f in today.items():
        t = targets(queue)
        counted = f.offered - f.short_abandoned
        if counted < MIN_CALLS:
            continue
        if f.service_level is not None and f.service_level * 100 < t.target:
            out["service_level", queue] = (round(f.service_level * 100, 1), t.target)
        rate = (f.abandonment_rate or 0.0) * 100
        if t.max_abandon_rate and rate > t.max_abandon_rate:
            out["abandonment_rate", queue] = (round(rate, 1), t.max_abandon_rate)
    for agent, reason, seconds in paused:
        limit = pause_limits.get(reason)
        if limit and seconds > limit:
            out["pause_length", agent] = (round(seconds), limit)
    return out


def step(
    active: Mapping[tuple[str, str], Alert], now: Breaches, at: datetime
) -> tuple[dict[tuple[str, str], Alert], list[Alert], list[Alert]]:
    """(alerts active after this look, those raised, those cleared)."""
    after: dict[tuple[str, str], Alert] = {}
    raised = []
    for key, (value, limit) in now.items():
        known = active.get(key)
        alert = Alert(*key, value, limit, known.since if known else at)
        after[key] = alert
        if known is None:
            raised.append(alert)
    cleared = [a for k, a in active.items() if k not in now]
    return after, raised, cleared


def pause_limits(entries: Sequence[str]) -> dict[str, float]:
    """``["lunch=60", …]`` (minutes) → {reason: seconds}; a malformed entry names itself."""
    out = {}
    for entry in entries:
        reason, _, minutes = entry.partition("=")
        try:
            value = float(minutes)
        except ValueError:
            value = -1.0
        if not reason.strip() or value <= 0:
            raise ValueError(
                f"reports.pause_limits: {entry!r} is not REASON=MINUTES (e.g. lunch=60)"
            )
        out[reason.strip()] = value * 60
    return out
