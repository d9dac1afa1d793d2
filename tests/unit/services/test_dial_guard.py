"""The guard service: every decision audited, counts given back when nothing was dialled,
a number waiting in another queue refused, the breaker told once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from callcenter.domain.callbacks import Callback, CallbackError, CallbackState, NumberPolicy
from callcenter.domain.dial_guard import DialAttempt, DialRecord, GuardLimits, Refusal, Rule
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.domain.tickets import Page
from callcenter.services.callback_ports import CallbackAnswer
from callcenter.services.dial_guard import DialGuard, RequestRefused
from tests.support.fakes import FixedClock

NOW = FixedClock().now()


class MemoryAudit:
    def __init__(self) -> None:
        self.records: list[DialRecord] = []

    async def record(self, record: DialRecord) -> DialRecord:
        stored = dataclasses.replace(record, id=len(self.records) + 1)
        self.records.append(stored)
        return stored

    async def page(self, refused: bool | None, limit: int, before: int | None) -> Page[DialRecord]:
        return Page(tuple(reversed(self.records))[:limit], None)

    async def counts(self, since: datetime) -> dict[str, int]:
        return {}


class Pending:
    def __init__(self, queues: dict[str, list[str]] | None = None) -> None:
        self.queues = queues or {}

    async def open_queues(self, number: str) -> list[str]:
        return self.queues.get(number, [])


def answer(created: bool = True, cb_id: int = 7) -> CallbackAnswer:
    cb = Callback(cb_id, "support", "+79161234567", CallbackState.WAITING, NOW, NOW)
    promise = Promise(1, PromiseKind.CALLBACK, cb_id, "support", NOW, NOW, PromiseState.OPEN)
    return CallbackAnswer(cb, promise, created)


def guard(
    pending: Pending | None = None, **limits: Any
) -> tuple[DialGuard, MemoryAudit, list[Refusal]]:
    audit, trips = MemoryAudit(), []
    g = DialGuard(
        audit,
        pending or Pending(),
        NumberPolicy("RU", frozenset({"RU"})),
        GuardLimits(**limits),
        FixedClock(),
        on_trip=trips.append,
    )
    return g, audit, trips


async def test_an_accepted_request_dials_and_is_audited_with_its_callback() -> None:
    g, audit, _ = guard()
    dialled: list[str] = []

    async def dial(number: str) -> CallbackAnswer:
        dialled.append(number)
        return answer()

    got = await g.guarded(
        DialAttempt("web", "8 916 123-45-67", "198.51.100.1", "shop"),
        "support",
        dial,
        "https://shop.example",
        "UA",
    )
    assert got.callback.id == 7
    assert dialled == ["+79161234567"]
    [record] = audit.records
    assert record.rule is None
    assert record.callback_id == 7
    assert (record.origin, record.user_agent, record.number) == (
        "https://shop.example",
        "UA",
        "+79161234567",
    )


async def test_a_refusal_is_audited_and_nothing_is_dialled() -> None:
    g, audit, _ = guard()

    async def dial(number: str) -> CallbackAnswer:
        raise AssertionError("dialled")

    with pytest.raises(Refusal) as caught:
        await g.guarded(DialAttempt("web", "+78091234567", "198.51.100.1", "shop"), "support", dial)
    assert caught.value.rule is Rule.NUMBER
    assert [r.rule for r in audit.records] == [Rule.NUMBER]


async def test_a_number_waiting_in_another_queue_is_refused_and_gives_its_counts_back() -> None:
    g, audit, _ = guard(Pending({"+79161234567": ["sales"]}), per_number_day=1)

    async def dial(number: str) -> CallbackAnswer:
        return answer()

    with pytest.raises(Refusal) as caught:
        await g.guarded(DialAttempt("api", "+79161234567", "", "token:x"), "support", dial)
    assert caught.value.rule is Rule.PENDING
    assert caught.value.status == 409
    g2, _, _ = guard(per_number_day=1)
    # Merged into an open callback: nothing new was dialled, the count is given back.
    await g2.guarded(
        DialAttempt("api", "+79161234567", "", "token:x"),
        "support",
        lambda n: _async(answer(False)),
    )
    await g2.guarded(
        DialAttempt("api", "+79161234567", "", "token:x"), "support", lambda n: _async(answer())
    )
    assert audit.records[0].rule is Rule.PENDING


async def test_a_request_the_callbacks_service_refuses_is_audited_as_such() -> None:
    g, audit, _ = guard()

    async def dial(number: str) -> CallbackAnswer:
        raise CallbackError("at: 2026-12-06T03:00:00+03:00 is outside business hours")

    with pytest.raises(RequestRefused):
        await g.guarded(DialAttempt("web", "+79161234567", "198.51.100.1", "shop"), "support", dial)
    assert audit.records[0].rule is None
    assert audit.records[0].message.startswith("request refused: at:")


async def test_the_breaker_is_told_once_when_the_budget_runs_out() -> None:
    g, audit, trips = guard(budget_hour=1)
    await g.guarded(
        DialAttempt("web", "+79161234567", "a", "shop"), "support", lambda n: _async(answer())
    )
    for client in ("b", "c"):
        with pytest.raises(Refusal):
            await g.guarded(
                DialAttempt("web", "+79161234568", client, "shop"),
                "support",
                lambda n: _async(answer()),
            )
    assert [r.rule for r in audit.records] == [None, Rule.BUDGET, Rule.BREAKER]
    assert len(trips) == 1
    assert g.breaker_open


async def _async(value: CallbackAnswer) -> CallbackAnswer:
    return value


def test_clock_is_utc() -> None:
    assert NOW.tzinfo is UTC
