"""A web call's line: its SIP websocket, and the call it carries.

A browser that vanishes — the tab closed, the laptop shut, the network gone, or a BYE that
never reached us — sends no BYE, and Asterisk keeps a websocket call up for as long as
nothing tells it otherwise: the agent would sit on a silent call. So the daemon, which
carries the websocket, ends the call itself once the last websocket of its session has
been closed for ``grace`` seconds (a browser that reconnects within them keeps its call).

Contract: :meth:`opened` / :meth:`closed` come from the websocket proxy, :meth:`answered`
from the intake once the call is in Asterisk with the hang-up that ends it there (True when
it ended a call, False when the call was over already — the usual case: a BYE came first).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

HangUp = Callable[[], Awaitable[bool]]


class WebCallLines:
    def __init__(self, grace: float = 3.0) -> None:
        self._grace = grace
        self._sockets: dict[str, int] = {}  # session → websockets open now
        self._calls: dict[str, HangUp] = {}  # session → the hang-up of its call
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._ending: set[asyncio.Task[None]] = set()

    def opened(self, session: str) -> None:
        self._sockets[session] = self._sockets.get(session, 0) + 1
        timer = self._pending.pop(session, None)
        if timer is not None:
            timer.cancel()
            log.info("web call %s: websocket back in time, the call goes on", session)

    def answered(self, session: str, hang_up: HangUp) -> None:
        """The call of ``session`` is in Asterisk; ``hang_up`` ends it there."""
        self._calls[session] = hang_up
        if not self._sockets.get(session):
            self._schedule(session)  # its websocket closed while it was being set up

    def closed(self, session: str) -> None:
        left = self._sockets.get(session, 1) - 1
        if left > 0:
            self._sockets[session] = left
            return
        self._sockets.pop(session, None)
        if session in self._calls:
            self._schedule(session)

    def open_calls(self) -> int:
        return len(self._calls)

    async def drain(self) -> None:
        """Wait for the hang-ups under way (the daemon stopping, tests)."""
        if self._ending:
            await asyncio.gather(*self._ending, return_exceptions=True)

    def _schedule(self, session: str) -> None:
        if session in self._pending:
            return
        loop = asyncio.get_running_loop()
        self._pending[session] = loop.call_later(self._grace, self._end, session)

    def _end(self, session: str) -> None:
        self._pending.pop(session, None)
        hang_up = self._calls.pop(session, None)
        if hang_up is None:
            return
        task = asyncio.get_running_loop().create_task(self._hang_up(session, hang_up))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _hang_up(self, session: str, hang_up: HangUp) -> None:
        try:
            ended = await hang_up()
        except Exception:  # the line must not take the proxy down with it
            log.exception("web call %s: hanging up failed", session)
            return
        if ended:
            log.warning(
                "web call %s: its websocket closed %.0fs ago with the call still up (no BYE "
                "reached us) and the browser did not come back: hung up",
                session,
                self._grace,
            )
