"""AMI queue events → domain queue events. Unknown or malformed events give None."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping

from callcenter.asterisk.ami_trunks import TRUNK_EVENTS
from callcenter.asterisk.security_events import FAILURE_EVENTS
from callcenter.domain.queue_events import (
    LEFT_QUEUE,
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    AgentRingStopped,
    CallerAbandoned,
    CallerLeftQueue,
    CallerQueued,
    MemberPaused,
    MemberReachable,
    QueueEvent,
)

log = logging.getLogger(__name__)

QUEUE_EVENTS = (
    "AgentCalled",
    "AgentConnect",
    "AgentRingNoAnswer",
    "AgentDump",
    "AgentComplete",
    "QueueCallerAbandon",
)
# Every event the daemon subscribes to: the AMI user's event filter (manager.conf) lets
# these through and nothing else, so no other event is sent, parsed or dispatched.
USED_EVENTS = (
    *QUEUE_EVENTS,
    "UserEvent",
    "QueueCallerJoin",
    "QueueMemberPause",
    "QueueMemberStatus",
    "QueueMemberAdded",
    "Hangup",
    "Hold",
    "Unhold",
    *FAILURE_EVENTS,
    *TRUNK_EVENTS,
)
# The classes those events belong to (read rights of the daemon's AMI user).
USED_CLASSES = ("call", "agent", "user", "security", "system")
# Without filters (asterisk.event_filters = false, the benchmarks' baseline): everything.
ALL_CLASSES = ("call", "agent", "user", "dtmf", "reporting", "dialplan")


def agent_extension(event: Mapping[str, str]) -> str:
    """``PJSIP/1001`` (the member's interface) → ``1001``."""
    interface = event.get("Interface", "") or event.get("MemberName", "")
    return interface.rpartition("/")[2]


def _seconds(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def translate(event: Mapping[str, str]) -> QueueEvent | None:
    name = event.get("Event", "")
    call_id, queue = event.get("Uniqueid", ""), event.get("Queue", "")
    if not call_id or not queue:
        return None
    if name == "AgentCalled":
        return AgentRinging(
            call_id,
            event.get("Linkedid", call_id),
            queue,
            agent_extension(event),
            event.get("CallerIDNum", ""),
        )
    if name == "AgentConnect":
        return AgentAnswered(
            call_id,
            queue,
            agent_extension(event),
            _seconds(event.get("HoldTime")),
            _seconds(event.get("RingTime")),
            event.get("DestUniqueid", ""),
        )
    if name in ("AgentRingNoAnswer", "AgentDump"):
        return AgentRingStopped(call_id, queue, agent_extension(event))
    if name == "AgentComplete":
        return AgentCallEnded(
            call_id,
            queue,
            agent_extension(event),
            _seconds(event.get("HoldTime")),
            _seconds(event.get("TalkTime")),
            event.get("Reason", ""),
        )
    if name == "QueueCallerAbandon":
        return CallerAbandoned(
            call_id, queue, int(_seconds(event.get("Position"))), _seconds(event.get("HoldTime"))
        )
    if name == "UserEvent" and event.get("UserEvent") == "CallcenterQueue":
        status = LEFT_QUEUE.get(event.get("Status", ""))
        if status is not None:
            return CallerLeftQueue(call_id, queue, status, _seconds(event.get("Wait")))
    return None


def caller_queued(event: Mapping[str, str]) -> CallerQueued | None:
    """AMI QueueCallerJoin → CallerQueued."""
    call_id, queue = event.get("Uniqueid", ""), event.get("Queue", "")
    if not call_id or not queue:
        return None
    position = int(_seconds(event.get("Position")))
    return CallerQueued(call_id, queue, position, event.get("CallerIDNum", ""))


def member_paused(event: Mapping[str, str]) -> MemberPaused | None:
    """AMI QueueMemberPause → MemberPaused."""
    agent, queue = agent_extension(event), event.get("Queue", "")
    if not agent.isdigit() or not queue:
        return None
    return MemberPaused(agent, queue, event.get("Paused") == "1", event.get("PausedReason", ""))


# app_queue's device states of a member that cannot be rung (AST_DEVICE_UNKNOWN, _INVALID,
# _UNAVAILABLE): the phone is not registered.
UNREACHABLE = frozenset({"0", "4", "5"})


def member_status(event: Mapping[str, str]) -> MemberReachable | None:
    """AMI QueueMemberStatus (a member's device changed state) or QueueMemberAdded (an
    agent logged in, with their device's state) → MemberReachable."""
    agent, status = agent_extension(event), event.get("Status", "")
    if not agent.isdigit() or not status:
        return None
    return MemberReachable(agent, status not in UNREACHABLE)


@dataclasses.dataclass(frozen=True)
class AgentRequest:
    """An agent dialled a login/logout feature code (dialplan UserEvent CallcenterAgent).

    ``agent`` is the endpoint the call came from — authenticated by PJSIP, never a header
    the phone could forge; ``channel`` waits in the dialplan for the answer."""

    agent: str
    request: str
    channel: str


def agent_request(event: Mapping[str, str]) -> AgentRequest | None:
    if event.get("UserEvent") != "CallcenterAgent":
        return None
    channel = event.get("Channel", "")
    tech, _, name = channel.partition("/")
    agent = name.rpartition("-")[0]
    if tech != "PJSIP" or not agent.isdigit():
        return None
    return AgentRequest(agent, event.get("Request", ""), channel)
