"""Agents' time, from the event log's state changes (``agent.state``): how long each agent
was logged in, paused (by reason), ringing, talking and in wrap-up, and their occupancy.
Pure: the store hands the changes in a range and each agent's state as the range began.

    occupancy = (talk + wrap-up) / (logged in - paused)     (QueueMetrics' definition)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import datetime


@dataclasses.dataclass(frozen=True)
class StateChange:
    agent: str
    at: datetime
    to: str  # an agent status: logged_out, available, ringing, on_call, wrap_up, paused
    reason: str = ""


@dataclasses.dataclass
class AgentTime:
    agent: str
    logged_in: float = 0.0
    paused: float = 0.0
    by_reason: dict[str, float] = dataclasses.field(default_factory=dict)
    ringing: float = 0.0
    talk: float = 0.0
    wrap_up: float = 0.0
    logins: int = 0

    @property
    def occupancy(self) -> float | None:
        ready = self.logged_in - self.paused
        return (self.talk + self.wrap_up) / ready if ready > 0 else None

    def add(self, to: str, reason: str, seconds: float) -> None:
        if to == "logged_out" or seconds <= 0:
            return
        self.logged_in += seconds
        if to == "paused":
            self.paused += seconds
            key = reason or "unspecified"
            self.by_reason[key] = self.by_reason.get(key, 0.0) + seconds
        elif to == "ringing":
            self.ringing += seconds
        elif to == "on_call":
            self.talk += seconds
        elif to == "wrap_up":
            self.wrap_up += seconds


def agent_times(
    changes: Iterable[StateChange],
    before: Mapping[str, StateChange],
    start: datetime,
    end: datetime,
) -> dict[str, AgentTime]:
    """Each agent's time within [start, end): ``before`` is each agent's last change
    before ``start`` (their state as the range began), ``changes`` those within it."""
    out: dict[str, AgentTime] = {}
    current = {a: (start, c.to, c.reason) for a, c in before.items()}
    for c in sorted(changes, key=lambda c: c.at):
        if not start <= c.at < end:
            continue
        time = out.setdefault(c.agent, AgentTime(c.agent))
        since, state, reason = current.get(c.agent, (c.at, "logged_out", ""))
        time.add(state, reason, (c.at - since).total_seconds())
        if state == "logged_out" and c.to != "logged_out":
            time.logins += 1
        current[c.agent] = (c.at, c.to, c.reason)
    for agent, (since, state, reason) in current.items():
        out.setdefault(agent, AgentTime(agent)).add(state, reason, (end - since).total_seconds())
    return {a: t for a, t in out.items() if t.logged_in > 0 or t.logins}
