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
    abandoned: int  # the caller hung up while waiting
    service_level: (
        float | None
    )  # share answered within the threshold (of calls not abandoned early)
    average_speed_of_answer: float | None
    abandonment_rate: float | None
    average_handle_time: float | None
    timed_out: int = 0  # left unanswered to the overflow: timeout, full, no agents


def kpis(
    calls: Sequence[QueueCall], threshold: float = 20.0, short_abandon: float = 5.0
) -> QueueKpis:
    """Today's figures. Calls abandoned within ``short_abandon`` seconds are left out of the
    service level (the caller hung up before anyone could answer: the usual convention);
    calls that left unanswered to the overflow count against it, not as abandoned."""
    answered = [c for c in calls if c.answered]
    abandoned = [c for c in calls if not c.answered and not c.left]
    timed_out = [c for c in calls if not c.answered and c.left]
    counted = [c for c in calls if c.answered or c.left or c.wait > short_abandon]
    within = [c for c in answered if c.wait <= threshold]
    return QueueKpis(
        offered=len(calls),
        answered=len(answered),
        abandoned=len(abandoned),
        service_level=len(within) / len(counted) if counted else None,
        average_speed_of_answer=_mean([c.wait for c in answered]),
        abandonment_rate=len(abandoned) / len(calls) if calls else None,
        average_handle_time=_mean([c.talk + c.wrap_up for c in answered]),
        timed_out=len(timed_out),
    )


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


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
