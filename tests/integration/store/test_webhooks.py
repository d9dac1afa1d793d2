"""The webhook outbox on SQLite and PostgreSQL, driven by the service with a sender that
fails until told otherwise: nothing is lost, each event is delivered once it can be, and
two senders never post the same delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.webhooks import DeliveryState
from callcenter.services.webhooks import Webhooks
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.webhooks import SqlWebhooks


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


class Receiver:
    def __init__(self) -> None:
        self.up = False
        self.got: list[tuple[str, Mapping[str, str]]] = []

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if not self.up:
            raise OSError("connection refused")
        self.got.append((headers["Webhook-Id"], headers))
        return 204


@pytest.fixture
def parts(db_engine: Engine) -> tuple[Webhooks, SqlWebhooks, Receiver, Clock]:
    store = SqlWebhooks(make_sessions(db_engine), DbThreads(4))
    receiver, clock = Receiver(), Clock()
    return Webhooks(store, receiver, clock, retry=5), store, receiver, clock


async def test_events_pile_up_while_the_receiver_is_down_and_arrive_once(
    parts: tuple[Webhooks, SqlWebhooks, Receiver, Clock],
) -> None:
    service, store, receiver, clock = parts
    sub = await service.subscribe("http://127.0.0.1:9/hook", ["promise.made"], "test")
    ids = [await service.publish("promise.made", {"n": n}) for n in range(3)]
    assert await service.publish("call.ended", {"n": 9}) is not None  # not subscribed: no row
    assert await service.deliver_due() == 0  # down: each tried once
    assert await service.deliver_due() == 0  # not due again yet (backoff)
    clock.at += timedelta(seconds=6)
    assert await service.deliver_due() == 0
    pending = await store.deliveries(sub.id)
    assert {d.attempts for d in pending} == {2}
    assert {d.state for d in pending} == {DeliveryState.PENDING}
    assert "connection refused" in pending[0].last_error
    receiver.up = True
    clock.at += timedelta(seconds=11)
    assert await service.deliver_due() == 3
    assert await service.deliver_due() == 0
    assert sorted(i for i, _ in receiver.got) == sorted(ids)
    assert all(h["Webhook-Signature"].startswith("t=") for _, h in receiver.got)


async def test_two_senders_never_post_the_same_delivery(
    parts: tuple[Webhooks, SqlWebhooks, Receiver, Clock],
) -> None:
    service, _, receiver, _ = parts
    await service.subscribe("http://127.0.0.1:9/hook", ["promise.kept"], "test")
    for n in range(10):
        await service.publish("promise.kept", {"n": n})
    receiver.up = True
    counts = await asyncio.gather(*(service.deliver_due() for _ in range(4)))
    assert sum(counts) == 10
    assert len(receiver.got) == 10
    assert len({i for i, _ in receiver.got}) == 10
