"""One AMI router: every raw AMI message is translated once, here, into typed events, and
each typed event is delivered to the features that declared it, in the order they were
subscribed (the daemon's feature list), each handler on its own.

Contract:
* :func:`translate_message` turns one raw message into the typed events it carries (a
  ``UserEvent`` may carry one of several; most messages carry one, unknown ones none).
  What the router's subscribers see is only these types — no feature parses AMI again.
* :meth:`AmiRouter.subscribe` declares ``handler`` for one event type, under the name of
  the feature that declared it (shown by ``callcenter debug events``).
* A handler that raises is logged with the event's call id and the feature's name, and
  never keeps the others from theirs.
* Handlers are synchronous and quick (they start tasks for slow work): the order stated is
  the order they run in.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from callcenter.asterisk.ami_admission import admission_event
from callcenter.asterisk.ami_callbacks import CallbackReport, callback_report
from callcenter.asterisk.ami_events import (
    USED_EVENTS,
    AgentRequest,
    agent_request,
    caller_queued,
    member_paused,
    member_status,
)
from callcenter.asterisk.ami_events import translate as queue_event
from callcenter.asterisk.ami_recordings import PauseRequest, RecordingStarted, recording_event
from callcenter.asterisk.ami_trunks import TRUNK_EVENTS, registry_event, trunk_user_event
from callcenter.asterisk.security_events import FAILURE_EVENTS, auth_failure
from callcenter.domain.admission import AdmissionSeen
from callcenter.domain.bans import AuthFailure
from callcenter.domain.quality_checks import HoldChanged
from callcenter.domain.queue_events import (
    CallerQueued,
    MemberPaused,
    MemberReachable,
    QueueEvent,
)
from callcenter.domain.trunks import NumberRefused, RegistrationSeen, TrunkFailover
from callcenter.logs import call_id_var

log = logging.getLogger(__name__)

E = TypeVar("E")


@dataclasses.dataclass(frozen=True)
class CallerHungUp:
    """The caller's channel hung up (its Uniqueid is the conversation's Linkedid)."""

    call_id: str


AmiEvent = (
    QueueEvent
    | CallerQueued
    | MemberPaused
    | MemberReachable
    | AgentRequest
    | CallbackReport
    | RecordingStarted
    | PauseRequest
    | CallerHungUp
    | AuthFailure
    | RegistrationSeen
    | NumberRefused
    | TrunkFailover
    | AdmissionSeen
    | HoldChanged
)
# Every type a feature may subscribe to.
EVENT_TYPES: tuple[type, ...] = (
    *typing.get_args(QueueEvent),
    CallerQueued,
    MemberPaused,
    MemberReachable,
    AgentRequest,
    CallbackReport,
    RecordingStarted,
    PauseRequest,
    CallerHungUp,
    AuthFailure,
    RegistrationSeen,
    NumberRefused,
    TrunkFailover,
    AdmissionSeen,
    HoldChanged,
)


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One typed event as handlers get it: ``received`` is when its message arrived
    (monotonic), for latency measured from the wire."""

    event: Any
    received: float


Handler = Callable[[Any, float], None]


def _user_events(message: Mapping[str, str]) -> list[Any]:
    found: list[Any] = []
    for translate in (agent_request, callback_report, recording_event):
        event = translate(message)
        if event is not None:
            found.append(event)
    for other in (trunk_user_event(message), admission_event(message)):
        if other is not None:
            found.append(other)
    if message.get("UserEvent") == "CallcenterQueue":  # a caller left unanswered
        queued = queue_event(message)
        if queued is not None:
            found.append(queued)
    return found


def translate_message(message: Mapping[str, str], now: datetime | None = None) -> list[Any]:
    """The typed events one raw AMI message carries (see the module's contract)."""
    name = message.get("Event", "")
    if name == "UserEvent":
        return _user_events(message)
    if name == "QueueCallerJoin":
        joined = caller_queued(message)
        return [joined] if joined is not None else []
    if name == "QueueMemberPause":
        paused = member_paused(message)
        return [paused] if paused is not None else []
    if name in ("QueueMemberStatus", "QueueMemberAdded"):
        status = member_status(message)
        return [status] if status is not None else []
    if name in ("Hold", "Unhold") and message.get("Linkedid"):
        return [HoldChanged(message["Linkedid"], name == "Hold")]
    if name == "Hangup":
        uid = message.get("Uniqueid", "")
        return [CallerHungUp(uid)] if uid and uid == message.get("Linkedid") else []
    if name in TRUNK_EVENTS:
        seen = registry_event(message)
        return [seen] if seen is not None else []
    if name in FAILURE_EVENTS:
        failure = auth_failure(message, now or datetime.now(UTC))
        return [failure] if failure is not None else []
    event = queue_event(message)
    return [event] if event is not None else []


def _call_id(event: Any) -> str:
    return str(getattr(event, "call_id", "") or getattr(event, "channel", "") or "")


class AmiRouter:
    def __init__(self) -> None:
        self._handlers: dict[type, list[tuple[str, Handler]]] = {}

    def subscribe(self, feature: str, kind: type[E], handler: Callable[[E, float], None]) -> None:
        if kind not in EVENT_TYPES:
            raise ValueError(f"feature {feature!r}: {kind.__name__} is not an AMI event type")
        self._handlers.setdefault(kind, []).append((feature, handler))

    def table(self) -> list[tuple[str, list[str]]]:
        """(event type, the features listening, in delivery order) for every type."""
        return [
            (kind.__name__, [feature for feature, _ in self._handlers.get(kind, [])])
            for kind in EVENT_TYPES
        ]

    @staticmethod
    def ami_events() -> tuple[str, ...]:
        """The raw AMI events the router is fed (and the AMI user's filter lets through)."""
        return USED_EVENTS

    def on_message(self, _manager: object, message: Mapping[str, str]) -> None:
        """panoramisk's callback for every event in :meth:`ami_events`."""
        received = time.monotonic()
        try:
            events = translate_message(dict(message))
        except Exception:
            log.exception("AMI %s not translated", message.get("Event"))
            return
        for event in events:
            self.deliver(event, received)

    def deliver(self, event: Any, received: float) -> None:
        for feature, handler in self._handlers.get(type(event), ()):
            token = call_id_var.set(_call_id(event) or call_id_var.get())
            try:
                handler(event, received)
            except Exception:
                log.exception(
                    "%s: %s of call %s not handled", feature, type(event).__name__, _call_id(event)
                )
            finally:
                call_id_var.reset(token)
