from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from callcenter.asterisk.ami_admission import AmiDoor, admission_event
from callcenter.asterisk.ami_router import translate_message
from callcenter.asterisk.process_cpu import CpuShare, cpu_seconds
from callcenter.domain.admission import AdmissionSeen, Outcome


def test_the_dialplans_word_on_a_caller_not_admitted() -> None:
    message = {
        "Event": "UserEvent",
        "UserEvent": "CallcenterAdmission",
        "Outcome": "refused",
        "Reason": "calls",
    }
    assert admission_event(message) == AdmissionSeen(Outcome.REFUSED, "calls")
    assert translate_message(message) == [AdmissionSeen(Outcome.REFUSED, "calls")]
    assert admission_event({**message, "Outcome": "nonsense"}) is None
    assert admission_event({**message, "Outcome": "admitted"}) is None
    assert admission_event({**message, "UserEvent": "CallcenterQueue"}) is None


class Ami:
    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []

    async def checked(self, action: dict[str, str]) -> Any:
        self.sent.append(action)
        return {"Response": "Success"}


async def test_the_door_is_two_globals() -> None:
    ami = Ami()
    door = AmiDoor(ami)  # type: ignore[arg-type]
    await door.close(datetime.fromtimestamp(1796124003, UTC), "loop_lag")
    await door.reopen()
    assert [(a["Variable"], a["Value"]) for a in ami.sent] == [
        ("ADMIT_CLOSED_WHY", "loop_lag"),
        ("ADMIT_CLOSED_UNTIL", "1796124003"),
        ("ADMIT_CLOSED_UNTIL", "0"),
        ("ADMIT_CLOSED_WHY", ""),
    ]
    assert all(a["Action"] == "Setvar" and "Channel" not in a for a in ami.sent)


class Reads:
    """An AMI that answers Getvar from a dict."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    async def checked(self, action: dict[str, str]) -> Any:
        return {"Response": "Success", "Value": self.values.get(action["Variable"], "")}


async def test_the_reading_counts_the_callers_admitted_and_those_being_told() -> None:
    ami = Reads(
        {
            "GROUP_COUNT(inbound@callcenter)": "60",
            "GROUP_COUNT(told@callcenter)": "12",
            "ADMIT_CLOSED_UNTIL": "1796124003",
            "ADMIT_CLOSED_WHY": "entry_lag",
        }
    )
    reading = await AmiDoor(ami).reading()  # type: ignore[arg-type]
    assert (reading.calls_up, reading.told_up) == (60, 12)
    assert (reading.closed_until, reading.why) == (1796124003, "entry_lag")
    empty = await AmiDoor(Reads({})).reading()  # type: ignore[arg-type]
    assert (empty.calls_up, empty.told_up, empty.closed_until) == (0, 0, 0)


def test_cpu_share_of_a_process_between_two_looks() -> None:
    times = iter([0.0, 1.0, 2.0])
    pids: list[int | None] = [os.getpid(), os.getpid(), None]
    share = CpuShare(lambda: pids.pop(0), cores=2, clock=lambda: next(times))
    assert share.look() is None  # the first look has nothing to compare with
    second = share.look()
    assert second is not None
    assert 0.0 <= second <= 1.0
    assert share.look() is None  # the process is gone (or restarting)
    assert cpu_seconds(2**22 + 12345) is None
