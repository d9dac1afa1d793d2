from __future__ import annotations

import asyncio

import pytest

from callcenter.domain.calls import (
    CallEntered,
    CallLeft,
    CallOutcome,
    CallRecord,
    DtmfReceived,
    PlaybackFinished,
)
from callcenter.services.call_session import CallSession
from callcenter.services.call_supervisor import FALLBACK_CONTEXT, CallSupervisor
from tests.support.fakes import FakeTelephony, FixedClock, MemoryCallLog

# Timeouts, wrap-up timers and sleeps run on the loop's settable clock (looptime):
# the test waits no wall time and no timer races the machine's load.
pytestmark = pytest.mark.usefixtures("settable_clock")

ENTER = CallEntered("c1", "l1", "+14155550100", "7000", ("inbound",))


def first_call_handler(prompt: str, digit_timeout: float):  # type: ignore[no-untyped-def]
    """A small use case for the supervisor: answer, prompt, one digit, hang up."""

    async def handle(session: CallSession) -> None:
        await session.answer()
        playback = await session.play(f"sound:{prompt}")
        playing = True
        while True:
            event = await session.next_event(timeout=digit_timeout)
            if event is None:
                break
            if isinstance(event, PlaybackFinished) and event.playback_id == playback:
                playing = False
            elif isinstance(event, DtmfReceived):
                if playing:
                    await session.stop_playback(playback)
                await session.record_digit(event.digit)
                break
        await session.hangup()

    return handle


def make(handler=None, **fake):  # type: ignore[no-untyped-def]
    tel = FakeTelephony(**fake)
    log = MemoryCallLog()
    sup = CallSupervisor(
        handler or first_call_handler("demo-congrats", 5.0), tel, tel, log, FixedClock()
    )
    return sup, tel, log


async def settle(sup: CallSupervisor) -> None:
    for _ in range(200):
        await asyncio.sleep(0.005)
        if not sup.live_calls:
            return


async def test_digit_is_recorded_and_call_completed() -> None:
    sup, tel, log = make()
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    sup.deliver(DtmfReceived("c1", "5"))
    await settle(sup)
    record = log.records["c1"]
    assert (record.digits, record.outcome) == ("5", CallOutcome.COMPLETED)
    assert tel.commands == [
        ("answer", "c1"),
        ("play", "c1", "sound:demo-congrats"),
        ("stop_playback", "pb1"),
        ("hangup", "c1"),
    ]


async def test_digit_after_the_prompt_ended_needs_no_stop() -> None:
    sup, tel, log = make()
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    sup.deliver(PlaybackFinished("c1", "pb1"))
    sup.deliver(DtmfReceived("c1", "#"))
    await settle(sup)
    assert ("stop_playback", "pb1") not in tel.commands
    assert log.records["c1"].digits == "#"


async def test_duplicate_entry_starts_one_task() -> None:
    sup, _, _ = make()
    sup.deliver(ENTER)
    sup.deliver(ENTER)
    assert sup.live_calls == ["c1"]
    sup.deliver(CallLeft("c1", True))
    await settle(sup)


async def test_caller_hanging_up_is_abandoned() -> None:
    sup, tel, log = make()
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    sup.deliver(CallLeft("c1", hung_up=True))
    await settle(sup)
    assert log.records["c1"].outcome is CallOutcome.ABANDONED
    assert ("hangup", "c1") not in tel.commands


async def test_no_digit_times_out_and_hangs_up() -> None:
    sup, tel, log = make(first_call_handler("p", 0.05))
    sup.deliver(ENTER)
    await asyncio.sleep(0.2)
    await settle(sup)
    assert log.records["c1"].digits == ""
    assert log.records["c1"].outcome is CallOutcome.COMPLETED
    assert tel.commands[-1] == ("hangup", "c1")


async def test_refused_command_releases_to_fallback() -> None:
    sup, tel, log = make(fail={"play"})
    sup.deliver(ENTER)
    await settle(sup)
    assert ("redirect", "c1", FALLBACK_CONTEXT, "s") in tel.commands
    assert log.records["c1"].outcome is CallOutcome.FALLBACK


async def test_redirect_failing_falls_back_to_continue_then_failed() -> None:
    sup, tel, log = make(fail={"play", "redirect"})
    sup.deliver(ENTER)
    await settle(sup)
    assert ("continue", "c1", FALLBACK_CONTEXT, "s") in tel.commands
    assert log.records["c1"].outcome is CallOutcome.FALLBACK

    sup2, _, log2 = make(fail={"play", "redirect", "continue"})
    sup2.deliver(ENTER)
    await settle(sup2)
    assert log2.records["c1"].outcome is CallOutcome.FAILED


async def test_handler_bug_releases_the_call() -> None:
    async def broken(session: CallSession) -> None:
        raise RuntimeError("bug")

    sup, _, log = make(broken)
    sup.deliver(ENTER)
    await settle(sup)
    assert log.records["c1"].outcome is CallOutcome.FALLBACK


async def test_reconcile_releases_orphans_and_ends_vanished_calls() -> None:
    sup, tel, log = make(in_app=["orphan"])
    # The orphan was logged by a daemon that died; this one has no task for it.
    await log.call_started(CallRecord("orphan", "l0", "+1", "7000", FixedClock().now()))
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    await sup.reconcile()  # "c1" is not in the application any more
    await settle(sup)
    assert ("redirect", "orphan", FALLBACK_CONTEXT, "s") in tel.commands
    assert log.records["orphan"].outcome is CallOutcome.FALLBACK
    assert log.records["c1"].outcome is CallOutcome.ABANDONED


async def test_close_hands_live_calls_to_fallback() -> None:
    sup, tel, log = make()
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    await sup.close()
    assert ("redirect", "c1", FALLBACK_CONTEXT, "s") in tel.commands
    assert log.records["c1"].outcome is CallOutcome.FALLBACK


async def test_events_for_unknown_calls_are_ignored() -> None:
    sup, tel, _ = make()
    sup.deliver(DtmfReceived("nobody", "1"))
    assert tel.commands == []


async def test_reconcile_releases_calls_whose_events_were_lost() -> None:
    # "c1" is still in the application after the link came back: whatever Asterisk sent
    # while it was down is gone, so the call goes on to the fallback queue.
    sup, tel, log = make(in_app=["c1"])
    sup.deliver(ENTER)
    await asyncio.sleep(0.01)
    await sup.reconcile()
    assert sup.live_calls == []
    assert ("redirect", "c1", FALLBACK_CONTEXT, "s") in tel.commands
    assert log.records["c1"].outcome is CallOutcome.FALLBACK


async def test_a_released_orphan_arriving_late_is_not_driven() -> None:
    sup, tel, _ = make(in_app=["orphan"])
    plan = await sup.take_stock()  # before the edge pumps events
    sup.deliver(CallEntered("orphan", "l0", "+1", "7000", ("inbound",)))  # already queued
    await sup.catch_up(plan)
    assert sup.live_calls == []
    assert ("redirect", "orphan", FALLBACK_CONTEXT, "s") in tel.commands
    assert not any(c[0] == "answer" for c in tel.commands)
