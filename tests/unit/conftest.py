"""Fixtures every unit test may use."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from looptime import patch_event_loop


@pytest.fixture
async def settable_clock() -> AsyncIterator[None]:
    """The test's event loop on a settable clock (looptime): when nothing is ready to run,
    loop time jumps to the next timer — menu timeouts, wrap-up, bounded waits fire in no
    wall time, and no timer races the machine's load. Used by
    ``pytestmark = pytest.mark.usefixtures("settable_clock")``; looptime's own pytest
    hook stays off (``-p no:looptime_plugin``: it creates a loop for sync tests)."""
    running = asyncio.get_running_loop()
    loop = patch_event_loop(running, start=running.time(), _enabled=False)
    with loop.looptime_enabled():
        yield
