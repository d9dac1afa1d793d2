from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_stats import QueueCall
from callcenter.domain.queue_view import QueueSnapshot, WaitingCaller
from callcenter.services.ports import TelephonyError
from callcenter.services.wait_announcer import WaitAnnouncer
from callcenter.services.wait_estimates import WaitEstimates
from tests.support.fakes import FixedClock, MemoryQueues

DEFS = {
    "billing": QueueDef("billing", announce_wait=True, announce_wait_every=30),
    "quiet": QueueDef("quiet", announce_wait=True),  # on entry only
}


class History:
    async def queue_calls_since(self, since: datetime) -> Mapping[str, Sequence[QueueCall]]:
        return {"billing": [QueueCall(5, True, talk=240)] * 3}


def _caller(n: int, wait: float, channel: str = "") -> WaitingCaller:
    return WaitingCaller(f"1.{n}", "", n, wait, channel or f"PJSIP/trunk-0000000{n}")


async def _announcer() -> tuple[WaitAnnouncer, MemoryQueues]:
    queues = MemoryQueues(("billing", "quiet"))
    await queues.join("1001", "billing", 0)
    estimates = WaitEstimates(queues, History(), DEFS, FixedClock())
    return WaitAnnouncer(queues, estimates, DEFS), queues


def _whispers(queues: MemoryQueues) -> list[tuple[str, ...]]:
    return [a[1:] for a in queues.actions if a[0] == "whisper"]


async def test_callers_hear_position_and_wait_once_a_period() -> None:
    announcer, queues = await _announcer()
    queues.waiting["billing"] = (_caller(1, 31), _caller(2, 12))
    queues.waiting["quiet"] = (_caller(3, 600),)
    assert await announcer.tick() == ["1.1"]  # 1.2 joined 12 s ago; quiet: entry only
    # One agent, free, 240 s handle time: the next caller waits ~0, the second one round.
    assert _whispers(queues) == [("PJSIP/trunk-00000001", "1", "0")]
    queues.waiting["billing"] = (_caller(1, 45), _caller(2, 31))
    assert await announcer.tick() == ["1.2"]  # 1.1 was told 14 s ago
    assert _whispers(queues)[-1] == ("PJSIP/trunk-00000002", "2", "4")
    queues.waiting["billing"] = (_caller(1, 62),)
    assert await announcer.tick() == ["1.1"]


async def test_gone_callers_are_forgotten_and_odd_channels_skipped() -> None:
    announcer, queues = await _announcer()
    queues.waiting["billing"] = (_caller(1, 31), _caller(2, 40, channel="PJSIP/a,b"))
    assert await announcer.tick() == ["1.1"]
    queues.waiting["billing"] = ()
    assert await announcer.tick() == []
    queues.waiting["billing"] = (_caller(1, 35),)  # the same id again: told anew
    assert await announcer.tick() == ["1.1"]


class DownQueues(MemoryQueues):
    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        raise TelephonyError("QueueStatus: AMI is not connected")


async def test_ami_down_means_no_announcement_and_no_error() -> None:
    queues = DownQueues(("billing",))
    estimates = WaitEstimates(queues, History(), DEFS, FixedClock())
    assert await WaitAnnouncer(queues, estimates, DEFS).tick() == []


async def test_no_periodic_queue_no_work() -> None:
    queues = MemoryQueues(("quiet",))
    estimates = WaitEstimates(queues, History(), DEFS, FixedClock())
    announcer = WaitAnnouncer(queues, estimates, {"quiet": DEFS["quiet"]})
    assert not announcer.active
    assert await announcer.tick() == []
