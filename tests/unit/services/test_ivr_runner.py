"""The IVR runner over fakes of our own ports: commands carried out, path and outcome kept."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

import pytest

from callcenter.domain.calls import (
    CallEntered,
    CallOutcome,
    CallRecord,
    CallState,
    DtmfReceived,
    PlaybackFinished,
)
from callcenter.flows.catalog import FlowSet
from callcenter.flows.loader import load_flow_text
from callcenter.services.call_supervisor import CallSupervisor
from callcenter.services.flow_lookups import LookupFailed
from callcenter.services.ivr_runner import ivr_handler
from tests.support.fakes import FakeTelephony, FixedClock, MemoryCallLog

# Timeouts, wrap-up timers and sleeps run on the loop's settable clock (looptime):
# the test waits no wall time and no timer races the machine's load.
pytestmark = pytest.mark.usefixtures("settable_clock")

FLOW = """spec_version: 1
name: main
entry: menu
nodes:
  menu:
    type: menu
    prompts: [hello, {prompt: welcome}]
    options: {"1": sales, "2": ru, "9": bye}
    timeout: 0.05
    retries: 0
    on_failure: bye
  ru: {type: language, language: ru, next: sales}
  sales: {type: queue, queue: sales, priority: 2, timeout: 30, on_timeout: bye}
  bye: {type: hangup, prompts: goodbye}
"""


def setup(flow: str = FLOW):  # type: ignore[no-untyped-def]
    parsed, issues, _ = load_flow_text(flow, "main.yaml")
    assert parsed is not None, issues
    flows = FlowSet({"main": parsed}, "v1")
    tel, log = FakeTelephony(), MemoryCallLog()
    handler = ivr_handler(lambda: flows, "main", log, FixedClock(), Path("/p"))
    return CallSupervisor(handler, tel, tel, log, FixedClock()), tel, log


async def wait_done(sup: CallSupervisor) -> None:
    for _ in range(200):
        await asyncio.sleep(0.005)
        if not sup.live_calls:
            return
    raise AssertionError("call did not finish")


def enter(args: tuple[str, ...] = ("inbound",)) -> CallEntered:
    return CallEntered("c1", "l1", "+79123456789", "7000", args)


async def hear_whole_menu(sup: CallSupervisor) -> None:
    """The call enters and both items of the menu prompt (pb1, pb2) play to the end."""
    sup.deliver(enter())
    await asyncio.sleep(0.01)
    sup.deliver(PlaybackFinished("c1", "pb1"))
    await asyncio.sleep(0.01)
    sup.deliver(PlaybackFinished("c1", "pb2"))


async def test_menu_to_queue_sets_variables_and_continues_in_dialplan() -> None:
    sup, tel, log = setup()
    await hear_whole_menu(sup)
    sup.deliver(DtmfReceived("c1", "1"))
    await wait_done(sup)
    assert tel.commands[:2] == [
        ("answer", "c1"),
        ("play", "c1", "sound:hello"),
    ]
    assert ("play", "c1", "sound:/p/en/welcome") in tel.commands  # item by item
    assert ("set", "c1", "CC_QUEUE", "sales") in tel.commands
    assert ("set", "c1", "CC_PRIORITY", "2") in tel.commands
    assert ("set", "c1", "CC_RESUME", "main,bye") in tel.commands
    assert tel.commands[-1] == ("continue", "c1", "callcenter-queue", "s")
    record = log.records["c1"]
    assert record.outcome is CallOutcome.QUEUE
    assert record.outcome_detail == "sales"
    assert record.flow == "main@v1"
    assert record.digits == "1"
    assert [s["node"] for s in record.ivr_path] == ["menu", "sales"]
    assert record.ivr_path[0]["detail"] == "pressed:1"


async def test_language_switch_sets_the_channel_language() -> None:
    sup, tel, _ = setup()
    sup.deliver(enter())
    await asyncio.sleep(0.01)
    sup.deliver(DtmfReceived("c1", "2"))
    await wait_done(sup)
    assert ("stop_playback", "pb1") in tel.commands
    assert ("set", "c1", "CHANNEL(language)", "ru") in tel.commands


async def test_no_input_fails_over_and_waits_for_goodbye_before_hanging_up() -> None:
    sup, tel, log = setup()
    await hear_whole_menu(sup)
    await asyncio.sleep(0.15)  # the menu times out: goodbye prompt (pb3) plays
    assert ("hangup", "c1") not in tel.commands
    sup.deliver(PlaybackFinished("c1", "pb3"))
    await wait_done(sup)
    assert tel.commands[-1] == ("hangup", "c1")
    assert log.records["c1"].outcome is CallOutcome.COMPLETED
    assert log.records["c1"].ivr_path[0]["detail"] == "no-input failed"


async def test_stale_playback_events_are_ignored() -> None:
    sup, _tel, _ = setup()
    sup.deliver(enter())
    await asyncio.sleep(0.01)
    sup.deliver(PlaybackFinished("c1", "old-playback"))
    await asyncio.sleep(0.1)  # had it counted, the 0.05 s menu timeout would have fired
    assert sup.live_calls == ["c1"]
    sup.deliver(DtmfReceived("c1", "9"))
    sup.deliver(PlaybackFinished("c1", "pb2"))
    await wait_done(sup)


async def test_resume_after_a_queue_timeout_continues_the_path() -> None:
    sup, tel, log = setup()
    await log.call_started(
        CallRecord("c1", "l1", "+79123456789", "7000", FixedClock().now(), state=CallState.IVR)
    )
    sup.deliver(enter(("resume", "main", "bye")))
    await asyncio.sleep(0.01)
    assert tel.commands[1] == ("play", "c1", "sound:goodbye")
    sup.deliver(PlaybackFinished("c1", "pb1"))
    await wait_done(sup)
    assert log.records["c1"].ivr_path[-1]["node"] == "bye"


async def test_a_known_caller_is_told_to_the_flow() -> None:
    flow = FLOW.replace("entry: menu", "entry: who") + (
        "  who:\n    type: branch\n    cases: [{when: {caller_known: true}, goto: sales}]\n"
        "    else: menu\n"
    )
    sup, _tel, log = setup(flow)
    await log.call_started(
        CallRecord("old", "l0", "+79123456789", "7000", FixedClock().now(), state=CallState.ENDED)
    )
    sup.deliver(enter())
    await wait_done(sup)
    assert log.records["c1"].outcome is CallOutcome.QUEUE


class Messages:
    """The voicemail intake behind the runner's VoicemailTaker port."""

    def __init__(self) -> None:
        self.taken: list[tuple[str, str, str]] = []

    async def take(self, session: object, mailbox: str, language: str = "en") -> CallOutcome:
        self.taken.append((getattr(session, "call_id", ""), mailbox, language))
        return CallOutcome.VOICEMAIL


