"""The daemon's part of admission over fakes of our ports: the door's commands carried
out (renewed while closed), a failing AMI logged once, the callers counted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.admission import AdmissionSeen, Door, Limits, Outcome
from callcenter.domain.calls import CallEntered
from callcenter.services.admission import Admission
from tests.support.fakes import SettableClock

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Port:
    def __init__(self) -> None:
        self.commands: list[tuple[str, ...]] = []
        self.fail = False

    async def close(self, until: datetime, why: str) -> None:
        if self.fail:
            raise ConnectionError("AMI is not connected")
        self.commands.append(("close", until.isoformat(), why))

    async def reopen(self) -> None:
        if self.fail:
            raise ConnectionError("AMI is not connected")
        self.commands.append(("reopen",))

    async def calls_up(self) -> int:
        if self.fail:
            raise ConnectionError("AMI is not connected")
        return 4


def rig(cpu: list[float | None]) -> tuple[Admission, Port, SettableClock, list[tuple[str, object]]]:
    port, clock, emitted = Port(), SettableClock(T0), []
    admission = Admission(
        Door(Limits(0.5, 0.9, close_seconds=3.0, past_looks=1, calm_looks=2)),
        port,
        lambda: cpu.pop(0),
        clock,
        lambda kind, data: emitted.append((kind, dict(data))),
        callback_queue="support",
    )
    return admission, port, clock, emitted


async def test_asterisk_busy_closes_renews_then_reopens_the_door() -> None:
    admission, port, clock, emitted = rig([0.95, 0.95, 0.1, 0.1, 0.1])
    for _ in range(5):
        await admission.look()
        clock.at += timedelta(seconds=1)
    until = [c[1] for c in port.commands if c[0] == "close"]
    assert until == [(T0 + timedelta(seconds=s + 3)).isoformat() for s in range(3)]
    assert port.commands[-1] == ("reopen",)
    assert [data for kind, data in emitted if kind == "admission.changed"] == [
        {"open": False, "why": "asterisk_cpu"},
        {"open": True, "why": ""},
    ]
    state = admission.state()
    assert (state["open"], state["signals"]["asterisk_cpu"], state["calls_up"]) == (True, 0.1, 4)


async def test_a_door_that_cannot_be_set_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    admission, port, _clock, _ = rig([0.95, 0.95, 0.95])
    port.fail = True
    for _ in range(3):
        await admission.look()
    warnings = [r for r in caplog.records if "could not be set" in r.getMessage()]
    assert len(warnings) == 1
    assert not admission.door.open  # it still knows it is closed; the next look retries


def test_the_admitted_are_the_inbound_calls_taken_the_others_what_the_dialplan_said() -> None:
    admission, _port, _clock, emitted = rig([])
    admission.entered(CallEntered("1.1", "1.1", "+7916", "7000", ("inbound",)))
    admission.entered(CallEntered("1.2", "1.2", "+7916", "7000", ("callback", "support")))
    admission.entered(object())
    admission.seen(AdmissionSeen(Outcome.CALLBACK, "calls"))
    admission.seen(AdmissionSeen(Outcome.REFUSED, "asterisk_cpu"))
    state = admission.state()
    assert state["counts"] == {"admitted": 1, "refused": 1, "callback": 1}
    assert state["by_reason"] == {"calls": 1, "asterisk_cpu": 1}
    assert ("admission.changed", {"outcome": "refused", "reason": "asterisk_cpu"}) in emitted


async def test_admitted_callers_the_daemon_takes_late_close_the_door_until_taken_on_time() -> None:
    port, clock = Port(), SettableClock(T0)
    limits = Limits(0.0, 0.0, close_seconds=3.0, past_looks=2, calm_looks=2, max_entry_lag=2.0)
    admission = Admission(Door(limits), port, lambda: None, clock)

    def taken(late: float, args: tuple[str, ...] = ("inbound",)) -> None:
        made = clock.now() - timedelta(seconds=late)
        admission.entered(CallEntered("1.1", "1.1", "+7916", "7000", args, "", made))

    async def look() -> None:
        await admission.look()
        clock.at += timedelta(seconds=1)

    taken(0.05)
    taken(2.5)  # the worst of the look counts
    await look()
    assert admission.signals.entry_lag == 2.5
    taken(600.0, ("resume", "main", "menu"))  # a call back from a queue: made long ago
    taken(3.0)
    await look()
    assert [c[0] for c in port.commands] == ["close"]
    assert admission.door.why == "entry_lag"
    await look()  # no call taken in the look: nothing late
    assert admission.signals.entry_lag == 0.0
    taken(0.1)
    await look()
    assert admission.door.open
    assert admission.state()["signals"]["entry_lag"] == 0.1
