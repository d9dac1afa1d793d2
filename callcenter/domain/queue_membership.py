"""Which queues an agent belongs to, and what to tell app_queue to get there.

A queue in ``queues.yaml`` either names the skills it needs, each with a penalty (app_queue
rings lower penalties first), or names none and takes every agent at penalty 0. A logged-in
agent is a member of every queue that wants one of their skills, at the lowest penalty among
them; a logged-out agent is a member of none. Pure: the plan is carried out over AMI
(QueueAdd / QueueRemove / QueuePenalty) by :mod:`callcenter.services.agent_control`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from callcenter.domain.queue_defs import QueueDef


@dataclasses.dataclass(frozen=True)
class Join:
    agent: str
    queue: str
    penalty: int


@dataclasses.dataclass(frozen=True)
class Leave:
    agent: str
    queue: str


@dataclasses.dataclass(frozen=True)
class Repenalize:
    agent: str
    queue: str
    penalty: int


MemberChange = Join | Leave | Repenalize


def wanted_queues(skills: Iterable[str], defs: Mapping[str, QueueDef]) -> dict[str, int]:
    """queue → penalty for an agent with ``skills`` (when logged in)."""
    have = set(skills)
    wanted: dict[str, int] = {}
    for name, queue in defs.items():
        if not queue.skills:
            wanted[name] = 0
            continue
        penalties = [p for skill, p in queue.skills.items() if skill in have]
        if penalties:
            wanted[name] = min(penalties)
    return wanted


def plan(agent: str, wanted: Mapping[str, int], actual: Mapping[str, int]) -> list[MemberChange]:
    """Changes that turn ``actual`` (queue → penalty in app_queue) into ``wanted``; queues
    sorted by name so a plan reads the same every time."""
    changes: list[MemberChange] = []
    for queue in sorted(set(wanted) | set(actual)):
        if queue not in actual:
            changes.append(Join(agent, queue, wanted[queue]))
        elif queue not in wanted:
            changes.append(Leave(agent, queue))
        elif wanted[queue] != actual[queue]:
            changes.append(Repenalize(agent, queue, wanted[queue]))
    return changes
