from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime

import pytest

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_stats import QueueCall
from callcenter.domain.queue_view import WaitingCaller
from callcenter.services.wait_estimates import WaitEstimates, announced_minutes
from tests.support.fakes import FixedClock, MemoryQueues

# Timeouts, wrap-up timers and sleeps run on the loop's settable clock (looptime):
# the test waits no wall time and no timer races the machine's load.
pytestmark = pytest.mark.usefixtures("settable_clock")

DEFS = {
    "billing": QueueDef("billing", wrap_up=20, announce_wait=True),
    "quiet": QueueDef("quiet"),
}


@dataclasses.dataclass
class History:
    calls: dict[str, list[QueueCall]]
    reads: int = 0
    slow: bool = False

    async def queue_calls_since(self, since: datetime) -> Mapping[str, Sequence[QueueCall]]:
        self.reads += 1
        if self.slow:
            await asyncio.sleep(5)
        return self.calls


ANSWERED = [QueueCall(5, True, talk=100), QueueCall(8, True, talk=80), QueueCall(3, True, 120)]


async def _queues(waiting: int, busy: int, free: int, paused: int = 0) -> MemoryQueues:
    queues = MemoryQueues(("billing", "quiet"))
    queues.waiting["billing"] = tuple(
        WaitingCaller(f"1.{i}", "", i + 1, 10) for i in range(waiting)
    )
    agent = 1000
    for count, device, is_paused in (
        (busy, "in_use", False),
        (free, "not_in_use", False),
        (paused, "not_in_use", True),
    ):
        for _ in range(count):
            agent += 1
            await queues.join(str(agent), "billing", 0, is_paused, "lunch" if is_paused else "")
            member = queues.members["billing"][str(agent)]
            queues.members["billing"][str(agent)] = dataclasses.replace(member, device=device)
    return queues


def _estimates(queues: MemoryQueues, history: History) -> WaitEstimates:
    return WaitEstimates(queues, history, DEFS, FixedClock(), budget=0.2)


async def test_a_caller_behind_busy_agents_waits_about_half_a_handle_time() -> None:
    # AHT = mean talk 100 s + 20 s wrap-up = 120 s; both agents busy, nobody waiting.
    waits = _estimates(await _queues(waiting=0, busy=2, free=0), History({"billing": ANSWERED}))
    assert await waits.estimate("billing") == 60.0


async def test_callers_ahead_add_rounds_and_paused_agents_do_not_serve() -> None:
    queues = await _queues(waiting=3, busy=2, free=0, paused=3)
    waits = _estimates(queues, History({"billing": ANSWERED}))
    assert await waits.estimate("billing") == 60.0 + 120.0  # position 4 of 2 agents: round 2


async def test_no_estimate_without_enough_calls_agents_or_the_queue_asking() -> None:
    few = History({"billing": ANSWERED[:2]})
    assert await _estimates(await _queues(0, 1, 0), few).estimate("billing") is None
    nobody = await _queues(waiting=2, busy=0, free=0, paused=1)
    assert await _estimates(nobody, History({"billing": ANSWERED})).estimate("billing") is None
    history = History({"quiet": ANSWERED})
    assert await _estimates(await _queues(0, 1, 0), history).estimate("quiet") is None
    assert history.reads == 0


async def test_handle_times_are_read_once_a_minute() -> None:
    history = History({"billing": ANSWERED})
    waits = _estimates(await _queues(0, 1, 0), history)
    await waits.estimate("billing")
    await waits.estimate("billing")
    assert history.reads == 1
    few = History({"billing": ANSWERED[:1]})
    waits = _estimates(await _queues(0, 1, 0), few)
    assert await waits.estimate("billing") is None
    few.calls = {"billing": ANSWERED}  # enough calls now: the next caller gets a figure
    assert await waits.estimate("billing") == 60.0


async def test_a_slow_store_gives_no_estimate_rather_than_a_late_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    waits = _estimates(await _queues(0, 1, 0), History({"billing": ANSWERED}, slow=True))
    assert await waits.estimate("billing") is None
    assert "no wait estimate for billing" in caplog.text


def test_what_the_caller_hears() -> None:
    assert announced_minutes(None) == ""
    assert announced_minutes(4) == ""  # an agent is about to answer
    assert announced_minutes(45) == "1"  # "less than one minute"
    assert announced_minutes(61) == "2"
    assert announced_minutes(600) == "10"


async def test_how_long_busy_agents_have_talked_shortens_the_wait() -> None:
    queues = await _queues(waiting=0, busy=2, free=0)
    talked = {"1001": 100.0}  # 1002: unknown, half a handle time assumed
    waits = WaitEstimates(
        queues, History({"billing": ANSWERED}), DEFS, FixedClock(), talking_for=talked.get
    )
    assert await waits.estimate("billing") == 20.0  # 1001 is 20 s from done


async def test_a_ringing_agent_has_a_whole_call_ahead() -> None:
    queues = await _queues(waiting=0, busy=0, free=1)
    member = queues.members["billing"]["1001"]
    queues.members["billing"]["1001"] = dataclasses.replace(member, device="ringing")
    waits = _estimates(queues, History({"billing": ANSWERED}))
    assert await waits.estimate("billing") == 120.0
