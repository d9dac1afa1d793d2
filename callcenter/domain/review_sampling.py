"""Which calls to review, so reviewers do not choose: per agent, a number of their recorded
calls drawn at random (stable for the period: the same week draws the same calls), plus
every call whose caller scored it low, plus their longest calls (at or above the period's
90th percentile of talk time), up to an extra number each. Calls already evaluated are
never drawn again. Pure rules (no I/O)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence


@dataclasses.dataclass(frozen=True)
class Candidate:
    recording_id: int
    agent: str
    talk: float  # seconds
    csat: int | None = None  # the caller's survey score, if any


@dataclasses.dataclass(frozen=True)
class SamplingRule:
    per_agent: int = 2  # drawn at random per agent and period
    low_csat: int = 2  # a score at or below this is drawn too…
    extra_low_csat: int = 2  # …up to this many per agent
    extra_long: int = 1  # the longest calls (talk >= p90), up to this many per agent


@dataclasses.dataclass(frozen=True)
class Pick:
    recording_id: int
    agent: str
    reason: str  # random, low_csat, long


def _draw(seed: str, recording_id: int) -> str:
    return hashlib.sha256(f"{seed}:{recording_id}".encode()).hexdigest()


def p90(values: Sequence[float]) -> float:
    if not values:
        return float("inf")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def sample(
    candidates: Iterable[Candidate], reviewed: set[int], rule: SamplingRule, seed: str
) -> list[Pick]:
    """The calls to review this period, per agent: random, then low CSAT, then long."""
    calls = [c for c in candidates if c.recording_id not in reviewed]
    long_from = p90([c.talk for c in calls])
    picks: list[Pick] = []
    for agent in sorted({c.agent for c in calls}):
        mine = sorted(
            (c for c in calls if c.agent == agent), key=lambda c: _draw(seed, c.recording_id)
        )
        low = [c for c in mine if c.csat is not None and c.csat <= rule.low_csat]
        long = sorted((c for c in mine if c.talk >= long_from), key=lambda c: -c.talk)
        taken: set[int] = set()
        for found, n, reason in ((mine, rule.per_agent, "random"),
                                 (low, rule.extra_low_csat, "low_csat"),
                                 (long, rule.extra_long, "long")):  # fmt: skip
            for c in [c for c in found if c.recording_id not in taken][:n]:
                taken.add(c.recording_id)
                picks.append(Pick(c.recording_id, agent, reason))
    return picks
