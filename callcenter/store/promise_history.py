"""What the promise predictor measured, read from the store: the handle times of a queue's
answered calls (queue_legs: talk + wrap-up, by the local hour they started), the share of
callbacks whose first attempt reached nobody, and our own past predictions against what
each promise really took (closed callback promises with a prediction)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.promises import Promise, PromiseKind
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import CallbackRow, PromiseRow, QueueLegRow
from callcenter.store.promise_rows import promise_of

LIMIT = 5000  # the newest rows read of each


class SqlPromiseHistory:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def handle_times(self, queue: str, since: datetime) -> list[tuple[datetime, float]]:
        """(started, talk + wrap-up seconds) of the queue's answered calls since ``since``."""
        return await self._threads.run("promises.handle_times", self._handle, queue, since)

    def _handle(self, queue: str, since: datetime) -> list[tuple[datetime, float]]:
        with self._sessions() as s:
            rows = s.execute(
                select(QueueLegRow.entered_at, QueueLegRow.talk, QueueLegRow.wrap_up)
                .where(
                    QueueLegRow.queue == queue,
                    QueueLegRow.outcome == "answered",
                    QueueLegRow.entered_at >= since,
                    QueueLegRow.talk > 0,
                )
                .order_by(QueueLegRow.entered_at.desc())
                .limit(LIMIT)
            )
            return [(as_utc(at), talk + wrap) for at, talk, wrap in rows]

    async def retry_share(self, queue: str, since: datetime) -> float | None:
        """The share of the queue's callbacks answered or failed since ``since`` that
        needed more than one attempt (None: none yet)."""
        return await self._threads.run("promises.retry_share", self._retry, queue, since)

    def _retry(self, queue: str, since: datetime) -> float | None:
        with self._sessions() as s:
            done = (
                CallbackRow.queue == queue,
                CallbackRow.state.in_(("completed", "failed")),
                CallbackRow.requested_at >= since,
            )
            total = s.scalar(select(func.count(CallbackRow.id)).where(*done)) or 0
            again = (
                s.scalar(select(func.count(CallbackRow.id)).where(*done, CallbackRow.attempts > 1))
                or 0
            )
            return again / total if total else None

    async def past_predictions(self, queue: str, since: datetime) -> list[Promise]:
        """The queue's callback promises made since ``since`` with a prediction and served
        (answered): what was predicted and when it really happened."""
        return await self._threads.run("promises.past", self._past, queue, since)

    def _past(self, queue: str, since: datetime) -> list[Promise]:
        with self._sessions() as s:
            rows = s.scalars(
                select(PromiseRow)
                .where(
                    PromiseRow.kind == PromiseKind.CALLBACK.value,
                    PromiseRow.queue == queue,
                    PromiseRow.made_at >= since,
                    PromiseRow.expected_at.is_not(None),
                    PromiseRow.closed_at.is_not(None),
                    PromiseRow.outcome.like("answered%"),
                )
                .order_by(PromiseRow.id.desc())
                .limit(LIMIT)
            )
            return [promise_of(r) for r in rows]
