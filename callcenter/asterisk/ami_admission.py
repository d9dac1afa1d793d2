"""Admission over AMI: the dialplan's word on callers it did not admit
(``CallcenterAdmission``), and the door the daemon closes for a few seconds at a time (the
globals ``ADMIT_CLOSED_UNTIL``, an epoch, and ``ADMIT_CLOSED_WHY``, set with Setvar: the
AMI user has no ``system`` right). Raw messages in, typed events out."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime

from callcenter.asterisk.ami import AmiClient
from callcenter.domain.admission import AdmissionSeen, Outcome


@dataclasses.dataclass(frozen=True)
class DoorReading:
    calls_up: int  # inbound calls up now (the dialplan's group "inbound")
    told_up: int  # callers beyond the load being told now (the group "told")
    closed_until: int  # epoch; 0 or past: open
    why: str


def admission_event(message: Mapping[str, str]) -> AdmissionSeen | None:
    if message.get("UserEvent") != "CallcenterAdmission":
        return None
    try:
        outcome = Outcome(message.get("Outcome", ""))
    except ValueError:
        return None
    if outcome is Outcome.ADMITTED:
        return None  # the daemon counts the admitted from the calls it takes
    return AdmissionSeen(outcome, message.get("Reason", "")[:40])


class AmiDoor:
    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    async def close(self, until: datetime, why: str) -> None:
        await self._set("ADMIT_CLOSED_WHY", why)
        await self._set("ADMIT_CLOSED_UNTIL", str(int(until.timestamp())))

    async def reopen(self) -> None:
        await self._set("ADMIT_CLOSED_UNTIL", "0")
        await self._set("ADMIT_CLOSED_WHY", "")

    async def calls_up(self) -> int:
        return await self._count("inbound")

    async def _count(self, group: str) -> int:
        """Channels in the dialplan's group ``group`` (category ``callcenter``)."""
        up = await self._get(f"GROUP_COUNT({group}@callcenter)")
        return int(up) if up.isdigit() else 0

    async def reading(self) -> DoorReading:
        """What Asterisk holds now: inbound calls up, and the door (raises if AMI is down)."""
        until = await self._get("ADMIT_CLOSED_UNTIL")
        return DoorReading(
            calls_up=await self.calls_up(),
            told_up=await self._count("told"),
            closed_until=int(until) if until.isdigit() else 0,
            why=await self._get("ADMIT_CLOSED_WHY"),
        )

    async def _get(self, name: str) -> str:
        reply = await self._ami.checked({"Action": "Getvar", "Variable": name})
        first = reply[0] if isinstance(reply, list) and reply else reply
        value = first.get("Value", "") if hasattr(first, "get") else ""
        return "" if value in (None, "(null)") else str(value).strip()

    async def _set(self, name: str, value: str) -> None:
        await self._ami.checked({"Action": "Setvar", "Variable": name, "Value": value})
