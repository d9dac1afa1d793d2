"""What happened while the daemon did not watch (it was down, or its AMI link broke),
rebuilt from Asterisk's ``queue_log``: calls the log knows nothing of are added whole, and
agents' pauses and logins from the gap, each marked ``queue_log``. Idempotent: a line
already imported has the same key."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.event_log import LIVE, LoggedEvent

log = logging.getLogger(__name__)
MARGIN = timedelta(minutes=5)  # a call that began just before the gap is read whole


class ReadLog(Protocol):
    async def __call__(
        self, since: datetime | None, until: datetime | None
    ) -> list[LoggedEvent]: ...


class RebuildPort(Protocol):
    async def latest(self, source: str) -> datetime | None: ...

    async def known_calls(self, call_ids: Sequence[str]) -> set[str]: ...

    async def append(self, events: Sequence[LoggedEvent]) -> int: ...


async def rebuild(port: RebuildPort, read: ReadLog, now: datetime) -> int:
    """Import the queue_log's lines since the last event the daemon saw; how many."""
    last = await port.latest(LIVE)
    since = None if last is None else last - MARGIN
    lines = await read(since, now)
    calls = sorted({e.call_id for e in lines if e.call_id})
    known = await port.known_calls(calls)
    # Calls never seen are taken whole; of the others (and of agents), what came after.
    missing = [
        e for e in lines if (e.call_id and e.call_id not in known) or last is None or e.at > last
    ]
    added = await port.append(missing) if missing else 0
    if added:
        log.warning(
            "event log: %d events rebuilt from queue_log (%d calls the daemon did not see)",
            added,
            len({e.call_id for e in missing if e.call_id}),
        )
    return added
