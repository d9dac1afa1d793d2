"""Calls lost with their node, on SQLite and PostgreSQL: the call log knows which calls are
still on a node (no hangup yet), survivors racing to record one call lost and offer its
callback make exactly one, and calls whose hangup was missed are settled, not lost."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.callbacks import CallAlreadyClosed
from callcenter.domain.calls import CallOutcome, CallRecord, CallState
from callcenter.domain.cluster import Owner
from callcenter.services.lost_calls import SOURCE
from callcenter.store.call_log import SqlCallLog
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.lost_calls import SqlLostCalls
from tests.integration.store.test_callbacks import new

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def log_a(db_engine: Engine) -> SqlCallLog:
    return SqlCallLog(make_sessions(db_engine), DbThreads(2), node="a")


@pytest.fixture
def lost(db_engine: Engine) -> SqlLostCalls:
    return SqlLostCalls(make_sessions(db_engine), DbThreads(2))


async def started(log: SqlCallLog, call_id: str, caller: str, at: datetime = NOW) -> None:
    await log.call_started(CallRecord(call_id, call_id, caller, "7000", at))


async def test_a_node_has_the_calls_whose_caller_has_not_hung_up(
    log_a: SqlCallLog, lost: SqlLostCalls, db_engine: Engine
) -> None:
    log_b = SqlCallLog(make_sessions(db_engine), DbThreads(1), node="b")
    for i in range(3):
        await started(log_a, f"a-{i}", f"7916000000{i}")
    await started(log_b, "b-0", "79160000009")
    await log_a.hung_up("a-1", NOW)
    await log_a.hung_up("a-1", NOW + timedelta(seconds=5))  # a replay changes nothing
    await log_a.hung_up("a-1-agent-leg", NOW)  # no call of ours: nothing
    assert [c.call_id for c in await lost.open_on("a")] == ["a-0", "a-2"]
    record = await log_a.get("a-1")
    assert record is not None
    assert (record.node, record.hung_up_at) == ("a", NOW)


async def test_racing_survivors_record_a_lost_call_once_with_one_callback(
    log_a: SqlCallLog, db_engine: Engine
) -> None:
    await started(log_a, "a-7", "79161234567")
    survivors = [
        SqlCallbacks(make_sessions(db_engine), DbThreads(2), lambda n=n: Owner(n, 1), ())
        for n in ("b", "c")
    ]
    offer = dataclasses.replace(
        new(), lost_call="a-7", reason="node failure (a)", call_id="a-7", source=SOURCE
    )
    results = await asyncio.gather(*(s.request(offer) for s in survivors), return_exceptions=True)
    made = [r for r in results if not isinstance(r, BaseException)]
    assert len(made) == 1, results
    assert [type(r) for r in results if isinstance(r, BaseException)] == [CallAlreadyClosed]
    callback, _promise, created = made[0]
    assert created
    assert callback.call_id == "a-7"
    record = await log_a.get("a-7")
    assert record is not None
    assert record.lost == "node failure (a)"
    assert (record.state, record.outcome) == (CallState.ENDED, CallOutcome.LOST)
    with pytest.raises(CallAlreadyClosed):  # a node coming back later offers nothing more
        await survivors[0].request(offer)


async def test_a_call_that_left_the_ivr_keeps_its_outcome_when_lost(
    log_a: SqlCallLog, lost: SqlLostCalls
) -> None:
    await started(log_a, "a-8", "79161234568")
    await log_a.call_ended("a-8", CallOutcome.QUEUE, NOW)
    assert await lost.lose("a-8", NOW, "node failure (a)")
    assert not await lost.lose("a-8", NOW, "node failure (a)")
    record = await log_a.get("a-8")
    assert record is not None
    assert (record.outcome, record.lost) == (CallOutcome.QUEUE, "node failure (a)")


async def test_calls_asterisk_no_longer_has_are_settled_not_lost(
    log_a: SqlCallLog, lost: SqlLostCalls
) -> None:
    await started(log_a, "a-1", "79160000001", NOW - timedelta(minutes=5))
    await started(log_a, "a-2", "79160000002", NOW - timedelta(minutes=4))
    await started(log_a, "a-3", "79160000003", NOW + timedelta(seconds=1))  # after the list
    assert await lost.settle("a", {"a-2"}, NOW) == 1
    assert [c.call_id for c in await lost.open_on("a")] == ["a-2", "a-3"]
    record = await log_a.get("a-1")
    assert record is not None
    assert (record.hung_up_at, record.lost) == (NOW, "")
