"""Topics: how often each tag is put on tickets, and when a tag spikes. Pure.

A **spike** is a tag's count in the last hour far above what its own history predicts for
that hour of that weekday: the expected count is the mean over the same hour-of-week of
the previous ``weeks`` weeks, blended with the tag's mean hour over those weeks (so a tag
seen rarely at 3 a.m. on Mondays is not judged on three zeros alone), at least
``floor``; the count must reach the Poisson upper quantile of that expectation at
``1 - alpha`` and at least ``min_count`` — a handful of tickets is never a spike."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class SpikePolicy:
    weeks: int = 4  # of history looked at
    alpha: float = 0.001  # how unlikely the count must be under the expectation
    min_count: int = 5
    floor: float = 0.2  # the least expected count an hour (a tag never seen still has one)
    blend: float = 0.3  # the weight of the tag's mean hour in the expectation


@dataclasses.dataclass(frozen=True)
class Spike:
    tag: str
    count: int  # in the hour ending at ``at``
    expected: float
    threshold: int  # the count a spike needs
    at: datetime


def poisson_threshold(expected: float, alpha: float) -> int:
    """The least k with P(X ≥ k) ≤ alpha for X ~ Poisson(expected)."""
    term = math.exp(-expected)
    cumulative, k = term, 0
    while 1 - cumulative > alpha:
        k += 1
        term *= expected / k
        cumulative += term
    return k + 1


DEFAULT = SpikePolicy()


def spikes(
    uses: Iterable[tuple[str, datetime]], now: datetime, policy: SpikePolicy = DEFAULT
) -> list[Spike]:
    """``uses``: (tag, when) from ``policy.weeks`` weeks before ``now - 1 h`` up to ``now``."""
    start = now - HOUR
    history_start = start - policy.weeks * WEEK
    current: defaultdict[str, int] = defaultdict(int)
    same_hour: defaultdict[str, int] = defaultdict(int)  # the same hour-of-week, earlier
    total: defaultdict[str, int] = defaultdict(int)
    for tag, at in uses:
        if start < at <= now:
            current[tag] += 1
        elif history_start < at <= start:
            total[tag] += 1
            if _same_hour_of_week(at, start):
                same_hour[tag] += 1
    hours = policy.weeks * 7 * 24
    found = []
    for tag, count in current.items():
        expected = _expected(same_hour[tag] / policy.weeks, total[tag] / hours, policy)
        threshold = max(poisson_threshold(expected, policy.alpha), policy.min_count)
        if count >= threshold:
            found.append(Spike(tag, count, round(expected, 2), threshold, now))
    return sorted(found, key=lambda s: (-s.count / max(s.expected, 1e-9), s.tag))


def _expected(same_hour: float, mean_hour: float, policy: SpikePolicy) -> float:
    return max((1 - policy.blend) * same_hour + policy.blend * mean_hour, policy.floor)


def _same_hour_of_week(at: datetime, start: datetime) -> bool:
    """``at`` lies in the hour (start, start + 1 h] a whole number of weeks earlier."""
    return (start - at) % WEEK >= WEEK - HOUR


def hourly(uses: Iterable[tuple[str, datetime]], since: datetime) -> dict[str, list[int]]:
    """Counts per tag and hour from ``since`` (the trend drawn): index 0 is ``since``'s."""
    out: dict[str, list[int]] = defaultdict(list)
    for tag, at in uses:
        slot = int((at - since) / HOUR)
        if slot < 0:
            continue
        counts = out[tag]
        counts.extend([0] * (slot + 1 - len(counts)))
        counts[slot] += 1
    return dict(out)
