"""AMI edge (panoramisk): the whole system's events and queue control.

Contract:
* :attr:`AmiClient.connected` is True exactly while logged in on a live connection.
* panoramisk reconnects by itself; after every login ``on_login`` runs (resync point).
* :meth:`send` refuses any value holding CR or LF (they would forge AMI headers;
  panoramisk does not strip them) with an error naming the field, before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from panoramisk import Manager
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from callcenter.asterisk.traffic import Traffic
from callcenter.services.ports import TelephonyError

log = logging.getLogger(__name__)


class AmiInjectionError(ValueError):
    """An AMI action value holds CR/LF; names the field."""


def check_action(action: Mapping[str, str]) -> None:
    for key, value in action.items():
        if any(c in str(key) + str(value) for c in "\r\n"):
            raise AmiInjectionError(f"AMI action field {key!r} holds CR or LF: {value!r}")


class _CountingProtocol(AMIProtocol):  # type: ignore[misc]
    """panoramisk's protocol, counting what Asterisk sends (bytes, events by name)."""

    def __init__(self, traffic: Traffic) -> None:
        super().__init__()
        self._traffic = traffic

    def data_received(self, data: bytes) -> None:
        self._traffic.received_bytes += len(data)
        super().data_received(data)

    def handle_message(self, message: Message) -> None:
        # Events Asterisk sent by itself (not part of an action's answer, which carries
        # our ActionID): what the event filter governs.
        name = message.get("Event")
        if name and not message.get("ActionID"):
            self._traffic.events[str(name)] += 1
        super().handle_message(message)


class AmiClient:
    def __init__(
        self,
        port: int,
        user: str,
        secret: str,
        on_login: Callable[[], Awaitable[None]] | None = None,
        reconnect_delay: int = 1,
    ) -> None:
        self._on_login_cb = on_login
        self.traffic = Traffic()
        self._manager = Manager(
            host="127.0.0.1",
            port=port,
            username=user,
            secret=secret,
            ping_delay=5,
            ping_interval=5,
            reconnect_timeout=reconnect_delay,
            forgetable_actions=("ping", "login", "originate"),
            protocol_factory=lambda: _CountingProtocol(self.traffic),
            on_login=self._logged_in,
            on_disconnect=self._disconnected,
            log=logging.getLogger("panoramisk.manager"),
        )
        self._up = False
        self._logged_in_event = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def connected(self) -> bool:
        return self._up and bool(self._manager.protocol) and self._manager._connected

    def on_event(self, pattern: str, callback: Callable[[Any, Any], Any]) -> None:
        self._manager.register_event(pattern, callback)

    async def start(self) -> None:
        self._manager.loop = asyncio.get_running_loop()
        self._manager.connect()

    def _logged_in(self, _manager: Manager) -> None:
        self._up = True
        self.traffic.connects += 1
        self._logged_in_event.set()
        log.info("AMI logged in")
        if self._on_login_cb is not None:
            task = asyncio.ensure_future(self._on_login_cb())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _disconnected(self, _manager: Manager, exc: Exception | None) -> None:
        self._up = False
        self._logged_in_event.clear()
        log.warning("AMI connection lost (%s); panoramisk reconnects", exc)

    async def wait_connected(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a login; True if logged in."""
        try:
            await asyncio.wait_for(self._logged_in_event.wait(), timeout)
        except TimeoutError:
            return False
        return self.connected

    async def send(self, action: Mapping[str, str], as_list: bool | None = None) -> Any:
        """``as_list``: False for an action answered by one response. panoramisk guesses
        otherwise, and guesses wrong for QueueAdd ("Added interface to queue" looks like
        the start of an event list to it): it would wait for the list's end forever."""
        check_action(action)
        return await self._manager.send_action(dict(action), as_list=as_list)

    async def checked(self, action: Mapping[str, str], as_list: bool | None = False) -> Any:
        """Send ``action``; TelephonyError (naming the action and Asterisk's message) when
        AMI is down or Asterisk refuses."""
        if not self.connected:
            raise TelephonyError(f"{action['Action']}: AMI is not connected")
        reply = await self.send(action, as_list)
        first = reply[0] if isinstance(reply, list) and reply else reply
        if not getattr(first, "success", False):
            raise TelephonyError(f"{action['Action']}: {getattr(first, 'message', first)}")
        return reply

    async def redirect(self, call_id: str, context: str, exten: str) -> None:
        """AMI Redirect by Uniqueid: an async goto, which also breaks a running playback
        (ARI's continueInDialplan would wait until the prompt ends)."""
        action = {
            "Action": "Redirect",
            "Channel": call_id,
            "Context": context,
            "Exten": exten,
            "Priority": "1",
        }
        await self.checked(action, None)

    async def close(self) -> None:
        self._up = False
        # Stop panoramisk's reconnect loop first, then the connection.
        self._manager.connection_lost = lambda exc: None
        self._manager.close()
