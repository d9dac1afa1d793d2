"""Queue figures a supervisor reads: service level, average speed of answer, abandonment,
average handle time — and the estimated wait we announce to callers.

The estimate is ours, from measured handle times, not app_queue's ``holdtime`` (an
exponential average of waits that ignores how many agents serve the queue): a caller at
position ``p`` with ``n`` agents able to answer waits about ``ceil(p / n)`` handle times,
less what the agents on calls have already spent.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from callcenter.domain.reports import Figures, Targets, figures, tally


@dataclasses.dataclass(frozen=True)
class QueueCall:
    """One finished queue call: waited ``wait`` seconds, then was answered (talk and
    wrap-up seconds), abandoned (``answered`` false), or left unanswered still on the line
    (``left``: timeout, full, no_agents — on to the overflow)."""

    wait: float
    answered: bool
    talk: float = 0.0
    wrap_up: float = 0.0
    left: str = ""


@dataclasses.dataclass(frozen=True)
class QueueKpis:
    offered: int
    answered: int
    abandoned: int  # the caller hung up while waiting (short abandons apart)
    service_level: (
        float | None
    )  # share answered within the threshold (of calls not abandoned early)
    average_speed_of_answer: float | None
    abandonment_rate: float | None
    average_handle_time: float | None
    timed_out: int = 0  # left unanswered to the overflow: timeout, full, no agents
    short_abandoned: int = 0  # hung up within the short-abandon threshold: out of the rates


def kpis_of(f: Figures) -> QueueKpis:
    """A report's figures as the board shows them."""
    return QueueKpis(
        offered=f.offered,
        answered=f.answered,
        abandoned=f.abandoned,
        service_level=f.service_level,
        average_speed_of_answer=f.average_speed_of_answer,
        abandonment_rate=f.abandonment_rate,
        average_handle_time=f.average_handle_time,
        timed_out=f.overflowed,
        short_abandoned=f.short_abandoned,
    )


def kpis(
    calls: Sequence[QueueCall], threshold: float = 20.0, short_abandon: float = 5.0
) -> QueueKpis:
    """Figures of finished calls, by the reports' own rules (:mod:`callcenter.domain.reports`):
    calls abandoned within ``short_abandon`` seconds are counted apart and left out of the
    rates; calls that left unanswered to the overflow count against the service level,
    not as abandoned."""
    targets = Targets(threshold=threshold, short_abandon=short_abandon)
    legs = (
        ("answered" if c.answered else (c.left or "abandoned"), c.wait, c.talk, c.wrap_up, "")
        for c in calls
    )
    return kpis_of(figures(tally(legs, targets), targets))


def estimated_wait(
    position: int,
    agents_serving: int,
    handle_time: float,
    busy_for: Sequence[float] = (),
) -> float | None:
    """Seconds until the caller at ``position`` (1 = next) is likely answered; None when
    no agent serves the queue (no honest estimate exists: announce nothing)."""
    if agents_serving <= 0 or handle_time <= 0:
        return None
    rounds = math.ceil(position / agents_serving)
    # The first round frees up as the busy agents finish their current calls.
    remaining = sorted(max(0.0, handle_time - spent) for spent in busy_for)
    first = remaining[(position - 1) % agents_serving] if len(remaining) >= agents_serving else 0.0
    return first + (rounds - 1) * handle_time
