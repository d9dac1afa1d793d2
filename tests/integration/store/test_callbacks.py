"""The callback store on SQLite and PostgreSQL: one open request per number and queue,
claims taken once, compare-and-set transitions, promises whose due time never moves."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.callbacks import Callback, CallbackState, NewCallback, StaleCallback
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.domain.webhooks import Event
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.webhooks import SqlWebhooks

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def callbacks(db_engine: Engine) -> SqlCallbacks:
    return SqlCallbacks(make_sessions(db_engine), DbThreads(4))


def new(number: str = "+79161234567", queue: str = "support") -> NewCallback:
    return NewCallback(
        queue=queue,
        number=number,
        requested_at=NOW,
        joined_at=NOW - timedelta(minutes=2),
        due_at=NOW + timedelta(minutes=30),
    )


async def test_one_open_request_per_number_and_queue(callbacks: SqlCallbacks) -> None:
    first, promise, created = await callbacks.request(new())
    assert created
    assert first.state is CallbackState.WAITING
    assert first.attempts == 1  # the first attempt is claimed with the request
    assert promise.kind is PromiseKind.CALLBACK
    assert promise.subject_id == first.id
    again, same_promise, created_again = await callbacks.request(new())
    assert not created_again
    assert (again.id, same_promise.id) == (first.id, promise.id)
    other_queue, _, created_other = await callbacks.request(new(queue="sales"))
    assert created_other
    assert other_queue.id != first.id


async def test_concurrent_requests_for_one_number_make_one(callbacks: SqlCallbacks) -> None:
    results = await asyncio.gather(*(callbacks.request(new("+79160000001")) for _ in range(6)))
    assert len({cb.id for cb, _, _ in results}) == 1
    assert sum(created for _, _, created in results) == 1


async def test_a_transition_expects_the_state_and_the_attempt(callbacks: SqlCallbacks) -> None:
    cb, _, _ = await callbacks.request(new())
    dialing = await callbacks.change(
        cb.id, [CallbackState.WAITING], 1, {"state": CallbackState.DIALING, "agent": "1001"}
    )
    assert dialing.agent == "1001"
    with pytest.raises(StaleCallback, match="dialing attempt 1, expected waiting"):
        await callbacks.change(cb.id, [CallbackState.WAITING], 1, {"agent": "1002"})
    with pytest.raises(StaleCallback, match="expected dialing attempt 2"):
        await callbacks.change(cb.id, [CallbackState.DIALING], 2, {"agent": "1002"})


async def test_a_due_retry_is_claimed_once(callbacks: SqlCallbacks) -> None:
    cb, _, _ = await callbacks.request(new())
    await callbacks.change(
        cb.id,
        [CallbackState.WAITING],
        1,
        {"state": CallbackState.RETRY, "next_attempt_at": NOW + timedelta(minutes=2)},
    )
    assert await callbacks.claim_due(NOW) == []  # not due yet
    later = NOW + timedelta(minutes=3)
    claims = await asyncio.gather(*(callbacks.claim_due(later) for _ in range(4)))
    taken = [c for batch in claims for c in batch]
    assert [(c.id, c.attempts, c.state) for c in taken] == [(cb.id, 2, CallbackState.WAITING)]


async def test_a_closed_promise_keeps_its_outcome_and_the_due_time_never_moves(
    callbacks: SqlCallbacks,
) -> None:
    cb, promise, _ = await callbacks.request(new())
    with pytest.raises(ValueError, match="never changes"):
        await callbacks.update_promise(promise.id, {"due_at": NOW})
    kept = await callbacks.update_promise(
        promise.id, {"state": PromiseState.KEPT, "closed_at": NOW + timedelta(minutes=5)}
    )
    assert kept.slack == 25 * 60
    unchanged = await callbacks.update_promise(promise.id, {"state": PromiseState.BROKEN})
    assert unchanged.state is PromiseState.KEPT
    assert await callbacks.promise_for(PromiseKind.CALLBACK, cb.id) == kept
    assert [p.id for p in await callbacks.promise_counts(NOW, NOW + timedelta(1))] == [promise.id]


async def test_events_are_written_with_the_change_and_only_when_it_happens(
    callbacks: SqlCallbacks, db_engine: Engine
) -> None:
    webhooks = SqlWebhooks(make_sessions(db_engine))
    await webhooks.subscribe(
        "https://chat.example/h", frozenset({"callback.requested", "promise.kept"}), "s", "t", NOW
    )

    def requested(made: tuple[Callback, Promise]) -> list[Event]:
        return [Event("callback.requested", {"callback": made[0]})]

    cb, promise, _ = await callbacks.request(new("+79160000001"), requested)
    await callbacks.request(new("+79160000001"), requested)  # merged: nothing new, no event
    # A change that fails (the request's ticket does not exist) writes no event either.
    with pytest.raises(RuntimeError, match="not stored"):
        await callbacks.request(
            dataclasses.replace(new("+79160000002"), ticket_number=99999), requested
        )

    def kept(p: Promise) -> list[Event]:
        return [Event("promise.kept", {"promise": p})]

    await callbacks.update_promise(promise.id, {"state": PromiseState.KEPT, "closed_at": NOW}, kept)
    await callbacks.update_promise(promise.id, {"outcome": "again"}, kept)  # closed: unchanged
    # The outbox stamps events when their transaction writes them (the wall clock), not
    # with the test's fixed NOW: claim them after that.
    due = await webhooks.claim_due(max(NOW, datetime.now(UTC)) + timedelta(seconds=1))
    assert [d.type for d, _ in due] == ["callback.requested", "promise.kept"]
    assert due[0][0].payload["callback"]["id"] == cb.id
    assert due[1][0].payload["promise"]["state"] == "kept"
