"""The call log on a real SQLite database built by the Alembic migrations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from callcenter.domain.calls import CallOutcome, CallRecord, CallState
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_engine, make_sessions, ping
from callcenter.store.migrate import upgrade

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cc.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def call_log(url: str) -> Iterator[SqlCallLog]:
    engine = make_engine(url)
    yield SqlCallLog(make_sessions(engine))
    engine.dispose()


def test_schema_comes_from_migrations_with_named_constraints(url: str) -> None:
    engine = make_engine(url)
    uniques = inspect(engine).get_unique_constraints("calls")
    engine.dispose()
    assert [u["name"] for u in uniques] == ["uq_calls_call_id"]


def test_sqlite_runs_in_wal_with_foreign_keys(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert ping(engine)
    engine.dispose()


async def test_a_call_from_start_to_end(call_log: SqlCallLog) -> None:
    await call_log.call_started(CallRecord("u1", "l1", "+14155550100", "7000", T0))
    await call_log.digit_pressed("u1", "4")
    await call_log.digit_pressed("u1", "2")
    await call_log.call_ended("u1", CallOutcome.COMPLETED, T0)
    record = await call_log.get("u1")
    assert record is not None
    assert (record.digits, record.state, record.outcome) == (
        "42",
        CallState.ENDED,
        CallOutcome.COMPLETED,
    )
    assert record.started_at == T0


async def test_replayed_events_change_nothing(call_log: SqlCallLog) -> None:
    start = CallRecord("u1", "l1", "+1", "7000", T0)
    await call_log.call_started(start)
    await call_log.call_started(start)
    await call_log.call_ended("u1", CallOutcome.FALLBACK, T0)
    await call_log.call_ended("u1", CallOutcome.ABANDONED, T0)
    record = await call_log.get("u1")
    assert record is not None
    assert record.outcome is CallOutcome.FALLBACK
    assert len(await call_log.recent()) == 1


async def test_digit_for_unknown_call_names_it(call_log: SqlCallLog) -> None:
    with pytest.raises(LookupError, match="'nope'"):
        await call_log.digit_pressed("nope", "1")


def test_ping_is_false_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/missing-dir/x.sqlite3")
    assert not ping(engine)
    engine.dispose()
