"""Work for one key (an agent, a call) done one piece at a time, in the order it came.

asyncio locks wake their waiters first come, first served: tasks that call :meth:`Lanes.run`
in some order get through in that order, as long as nothing is awaited before the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class Lanes:
    """One FIFO lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    async def run(self, key: str, work: Awaitable[T]) -> T:
        lock, users = self._locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                return await work
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
