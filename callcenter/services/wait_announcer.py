"""Periodic announcements to waiting callers: their position and our estimate of their wait,
every ``announce_wait_every`` seconds of a queue (queues.yaml), whispered over their music
so they keep their place (app_queue's own position announcement is off for such queues).

Contract: :meth:`WaitAnnouncer.tick` never raises; each waiting caller hears at most one
announcement per period, the first a period after they joined (on entry the dialplan has
just said the wait); callers with no honest estimate hear only their position. A caller is
forgotten once they left the queue.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_view import QueueSnapshot, WaitingCaller
from callcenter.logs import call_id_var
from callcenter.services.ports import QueueControl, TelephonyError
from callcenter.services.wait_estimates import WaitEstimates, announced_minutes

log = logging.getLogger(__name__)

# A channel name fit for ChanSpy's argument list (no commas, no spaces).
_CHANNEL = re.compile(r"^[A-Za-z0-9_./@-]+$")


class WaitAnnouncer:
    def __init__(
        self, queues: QueueControl, estimates: WaitEstimates, defs: Mapping[str, QueueDef]
    ) -> None:
        self._queues = queues
        self._estimates = estimates
        self._defs = {n: q for n, q in defs.items() if q.announce_wait and q.announce_wait_every}
        self._told: dict[str, float] = {}  # call id → its wait (s) when last told

    @property
    def active(self) -> bool:
        return bool(self._defs)

    async def run(self, period: float = 1.0) -> None:
        while True:
            await asyncio.sleep(period)
            await self.tick()

    async def tick(self) -> list[str]:
        """Announce to every caller due; returns their call ids."""
        if not self._defs:
            return []
        try:
            # Only the queues that announce: the answer grows with every member and caller.
            snapshots = [s for name in self._defs for s in await self._queues.status(name)]
        except TelephonyError as exc:
            log.debug("no announcements this time: %s", exc)
            return []
        due: list[str] = []
        waiting_now: set[str] = set()
        for snapshot in snapshots:
            queue = self._defs.get(snapshot.queue)
            if queue is None:
                continue
            for caller in snapshot.waiting:
                waiting_now.add(caller.call_id)
                last = self._told.get(caller.call_id, 0.0)
                if caller.wait - last < queue.announce_wait_every:
                    continue
                if not _CHANNEL.match(caller.channel):
                    continue
                token = call_id_var.set(caller.call_id)
                try:
                    if await self._tell(queue, snapshot, caller):
                        due.append(caller.call_id)
                finally:
                    call_id_var.reset(token)
        for gone in set(self._told) - waiting_now:
            del self._told[gone]
        return due

    async def _tell(self, queue: QueueDef, snapshot: QueueSnapshot, caller: WaitingCaller) -> bool:
        seconds = await self._estimates.for_position(queue, snapshot, caller.position)
        minutes = int(announced_minutes(seconds) or 0)
        try:
            await self._queues.whisper(caller.channel, caller.position, minutes)
        except TelephonyError as exc:
            log.warning("could not tell the caller their wait: %s", exc)
            return False
        self._told[caller.call_id] = caller.wait
        log.info(
            "told caller %s in %s: position %d, %s",
            caller.call_id,
            queue.name,
            caller.position,
            f"about {minutes} min" if minutes else "no estimate",
        )
        return True
