"""A live picture of the queues, as a supervisor reads it (built from AMI QueueStatus)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from callcenter.domain.queue_stats import QueueKpis


@dataclasses.dataclass(frozen=True)
class WaitingCaller:
    call_id: str
    caller: str
    position: int
    wait: float  # seconds so far
    channel: str = ""  # e.g. PJSIP/trunk-00000006
    priority: int = 0  # app_queue's: higher waits ahead


@dataclasses.dataclass(frozen=True)
class MemberState:
    agent: str  # extension
    paused: bool
    pause_reason: str
    in_call: bool
    device: str  # app_queue's device status: not_in_use, in_use, ringing, unavailable…
    calls_taken: int
    penalty: int = 0
    dynamic: bool = True  # added over AMI (login); static members come from queues.conf
    last_call: float = 0.0  # epoch seconds the member's last call ended (0: none yet)
    last_pause: float = 0.0  # epoch seconds of the last pause (0: never)
    in_wrap_up: bool = False  # set by whoever knows the queue's wrap-up time and the clock

    @property
    def state(self) -> str:
        """One word for the board: on_call, ringing, paused, wrap_up, available, unavailable."""
        if self.in_call or self.device in ("in_use", "busy", "on_hold"):
            return "on_call"
        if self.device in ("ringing", "ring_in_use"):
            return "ringing"
        if self.paused:
            return "paused"
        if self.in_wrap_up:
            return "wrap_up"
        if self.device in UNREACHABLE_DEVICES:
            return "unavailable"
        return "available"


UNREACHABLE_DEVICES = ("unavailable", "invalid", "unknown")  # a phone not registered


@dataclasses.dataclass(frozen=True)
class QueueSnapshot:
    queue: str
    waiting: tuple[WaitingCaller, ...]
    members: tuple[MemberState, ...]
    kpis: QueueKpis | None = None

    @property
    def longest_wait(self) -> float:
        return max((w.wait for w in self.waiting), default=0.0)


# app_queue's numeric device states (AST_DEVICE_*), as the QueueMember event gives them.
DEVICE_STATES = {
    "0": "unknown",
    "1": "not_in_use",
    "2": "in_use",
    "3": "busy",
    "4": "invalid",
    "5": "unavailable",
    "6": "ringing",
    "7": "ring_in_use",
    "8": "on_hold",
}


# The state that tells most about an agent who is in several queues.
_STATE_RANK = ("on_call", "ringing", "paused", "wrap_up", "available", "unavailable")


@dataclasses.dataclass(frozen=True)
class AgentPresence:
    """One agent across all queues, as the board's agent list shows them."""

    agent: str
    name: str
    logged_in: bool
    state: str  # logged_out, or the most telling of their members' states
    pause_reason: str
    paused_since: float  # epoch seconds, when paused
    queues: tuple[tuple[str, int], ...]  # (queue, penalty)
    reachable: bool = True  # their phone is registered (whatever the state says first)


def presences(
    agents: Iterable[tuple[str, str, bool]], snapshots: Iterable[QueueSnapshot]
) -> list[AgentPresence]:
    """``agents``: (extension, name, logged in) from the store. An agent who is in no queue
    is logged out whatever the store says (app_queue decides who is rung)."""
    seen: dict[str, list[tuple[str, MemberState]]] = {}
    for snapshot in snapshots:
        for member in snapshot.members:
            if member.dynamic:
                seen.setdefault(member.agent, []).append((snapshot.queue, member))
    out = []
    for ext, name, logged_in in agents:
        members = seen.get(ext, [])
        if not members:
            out.append(AgentPresence(ext, name, logged_in, "logged_out", "", 0.0, ()))
            continue
        state = min((m.state for _, m in members), key=_STATE_RANK.index)
        paused = next((m for _, m in members if m.paused), None)
        queues = tuple(sorted((q, m.penalty) for q, m in members))
        out.append(
            AgentPresence(
                ext,
                name,
                logged_in,
                state,
                paused.pause_reason if paused else "",
                paused.last_pause if paused else 0.0,
                queues,
                any(m.device not in UNREACHABLE_DEVICES for _, m in members),
            )
        )
    return out
