"""Our queue legs set against Asterisk's own ``queue_log``: every difference with its call.
Pure: the store hands our legs, the edge the log's lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

from callcenter.domain.event_log import Leg, LoggedEvent, leg_after

WAIT_TOLERANCE = 1.5  # s: queue_log counts whole seconds, we count milliseconds
# A caller refused at the door (the queue full, or nobody to join) never entered the queue:
# app_queue writes no queue_log line for them, while the dialplan tells us (QUEUESTATUS).
REFUSED_AT_JOIN = frozenset({"full", "no_agents"})


@dataclasses.dataclass(frozen=True)
class Difference:
    call_id: str
    queue: str
    what: str  # missing_here, missing_in_queue_log, outcome, wait
    ours: str = ""
    theirs: str = ""


def legs_of(events: Iterable[LoggedEvent]) -> dict[tuple[str, str], Leg]:
    """The legs a run of queue_log events makes, by (call, queue)."""
    legs: dict[tuple[str, str], Leg] = {}
    for e in sorted(events, key=lambda e: e.at):
        key = (e.call_id, e.queue)
        after = leg_after(legs.get(key), e)
        if after is not None:
            legs[key] = after
    return {k: v for k, v in legs.items() if v.outcome != "waiting"}


def compare(ours: Sequence[Leg], theirs: dict[tuple[str, str], Leg]) -> list[Difference]:
    """Every leg one side has and the other lacks, and every outcome or wait that differs."""
    out: list[Difference] = []
    mine = {(leg.call_id, leg.queue): leg for leg in ours if leg.outcome != "waiting"}
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if a is None and b is not None:
            out.append(Difference(*key, "missing_here", "", b.outcome))
        elif b is None and a is not None:
            if a.outcome in REFUSED_AT_JOIN and a.wait < 1:
                continue
            out.append(Difference(*key, "missing_in_queue_log", a.outcome, ""))
        elif a is not None and b is not None:
            if a.outcome != b.outcome:
                out.append(Difference(*key, "outcome", a.outcome, b.outcome))
            elif abs(a.wait - b.wait) > WAIT_TOLERANCE:
                out.append(Difference(*key, "wait", f"{a.wait:.1f}", f"{b.wait:.1f}"))
    return out