async def test_a_voicemail_node_hands_the_call_to_the_daemons_intake() -> None:
    parsed, issues, _ = load_flow_text(
        "spec_version: 1\nname: main\nentry: leave\nnodes:\n"
        '  leave: {type: voicemail, mailbox: "100"}\n',
        "main.yaml",
    )
    assert parsed is not None, issues
    flows = FlowSet({"main": parsed}, "v1")
    tel, log, messages = FakeTelephony(), MemoryCallLog(), Messages()
    handler = ivr_handler(lambda: flows, "main", log, FixedClock(), Path("/p"), voicemail=messages)
    sup = CallSupervisor(handler, tel, tel, log, FixedClock())
    sup.deliver(enter())
    await wait_done(sup)
    assert messages.taken == [("c1", "100", "en")]
    assert not [c for c in tel.commands if c[0] == "continue"]  # not Asterisk's VoiceMail()
    assert log.records["c1"].outcome is CallOutcome.VOICEMAIL


LOOKUP_FLOW = """spec_version: 1
name: main
entry: find
nodes:
  find:
    type: lookup
    endpoint: orders
    params: {from: caller}
    map: {total: total}
    timeout: 2
    next: say
    on_failure: sorry
  say: {type: hangup, prompts: [{say_number: total}]}
  sorry: {type: hangup, prompts: sorry}
"""


class Shop:
    """The Lookups port: answers after ``delay`` seconds (loop time), or fails."""

    def __init__(self, delay: float = 0.0, answer: dict[str, object] | None = None) -> None:
        self.delay, self.answer = delay, answer
        self.asked: list[tuple[str, dict[str, str]]] = []

    def limit(self, endpoint: str) -> float | None:
        return 5.0 if endpoint == "orders" else None

    async def fetch(self, endpoint: str, params: Mapping[str, str]) -> Mapping[str, object]:
        self.asked.append((endpoint, dict(params)))
        await asyncio.sleep(self.delay)
        if self.answer is None:
            raise LookupFailed("shop.internal answered 500")
        return self.answer


def lookup_setup(shop: Shop):  # type: ignore[no-untyped-def]
    parsed, issues, _ = load_flow_text(LOOKUP_FLOW, "main.yaml")
    assert parsed is not None, issues
    flows = FlowSet({"main": parsed}, "v1")
    tel, log = FakeTelephony(), MemoryCallLog()
    handler = ivr_handler(lambda: flows, "main", log, FixedClock(), Path("/p"), lookups=shop)
    return CallSupervisor(handler, tel, tel, log, FixedClock()), tel, log


@pytest.mark.parametrize(
    ("shop", "heard", "detail"),
    [
        (Shop(answer={"total": 42}), "number:42", "orders ok"),
        (Shop(answer=None), "sound:sorry", "orders failed: shop.internal answered 500"),
        (Shop(delay=3, answer={"total": 1}), "sound:sorry", "orders failed: no answer within 2s"),
    ],
)
async def test_a_lookup_is_asked_and_its_answer_or_failure_decides_the_next_prompt(
    shop: Shop, heard: str, detail: str
) -> None:
    sup, tel, log = lookup_setup(shop)
    sup.deliver(enter())
    await asyncio.sleep(2.5)  # loop time: the slow shop is cut off at the node's 2 s
    sup.deliver(PlaybackFinished("c1", "pb1"))
    await wait_done(sup)
    assert shop.asked == [("orders", {"from": "+79123456789"})]
    assert ("play", "c1", heard) in tel.commands
    assert log.records["c1"].ivr_path[0]["detail"] == detail
