"""The event log: an append-only record of what happened to every call and every agent,
and the queue legs (one per call and queue) that are derived from it. Pure rules: the
events' names, their idempotency keys, how an event moves a leg, and Asterisk's own
``queue_log`` lines read as the same events (what happened while the daemon was down).

An event's ``key`` makes writing it idempotent: the same change reported twice (a replay,
a resync, the queue_log read after a restart) is one row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

# Where an event came from: the daemon saw it happen, or it was rebuilt afterwards.
LIVE, QUEUE_LOG, SPOOL = "daemon", "queue_log", "spool"

# Every kind the log holds (one name across the log, the API and the docs).
CALL_KINDS = (
    "call.entered",  # dialled, caller — the call reached the daemon's IVR
    "ivr.finished",  # flow, path, language, where the IVR sent the call
    "call.queued",  # queue, position
    "agent.rung",
    "agent.not_answered",
    "call.answered",  # wait, ring
    "call.abandoned",  # wait, position
    "call.overflowed",  # wait, status (timeout, full, no_agents)
    "call.completed",  # wait, talk, ended_by (caller, agent, transfer)
    "call.ended",  # outcome
)
AGENT_KINDS = ("agent.state",)  # from, to, reason, why
# The outbox's events (callbacks, promises, voicemails, transcripts) are logged as well.
LEG_KINDS = frozenset(
    {"call.queued", "call.answered", "call.abandoned", "call.overflowed", "call.completed"}
)
# What app_queue tells (AMI, or its queue_log): the daemon's last word from Asterisk.
AMI_KINDS = (*sorted(LEG_KINDS), "agent.rung", "agent.not_answered", "agent.state")


@dataclasses.dataclass(frozen=True)
class LoggedEvent:
    kind: str
    at: datetime
    call_id: str = ""
    queue: str = ""
    agent: str = ""
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    source: str = LIVE
    key: str = ""  # "": made from the kind, the call, the queue and the agent

    def __post_init__(self) -> None:
        if not self.key:
            parts: tuple[str, ...] = (self.kind, self.call_id, self.queue, self.agent)
            if self.kind in ("agent.rung", "agent.not_answered", "agent.state"):
                parts += (self.at.isoformat(timespec="milliseconds"),)  # may repeat
            object.__setattr__(self, "key", ":".join(parts)[:200])


@dataclasses.dataclass(frozen=True)
class Leg:
    """One call's time in one queue: from joining it to leaving it (answered, abandoned,
    overflowed) and, when answered, to the end of the conversation and its wrap-up."""

    call_id: str
    queue: str
    entered_at: datetime
    outcome: str = "waiting"  # answered, abandoned, timeout, full, no_agents
    caller: str = ""
    position: int = 0
    wait: float = 0.0
    talk: float = 0.0
    wrap_up: float = 0.0
    agent: str = ""
    ended_by: str = ""  # caller, agent, transfer
    source: str = LIVE


def leg_after(leg: Leg | None, e: LoggedEvent) -> Leg | None:
    """The leg as ``e`` leaves it (None: ``e`` does not concern a leg, or names one
    never seen joining — its wait then starts at what the event says)."""
    if e.kind not in LEG_KINDS or not e.call_id or not e.queue:
        return leg
    wait = float(e.data.get("wait", 0) or 0)
    if leg is None:
        start = e.at if e.kind == "call.queued" else _earlier(e.at, wait)
        leg = Leg(e.call_id, e.queue, start, source=e.source)
    if e.kind == "call.queued":
        return dataclasses.replace(
            leg, position=int(e.data.get("position", 0) or 0), caller=str(e.data.get("caller", ""))
        )
    if e.kind == "call.answered":
        return dataclasses.replace(leg, outcome="answered", wait=wait, agent=e.agent)
    if e.kind == "call.abandoned":
        if leg.outcome == "answered":
            return leg  # an abandon after an answer is no abandon (app_queue never says so)
        pos = int(e.data.get("position", 0) or 0) or leg.position
        return dataclasses.replace(leg, outcome="abandoned", wait=wait, position=pos)
    if e.kind == "call.overflowed":
        if leg.outcome == "answered":
            return leg
        return dataclasses.replace(leg, outcome=str(e.data.get("status", "timeout")), wait=wait)
    talk = float(e.data.get("talk", 0) or 0)
    ended_by = str(e.data.get("ended_by", ""))
    return dataclasses.replace(
        leg,
        outcome="answered",
        wait=wait or leg.wait,
        talk=talk,
        agent=e.agent or leg.agent,
        ended_by=ended_by,
    )


def _earlier(at: datetime, seconds: float) -> datetime:
    return at - timedelta(seconds=seconds)


# -- Asterisk's queue_log ------------------------------------------------------------------
# epoch|callid|queue|agent|event|data1|data2|data3|data4|data5 (Asterisk 22, app_queue.c)


def _member(agent: str) -> str:
    """``Agent 1002`` or ``PJSIP/1002`` (the member's name) → ``1002``."""
    return agent.rpartition(" ")[2].rpartition("/")[2] if agent != "NONE" else ""


def _num(fields: list[str], i: int) -> float:
    try:
        return float(fields[i]) if len(fields) > i and fields[i] else 0.0
    except ValueError:
        return 0.0


def queue_log_event(line: str) -> LoggedEvent | None:
    """One queue_log line as the event the daemon would have logged (None: a line of no
    figure, or not a queue_log line)."""
    f = line.rstrip("\n").split("|")
    if len(f) < 5 or not f[0].isdigit():
        return None
    at = datetime.fromtimestamp(int(f[0]), UTC)
    call_id, queue, agent, name = f[1], f[2], _member(f[3]), f[4]
    key = "ql:" + "|".join(f[:5])
    d: dict[str, Any]
    kind, d = _QUEUE_LOG.get(name, ("", {}))
    if name == "ENTERQUEUE":
        d = {"position": int(_num(f, 7)), "caller": f[6] if len(f) > 6 else ""}
    elif name == "CONNECT":
        d = {"wait": _num(f, 5), "ring": _num(f, 7)}
    elif name in ("COMPLETECALLER", "COMPLETEAGENT"):
        ended_by = "caller" if name == "COMPLETECALLER" else "agent"
        d = {"wait": _num(f, 5), "talk": _num(f, 6), "ended_by": ended_by}
    elif name == "TRANSFER":
        d = {"wait": _num(f, 7), "talk": _num(f, 8), "ended_by": "transfer"}
    elif name == "ABANDON":
        d = {"position": int(_num(f, 5)), "wait": _num(f, 7)}
    elif name in ("EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY"):
        status = {"EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "no_agents"}.get(name, "key")
        d = {"wait": _num(f, 7), "status": status}
    elif name in ("PAUSE", "UNPAUSE", "ADDMEMBER", "REMOVEMEMBER") and queue != "NONE":
        return _member_event(name, at, queue, agent, f, key)
    if not kind:
        return None
    return LoggedEvent(kind, at, call_id, queue, agent, d, QUEUE_LOG, key)


_QUEUE_LOG: dict[str, tuple[str, dict[str, Any]]] = {
    "ENTERQUEUE": ("call.queued", {}),
    "RINGNOANSWER": ("agent.not_answered", {}),
    "CONNECT": ("call.answered", {}),
    "COMPLETECALLER": ("call.completed", {}),
    "COMPLETEAGENT": ("call.completed", {}),
    "TRANSFER": ("call.completed", {}),
    "ABANDON": ("call.abandoned", {}),
    "EXITWITHTIMEOUT": ("call.overflowed", {}),
    "EXITEMPTY": ("call.overflowed", {}),
    "EXITWITHKEY": ("call.overflowed", {}),
}


def _member_event(
    name: str, at: datetime, queue: str, agent: str, f: list[str], key: str
) -> LoggedEvent:
    to = {"PAUSE": "paused", "UNPAUSE": "available", "ADDMEMBER": "available"}.get(
        name, "logged_out"
    )
    reason = f[5] if name == "PAUSE" and len(f) > 5 else ""
    data = {"to": to, "reason": reason, "why": f"queue_log {name}", "queue": queue}
    return LoggedEvent("agent.state", at, "", "", agent, data, QUEUE_LOG, key)


def as_utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
