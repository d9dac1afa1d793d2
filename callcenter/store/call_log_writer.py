"""The call log as the daemon uses it: writes never make a call wait.

Measured before this existed (py-spy and the IVR benchmark): ``call_started`` was awaited
before the call was answered and ``digit_pressed`` before the engine heard the digit, so
call setup and DTMF → prompt waited behind whatever database work was queued — the
100 ms+ setup delays at 5 to 10 calls/s.

Contract:
* ``call_started``, ``digit_pressed``, ``ivr_finished`` and ``call_ended`` queue the change
  and return at once; one writer task applies queued changes in order, as many as are
  waiting in one transaction.
* Reads (``get``, ``recent``, ``recent_ended``) first wait until every change queued
  before them is committed: a reader always sees its own call's writes.
* A batch that fails is applied change by change, each in its own transaction; a change
  that cannot apply (e.g. a digit for a call the log never had) is logged and dropped,
  never blocking the others. A database that is down is retried with backoff, the queue
  kept: nothing is lost while the daemon runs. What a crash can lose is the batch in
  flight (milliseconds of changes); the next start's replay and reconcile cover calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult
from callcenter.logs import call_id_var
from callcenter.store.call_log import (
    CallLogOp,
    SqlCallLog,
    digit_op,
    ended_op,
    hung_up_op,
    ivr_op,
    started_op,
)
from callcenter.store.db_threads import DbThreads

log = logging.getLogger(__name__)


@dataclasses.dataclass
class _Change:
    call_id: str
    what: str
    op: CallLogOp


class WriteBehindCallLog:
    def __init__(
        self, log_: SqlCallLog, threads: DbThreads, max_batch: int = 500, retry_max: float = 5.0
    ) -> None:
        self._log = log_
        self._threads = threads
        self._max_batch = max_batch
        self._retry_max = retry_max
        self._pending: list[_Change] = []
        self._queued = 0  # changes ever queued
        self._done = 0  # changes ever settled (committed or dropped)
        self._wake = asyncio.Event()
        self._settled = asyncio.Condition()
        self._writer: asyncio.Task[None] | None = None

    @property
    def backlog(self) -> int:
        return self._queued - self._done

    def _queue(self, call_id: str, what: str, op: CallLogOp) -> None:
        self._pending.append(_Change(call_id, what, op))
        self._queued += 1
        self._wake.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_forever(), name="call-log-writer")

    # -- writes: queued ----------------------------------------------------------------

    async def call_started(self, record: CallRecord) -> None:
        self._queue(record.call_id, "started", started_op(record, self._log.node, self._log.logged))

    async def hung_up(self, call_id: str, at: datetime) -> None:
        self.queue_hung_up(call_id, at)

    def queue_hung_up(self, call_id: str, at: datetime) -> None:
        """:meth:`hung_up` from an event handler (nothing to await: it is queued)."""
        self._queue(call_id, "hung_up", hung_up_op(call_id, at))

    async def digit_pressed(self, call_id: str, digit: str) -> None:
        self._queue(call_id, "digit", digit_op(call_id, digit))

    async def ivr_finished(self, call_id: str, result: IvrResult) -> None:
        self._queue(call_id, "ivr", ivr_op(call_id, result, self._log.logged))

    async def call_ended(self, call_id: str, outcome: CallOutcome, at: datetime) -> None:
        self._queue(call_id, "ended", ended_op(call_id, outcome, at))

    # -- reads: after what was queued before them ------------------------------------

    async def flush(self) -> None:
        """Wait until every change queued so far is settled."""
        target = self._queued
        async with self._settled:
            await self._settled.wait_for(lambda: self._done >= target)

    async def get(self, call_id: str) -> CallRecord | None:
        await self.flush()
        return await self._log.get(call_id)

    async def recent(self, limit: int = 50) -> list[CallRecord]:
        await self.flush()
        return await self._log.recent(limit)

    async def recent_ended(self, limit: int) -> list[CallRecord]:
        await self.flush()
        return await self._log.recent_ended(limit)

    # -- the writer --------------------------------------------------------------------

    async def _write_forever(self) -> None:
        delay = 0.1
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            try:
                await self._apply(self._pending[: self._max_batch])
            except OperationalError as exc:  # the database is unreachable: keep, retry
                log.warning("call log: %d changes wait for the database (%s)", self.backlog, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._retry_max)
                continue
            delay = 0.1

    async def _apply(self, batch: list[_Change]) -> None:
        """Commit ``batch`` (the head of the queue) and take it off the queue; changes leave
        the queue only once settled, so a retry never applies one twice."""
        try:
            await self._threads.run("call_log.batch", self._log.apply, [c.op for c in batch])
        except OperationalError:
            raise
        except Exception as exc:  # one change spoilt the batch: find it, keep the rest
            log.info("call log batch of %d failed (%s); applying one by one", len(batch), exc)
        else:
            del self._pending[: len(batch)]
            await self._settle(len(batch))
            return
        for change in batch:
            token = call_id_var.set(change.call_id)
            try:
                await self._threads.run(f"call_log.{change.what}", self._log.apply, [change.op])
            except IntegrityError:
                pass  # the same call inserted concurrently: the row is there
            except OperationalError:
                raise
            except Exception as exc:
                log.warning("call log: %s dropped: %s", change.what, exc)
            finally:
                call_id_var.reset(token)
            del self._pending[0]
            await self._settle(1)

    async def _settle(self, n: int) -> None:
        async with self._settled:
            self._done += n
            self._settled.notify_all()

    async def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._pending:
            await self.flush()
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
