"""The store's worker threads: every database use case runs here, timed.

Why not ``asyncio.to_thread``: the default executor has ``cpu + 4`` threads (6 here), and
ORM work in six threads takes the GIL from the event loop as often as the loop holds it
(measured with py-spy under the IVR benchmark). A small pool of its own keeps the
database off the loop with fewer contenders, and every use case is timed by name.

Contract: :meth:`DbThreads.run` runs ``fn(*args)`` in a pool thread with the caller's
context variables (the call id reaches the log lines written there) and returns its
result or raises its exception; ``observe(operation, seconds)`` gets every duration.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class DbThreads:
    def __init__(
        self, threads: int = 2, observe: Callable[[str, float], None] | None = None
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="db")
        self._observe = observe
        self._busy: dict[str, tuple[str, float]] = {}  # thread → (operation, started)

    async def run(self, operation: str, fn: Callable[..., T], *args: Any) -> T:
        context = contextvars.copy_context()
        call = functools.partial(context.run, self._timed, operation, fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def _timed(self, operation: str, fn: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        thread = threading.current_thread().name
        self._busy[thread] = (operation, started)
        try:
            return fn(*args)
        finally:
            self._busy.pop(thread, None)
            if self._observe is not None:
                self._observe(operation, time.perf_counter() - started)

    def busy(self) -> dict[str, str]:
        """What each busy worker thread runs now and for how long (for the stall catcher)."""
        now = time.perf_counter()
        return {
            thread: f"{operation} {(now - started) * 1000:.0f} ms"
            for thread, (operation, started) in list(self._busy.items())
        }

    def close(self) -> None:
        self._pool.shutdown(wait=True)
