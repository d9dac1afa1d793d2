"""What the features tell once a change committed (``emit(kind, data)``), fanned out in
process: to the features that act on another's events — e.g. a completed callback
answers the voicemails that asked for it — and to the webhooks loop, woken to deliver
(the event itself reached the outbox in the change's own transaction). (Composition
root.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[Mapping[str, Any]], Awaitable[None]]


class EventBus:
    def __init__(self) -> None:
        self._any: list[Callable[[str, Mapping[str, Any]], None]] = []
        self._listeners: dict[str, list[Listener]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def listen(self, kind: str, listener: Listener) -> None:
        self._listeners.setdefault(kind, []).append(listener)

    def on_any(self, wake: Callable[[str, Mapping[str, Any]], None]) -> None:
        """``wake`` is told of every event at once (the webhooks' delivery loop)."""
        self._any.append(wake)

    def emit(self, kind: str, data: Mapping[str, Any]) -> None:
        for wake in self._any:
            wake(kind, data)
        for listener in self._listeners.get(kind, ()):
            task = asyncio.get_running_loop().create_task(self._run(kind, listener, data))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, kind: str, listener: Listener, data: Mapping[str, Any]) -> None:
        try:
            await listener(data)
        except Exception:
            log.exception("%s: a listener failed", kind)
