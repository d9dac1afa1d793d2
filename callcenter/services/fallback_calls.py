"""Calls the daemon never took (it was down, or its ARI link was cut, so the dialplan sent
them straight to the fallback queue) still land on the caller's ticket.

Contract: :meth:`FallbackCalls.run` imports the fallback spool every ``every`` seconds
(at once on start); a call already in the call log (one the daemon itself released to
fallback) is left alone; a new one is recorded as ended with outcome ``fallback`` and
archived onto its ticket like any call. Idempotent on the Uniqueid: a batch re-read
after a crash adds nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from callcenter.domain.calls import CallOutcome, CallRecord, FallbackCall
from callcenter.logs import call_id_var
from callcenter.services.ports import CallLog, FallbackSource

log = logging.getLogger(__name__)


class FallbackCalls:
    def __init__(
        self,
        spool: FallbackSource,
        call_log: CallLog,
        archive: Callable[[str], Awaitable[None]],
        dialed: str,
        every: float = 5.0,
        then: Callable[[FallbackCall], Awaitable[CallOutcome]] | None = None,
    ) -> None:
        """``then``: what is done for each new call before it is archived (the capacity
        spool's callback request), returning the call's outcome; default: fallback."""
        self._spool, self._log, self._archive = spool, call_log, archive
        self._dialed, self._every, self._then = dialed, every, then

    async def import_once(self) -> int:
        """Import what the spool holds now; returns how many calls were new."""
        calls = await asyncio.to_thread(self._spool.take)
        new = 0
        for call in calls:
            token = call_id_var.set(call.call_id)
            try:
                if await self._log.get(call.call_id) is not None:
                    continue  # the daemon had it (and released it to fallback itself)
                record = CallRecord(
                    call.call_id, call.linked_id, call.caller, self._dialed, call.at
                )
                # ``then`` before the call is written: a daemon killed in between finds no
                # call on restart and does it again (a callback request asked twice is the
                # same request); after it, the call in the log says it was done.
                outcome = CallOutcome.FALLBACK if self._then is None else await self._then(call)
                await self._log.call_started(record)
                await self._log.call_ended(call.call_id, outcome, call.at)
                await self._archive(call.call_id)
                log.info(
                    "%s call from %s imported (the daemon never took it)", outcome, call.caller
                )
                new += 1
            finally:
                call_id_var.reset(token)
        await asyncio.to_thread(self._spool.done)
        return new

    async def run(self) -> None:
        while True:
            try:
                await self.import_once()
            except Exception:
                log.exception("fallback spool import failed; retried in %.0f s", self._every)
            await asyncio.sleep(self._every)
