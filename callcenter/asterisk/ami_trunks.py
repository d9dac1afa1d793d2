"""Trunks over AMI: the registrations' state (``PJSIPShowRegistrationsOutbound``, and the
``Registry`` event Asterisk sends on every answer of a registrar), and the dialplan's word
on calls refused at our door (``CallcenterRefused``) or passed to the next trunk
(``CallcenterTrunk``). Raw messages in, typed events out; unknown or partial ones: None."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from callcenter.asterisk.ami import AmiClient
from callcenter.domain.trunks import NumberRefused, RegistrationSeen, TrunkFailover

TRUNK_EVENTS = ("Registry",)  # the system class
STATUSES = {"registered", "unregistered", "rejected", "stopping", "stopped"}


def registry_event(message: Mapping[str, str]) -> RegistrationSeen | None:
    """``Registry`` (ChannelType PJSIP): a registrar answered ``Username`` (our client URI)."""
    if message.get("ChannelType") != "PJSIP":
        return None
    status = message.get("Status", "").lower()
    client = message.get("Username", "")
    if status not in STATUSES or not client:
        return None
    return RegistrationSeen(client_uri=client, status=status, trunk="")


def trunk_user_event(message: Mapping[str, str]) -> NumberRefused | TrunkFailover | None:
    kind = message.get("UserEvent")
    if kind == "CallcenterRefused":
        return NumberRefused(
            number=message.get("Number", ""),
            caller=message.get("Caller", ""),
            trunk=message.get("Trunk", ""),
        )
    if kind == "CallcenterTrunk" and message.get("State") == "failover":
        trunk = message.get("Trunk", "")
        return TrunkFailover(trunk, message.get("Status", "")) if trunk else None
    return None


@dataclasses.dataclass(frozen=True)
class RegistrationDetail:
    name: str  # the registration object's (= the trunk's) name
    status: str
    client_uri: str
    next_seconds: int


def registration_details(reply: Any) -> list[RegistrationDetail]:
    """The answer of ``PJSIPShowRegistrationsOutbound`` (a list of messages)."""
    found = []
    for message in reply if isinstance(reply, list) else [reply]:
        if message.get("Event") != "OutboundRegistrationDetail":
            continue
        try:
            next_seconds = int(message.get("NextReg", "0") or 0)
        except ValueError:
            next_seconds = 0
        found.append(
            RegistrationDetail(
                name=message.get("ObjectName", ""),
                status=message.get("Status", "").lower(),
                client_uri=message.get("ClientUri", ""),
                next_seconds=next_seconds,
            )
        )
    return [d for d in found if d.name]


class AmiTrunks:
    """The registrations' state, asked of Asterisk (for the trunks' service)."""

    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    async def registrations(self) -> list[RegistrationSeen]:
        reply = await self._ami.checked({"Action": "PJSIPShowRegistrationsOutbound"}, None)
        return [
            RegistrationSeen(d.client_uri, d.status or "unknown", d.name)
            for d in registration_details(reply)
        ]
