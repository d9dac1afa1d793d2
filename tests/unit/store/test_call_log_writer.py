"""The write-behind call log on a real SQLite database built by the migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult
from callcenter.store.call_log import CallLogOp, SqlCallLog
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.migrate import upgrade

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class FlakySqlCallLog(SqlCallLog):
    """The real log, whose database is unreachable for the first ``outages`` batches."""

    outages = 0
    batches = 0

    def apply(self, ops: Sequence[CallLogOp]) -> None:
        self.batches += 1
        if self.outages:
            self.outages -= 1
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        super().apply(ops)


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[tuple[WriteBehindCallLog, FlakySqlCallLog]]:
    url = f"sqlite:///{tmp_path / 'cc.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    threads = DbThreads(1)
    sql = FlakySqlCallLog(make_sessions(engine), threads)
    writer = WriteBehindCallLog(sql, threads, retry_max=0.05)
    yield writer, sql
    await writer.close()
    threads.close()
    engine.dispose()


def _record(call_id: str) -> CallRecord:
    return CallRecord(call_id, call_id, "79120000000", "7000", T0)


async def test_writes_return_at_once_and_reads_see_them(
    log: tuple[WriteBehindCallLog, FlakySqlCallLog],
) -> None:
    writer, sql = log
    await writer.call_started(_record("1.1"))
    for digit in "123#":
        await writer.digit_pressed("1.1", digit)
    await writer.ivr_finished(
        "1.1", IvrResult("main@v1", ({"flow": "main", "node": "x"},), "queue", "support")
    )
    await writer.call_ended("1.1", CallOutcome.QUEUE, T0)
    assert writer.backlog == 7  # nothing waited for the database
    record = await writer.get("1.1")  # waits for what was queued before it
    assert record is not None
    assert record.digits == "123#"
    assert record.outcome is CallOutcome.QUEUE
    assert writer.backlog == 0
    assert sql.batches <= 2  # the seven changes shared a transaction or two


async def test_a_change_that_cannot_apply_is_dropped_alone(
    log: tuple[WriteBehindCallLog, FlakySqlCallLog],
) -> None:
    writer, _ = log
    await writer.digit_pressed("never-started", "5")  # no such call: cannot apply
    await writer.call_started(_record("2.1"))
    await writer.digit_pressed("2.1", "7")
    record = await writer.get("2.1")
    assert record is not None
    assert record.digits == "7"
    assert await writer.get("never-started") is None


async def test_a_database_outage_loses_nothing_and_repeats_nothing(
    log: tuple[WriteBehindCallLog, FlakySqlCallLog],
) -> None:
    writer, sql = log
    sql.outages = 3
    await writer.call_started(_record("3.1"))
    for digit in "4567":
        await writer.digit_pressed("3.1", digit)
    record = await asyncio.wait_for(writer.get("3.1"), 5)
    assert record is not None
    assert record.digits == "4567"
    assert sql.batches >= 4


async def test_close_commits_what_is_queued(
    log: tuple[WriteBehindCallLog, FlakySqlCallLog],
) -> None:
    writer, sql = log
    await writer.call_started(_record("4.1"))
    await writer.call_ended("4.1", CallOutcome.COMPLETED, T0)
    await writer.close()
    record = await sql.get("4.1")
    assert record is not None
    assert record.outcome is CallOutcome.COMPLETED
