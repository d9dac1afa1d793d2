"""Bounded polling: wait for a condition instead of sleeping blindly."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def until(
    check: Callable[[], T], timeout: float = 10.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """Return the first truthy value of ``check()``; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T = check()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(interval)
        last = check()
    return last
