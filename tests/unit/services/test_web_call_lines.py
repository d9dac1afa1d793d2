from __future__ import annotations

import asyncio

import pytest

from callcenter.services.web_call_lines import WebCallLines

# The grace runs on the loop's settable clock (looptime): no wall time waited.
pytestmark = pytest.mark.usefixtures("settable_clock")


class Channel:
    def __init__(self, up: bool = True, fails: bool = False) -> None:
        self.up = up
        self.fails = fails
        self.hang_ups = 0

    async def hang_up(self) -> bool:
        self.hang_ups += 1
        if self.fails:
            raise RuntimeError("ARI is not connected")
        was_up, self.up = self.up, False
        return was_up


async def test_a_browser_gone_without_bye_has_its_call_hung_up_after_the_grace() -> None:
    lines, channel = WebCallLines(grace=3.0), Channel()
    lines.opened("s1")
    lines.answered("s1", channel.hang_up)
    lines.closed("s1")
    await asyncio.sleep(2.9)
    assert channel.hang_ups == 0  # still within the grace
    await asyncio.sleep(0.2)
    await lines.drain()
    assert (channel.hang_ups, channel.up) == (1, False)
    assert lines.open_calls() == 0


async def test_a_browser_back_within_the_grace_keeps_its_call() -> None:
    lines, channel = WebCallLines(grace=3.0), Channel()
    lines.opened("s1")
    lines.answered("s1", channel.hang_up)
    lines.closed("s1")
    await asyncio.sleep(1)
    lines.opened("s1")  # JsSIP reconnected
    await asyncio.sleep(10)
    assert channel.hang_ups == 0
    lines.closed("s1")
    await asyncio.sleep(3.1)
    await lines.drain()
    assert channel.hang_ups == 1


async def test_one_of_two_websockets_closing_ends_nothing() -> None:
    lines, channel = WebCallLines(grace=1.0), Channel()
    lines.opened("s1")
    lines.opened("s1")
    lines.answered("s1", channel.hang_up)
    lines.closed("s1")
    await asyncio.sleep(5)
    assert channel.hang_ups == 0


async def test_a_websocket_closed_before_the_call_was_set_up_still_ends_it() -> None:
    lines, channel = WebCallLines(grace=1.0), Channel()
    lines.opened("s1")
    lines.closed("s1")  # no call yet: nothing to end
    await asyncio.sleep(5)
    lines.answered("s1", channel.hang_up)  # the INVITE got through before the close
    await asyncio.sleep(1.1)
    await lines.drain()
    assert channel.hang_ups == 1


async def test_a_call_over_already_and_a_failing_hang_up_are_no_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lines = WebCallLines(grace=0.5)
    over, failing = Channel(up=False), Channel(fails=True)
    for session, channel in (("over", over), ("failing", failing)):
        lines.opened(session)
        lines.answered(session, channel.hang_up)
        lines.closed(session)
    await asyncio.sleep(1)
    await lines.drain()
    assert (over.hang_ups, failing.hang_ups) == (1, 1)
    assert "no BYE reached us" not in caplog.text  # the usual case: the BYE came first
    assert "web call failing: hanging up failed" in caplog.text
