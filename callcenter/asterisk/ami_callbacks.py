"""Callbacks over AMI: placeholders into queues, what the dialplan reports back, and the
outcome markers it leaves (read even after the daemon was down).

Contract: :meth:`AmiPlaceholders.place` stores the attempt's token (a global variable
``CB_TOKEN_<ID>``, set with Setvar: the daemon's AMI user has no ``system`` right, which
AstDB's actions need), then
originates ``Local/cb<ID>-<ATTEMPT>@callcenter-callback-hold/n`` with fixed channel ids
(``cb<ID>-<ATTEMPT>`` and ``…q`` for the half in the queue): a second Originate of the
same attempt while the first lives is refused by Asterisk, and after it the token is
gone — so one attempt dials the customer at most once. Raises TelephonyError.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_queues import AmiQueues
from callcenter.domain.callbacks import Callback
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.services.ports import TelephonyError

log = logging.getLogger(__name__)

TOKEN_PREFIX = "CB_TOKEN_"  # noqa: S105 (a dialplan variable's name, not a secret)
_QUEUE_HALF = re.compile(r"^cb(\d{1,12})-(\d{1,3})q$")
_MARKER = re.compile(r"^cb(\d{1,12})-(\d{1,3})\.done$")
_RESULT = re.compile(r"^(\d{1,12}) (\d{1,3}) ([A-Z]{1,20}) (\d{1,7})$")


@dataclasses.dataclass(frozen=True)
class CallbackReport:
    """A UserEvent CallcenterCallback: ``state`` dialing, dialed or left."""

    callback_id: int
    attempt: int
    state: str
    status: str = ""  # DIALSTATUS (dialed) or QUEUESTATUS (left)
    talk: float = 0.0  # seconds the customer talked (dialed)


@dataclasses.dataclass(frozen=True)
class CallbackMarker:
    path: Path
    callback_id: int
    attempt: int
    status: str
    talk: float


class AmiPlaceholders:
    def __init__(self, ami: AmiClient, queues: AmiQueues, hold_hours: float) -> None:
        self._ami = ami
        self._queues = queues
        self._timeout_ms = str(int(hold_hours * 3600 * 1000))

    async def place(self, callback: Callback, position: int) -> None:
        name = callback.placeholder
        await self._ami.checked(
            {
                "Action": "Setvar",
                "Variable": f"{TOKEN_PREFIX}{callback.id}",
                "Value": str(callback.attempts),
            }
        )
        variables = {
            "CB_ID": str(callback.id),
            "CB_ATTEMPT": str(callback.attempts),
            "CB_QUEUE": callback.queue,
            "CB_POSITION": str(position),
            "CB_PRIORITY": str(callback.priority),
            "CB_NUMBER": callback.number,
        }
        await self._ami.checked(
            {
                "Action": "Originate",
                "Channel": f"Local/{name}@callcenter-callback-hold/n",
                "Context": "callcenter-callback-dial",
                "Exten": "s",
                "Priority": "1",
                "CallerID": f'"Callback" <{callback.number}>',
                # Waits in the queue until an agent answers: Originate's timeout is how
                # long the placeholder may wait (the default, 30 s, would drop it).
                "Timeout": self._timeout_ms,
                "Async": "true",
                "ChannelId": name,
                "OtherChannelId": f"{name}q",
                "Variable": ",".join(f"{k}={v}" for k, v in variables.items()),
            }
        )

    async def withdraw(self, callback: Callback) -> None:
        """Take the attempt's token back and hang its placeholder up (if any): it cannot
        dial any more, even if an agent was about to take it. Raises TelephonyError."""
        await self._ami.checked(
            {"Action": "Setvar", "Variable": f"{TOKEN_PREFIX}{callback.id}", "Value": ""}
        )
        # No channel (already gone) is an answer, not a fault.
        # The placeholder's name is cb<digits>-<digits>: nothing to escape in the regex.
        pattern = f"/^Local/{callback.placeholder}@callcenter-callback-hold-/"
        await self._ami.send({"Action": "Hangup", "Channel": pattern}, False)

    async def alive(self, callback: Callback) -> bool:
        """Whether the attempt's placeholder still exists (AMI Status finds a channel by
        its id too). Raises TelephonyError when AMI cannot tell."""
        if not self._ami.connected:
            raise TelephonyError("Status: AMI is not connected")
        reply = await self._ami.send({"Action": "Status", "Channel": callback.placeholder}, False)
        first = reply[0] if isinstance(reply, list) and reply else reply
        return bool(getattr(first, "success", False))

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return await self._queues.status(queue)


def placeholder_of(call_id: str) -> tuple[int, int] | None:
    """(callback id, attempt) when ``call_id`` is a placeholder's half in the queue."""
    m = _QUEUE_HALF.match(call_id)
    return (int(m.group(1)), int(m.group(2))) if m else None


def callback_report(message: Mapping[str, str]) -> CallbackReport | None:
    if message.get("UserEvent") != "CallcenterCallback":
        return None
    try:
        return CallbackReport(
            callback_id=int(message.get("Id", "")),
            attempt=int(message.get("Attempt", "")),
            state=message.get("State", ""),
            status=message.get("Status", ""),
            talk=float(message.get("Talk", "0") or 0),
        )
    except ValueError:
        log.warning("malformed CallcenterCallback event: %r", dict(message))
        return None


def live_placeholders(snapshots: list[QueueSnapshot]) -> set[str]:
    """Placeholder ids waiting in the queues now (their half in the queue is cb<ID>-<N>q)."""
    return {w.call_id[:-1] for s in snapshots for w in s.waiting if placeholder_of(w.call_id)}


class CallbackMarkers:
    """``spool/callbacks/cb<ID>-<ATTEMPT>.done``: "ID ATTEMPT DIALSTATUS TALK" (dialplan
    callcenter-callback-done)."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def read(self) -> list[CallbackMarker]:
        found = []
        try:
            names = sorted(os.listdir(self._dir))
        except FileNotFoundError:
            return []
        for name in names:
            if not _MARKER.match(name):
                continue
            path = self._dir / name
            try:
                text = path.read_text(encoding="ascii", errors="replace").strip()
            except OSError:
                continue
            m = _RESULT.match(text)
            if m is None:
                log.warning("callback marker %s unreadable (%r): removed", path, text[:80])
                self.drop(path)
                continue
            found.append(
                CallbackMarker(path, int(m.group(1)), int(m.group(2)), m.group(3), float(m[4]))
            )
        return found

    def drop(self, path: Path) -> None:
        path.unlink(missing_ok=True)
