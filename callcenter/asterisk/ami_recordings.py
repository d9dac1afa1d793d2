"""Recordings over AMI: the dialplan's UserEvents (a recording started; an agent pressed
the pause/resume feature code) in, MixMonitorMute out.

Contract: :func:`recording_event` gives None for anything that is not ours or is malformed.
The agent of a feature-code request is the authenticated endpoint of the channel that
pressed it (``PJSIP/<ext>-…``), never a header the phone could forge.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from callcenter.asterisk.ami import AmiClient
from callcenter.domain.recordings import CALL_ID, EPOCH

EVENT = "CallcenterRecording"


@dataclasses.dataclass(frozen=True)
class RecordingStarted:
    call_id: str
    path: str
    start_epoch: float
    queue: str


@dataclasses.dataclass(frozen=True)
class PauseRequest:
    call_id: str  # the caller's channel (the recorded one)
    agent: str  # who pressed the code
    pause: bool


def recording_event(event: Mapping[str, str]) -> RecordingStarted | PauseRequest | None:
    if event.get("UserEvent") != EVENT:
        return None
    state = event.get("State", "")
    if state == "started":
        call_id, start = event.get("Uniqueid", ""), event.get("Start", "")
        if CALL_ID.fullmatch(call_id) is None or EPOCH.fullmatch(start) is None:
            return None
        path, queue = event.get("Path", ""), event.get("Queue", "")
        return RecordingStarted(call_id, path, float(start), queue)
    if state in ("pause", "resume"):
        call_id = event.get("Call", "")
        tech, _, name = event.get("Channel", "").partition("/")
        agent = name.rpartition("-")[0]
        if CALL_ID.fullmatch(call_id) is None or tech != "PJSIP" or not agent.isdigit():
            return None
        return PauseRequest(call_id, agent, state == "pause")
    return None


class AmiRecordingMute:
    """PCI pause: MixMonitorMute writes silence in both directions (the two channels stay
    aligned; there is no MixMonitor pause action in Asterisk 22)."""

    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    async def mute(self, call_id: str, muted: bool) -> None:
        await self._ami.checked(
            {
                "Action": "MixMonitorMute",
                "Channel": call_id,
                "Direction": "both",
                "State": "1" if muted else "0",
            }
        )
