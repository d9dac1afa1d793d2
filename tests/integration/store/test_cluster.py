"""Nodes and fenced callback claims on SQLite and PostgreSQL: a join bumps the epoch, a
renewal is fenced on it, the dial gate lets only the claiming node at its epoch dial, and
a lapsed node's waiting callbacks are taken over exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.callbacks import CallbackState, StaleCallback
from callcenter.domain.cluster import NodeState, Owner
from callcenter.domain.promises import Promise, PromiseState
from callcenter.domain.webhooks import Event
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.cluster import SqlNodes
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.presence import SqlAgentHolds
from tests.integration.store.test_callbacks import new

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=10)


class Node:
    """One daemon's view: its lease (None while lapsed) and its callback store."""

    def __init__(self, engine: Engine, name: str, queues: tuple[str, ...] = ()) -> None:
        self.name = name
        self.owner: Owner | None = None
        self.nodes = SqlNodes(make_sessions(engine), DbThreads(2))
        self.callbacks = SqlCallbacks(
            make_sessions(engine), DbThreads(4), lambda: self.owner, queues
        )

    async def join(self, now: datetime = NOW) -> Owner:
        lease = await self.nodes.join(self.name, (), now, now + LEASE)
        self.owner = Owner(lease.node, lease.epoch)
        await self.callbacks.adopt(self.owner)
        return self.owner


@pytest.fixture
def a(db_engine: Engine) -> Node:
    return Node(db_engine, "a")


@pytest.fixture
def b(db_engine: Engine) -> Node:
    return Node(db_engine, "b")


async def test_every_join_bumps_the_epoch_and_a_renewal_is_fenced_on_it(a: Node) -> None:
    first = await a.join()
    assert first.epoch == 1
    assert await a.nodes.beat(first, NOW, NOW + LEASE)
    second = await a.join()  # the daemon restarted
    assert second.epoch == 2
    assert not await a.nodes.beat(first, NOW, NOW + LEASE)  # the old process is fenced off
    await a.nodes.leave(first, NOW)  # and cannot end the new one's lease either
    (row,) = await a.nodes.nodes()
    assert (row.epoch, row.state) == (2, NodeState.ACTIVE)
    await a.nodes.leave(second, NOW + timedelta(seconds=1))
    (row,) = await a.nodes.nodes()
    assert row.state is NodeState.STOPPED
    assert row.lapsed(NOW + timedelta(seconds=1))


async def test_concurrent_first_joins_of_one_node_get_two_epochs(a: Node) -> None:
    leases = await asyncio.gather(*(a.nodes.join("a", (), NOW, NOW + LEASE) for _ in range(4)))
    assert sorted(lease.epoch for lease in leases) == [1, 2, 3, 4]


async def test_the_gate_lets_only_the_claiming_node_at_its_epoch_dial(
    db_engine: Engine, a: Node, b: Node
) -> None:
    await a.join()
    await b.join()
    cb, _, _ = await a.callbacks.request(new("+79161230001"))
    assert (cb.owner_node, cb.fence) == ("a", 1)
    with pytest.raises(StaleCallback, match="by a@1, not b@1"):
        await b.callbacks.take(cb.id, 1, "")
    old = a.owner
    await a.join()  # a restarted: epoch 2 adopts its own claim...
    a_then = SqlCallbacks(make_sessions(db_engine), DbThreads(1), lambda: old)
    with pytest.raises(StaleCallback, match="a@2, not a@1"):
        await a_then.take(cb.id, 1, "")  # ...so what the old process let dial is refused
    taken = await a.callbacks.take(cb.id, 1, "")
    assert taken.state is CallbackState.DIALING
    with pytest.raises(StaleCallback):
        await a.callbacks.take(cb.id, 1, "")  # once per attempt


async def test_a_lapsed_nodes_waiting_callbacks_are_taken_over_once(
    db_engine: Engine, a: Node, b: Node
) -> None:
    await a.join()
    made = [(await a.callbacks.request(new(f"+7916123{n:04d}")))[0] for n in range(6)]
    await a.callbacks.take(made[0].id, 1, "")  # dialling on a: left to a
    await b.join(NOW + timedelta(seconds=11))
    later = NOW + timedelta(seconds=11)  # a's lease ran out a second ago
    c = Node(db_engine, "b")  # a second process racing as b
    c.owner = b.owner
    taken = await asyncio.gather(b.callbacks.reclaim(later), c.callbacks.reclaim(later))
    ids = [cb.id for batch in taken for cb in batch]
    assert sorted(ids) == sorted(cb.id for cb in made[1:])  # each exactly once
    assert all(cb.owner_node == "b" and cb.attempts == 1 for batch in taken for cb in batch)
    with pytest.raises(StaleCallback, match="by b@1"):
        await a.callbacks.take(made[1].id, 1, "")  # a's old placeholder dials nobody
    assert (await b.callbacks.take(made[1].id, 1, "")).state is CallbackState.DIALING
    assert await b.callbacks.reclaim(later) == []


async def test_a_live_nodes_claims_are_not_taken_over(a: Node, b: Node) -> None:
    await a.join()
    await b.join()
    await a.callbacks.request(new("+79161239999"))
    assert await b.callbacks.reclaim(NOW + timedelta(seconds=5)) == []


async def test_a_lapsed_node_claims_nothing_but_never_drops_a_request(a: Node, b: Node) -> None:
    await b.join()
    a.owner = None  # a holds no lease
    cb, _, created = await a.callbacks.request(new("+79161238888"))
    assert created
    assert cb.owner_node == ""  # stored, held by no node
    assert await a.callbacks.claim_due(NOW + timedelta(hours=1)) == []
    with pytest.raises(StaleCallback, match="no lease"):
        await a.callbacks.take(cb.id, 1, "")
    (taken,) = await b.callbacks.reclaim(NOW)  # a node with a lease places it
    assert taken.owner_node == "b"


async def test_a_node_claims_the_due_retries_of_its_own_queues(db_engine: Engine) -> None:
    sales = Node(db_engine, "s", ("sales",))
    support = Node(db_engine, "t", ("support",))
    await sales.join()
    await support.join()
    for node, queue in ((sales, "sales"), (support, "support")):
        cb, _, _ = await node.callbacks.request(new("+79161237777", queue))
        await node.callbacks.change(
            cb.id,
            [CallbackState.WAITING],
            1,
            {"state": CallbackState.RETRY, "next_attempt_at": NOW},
        )
    claimed = await sales.callbacks.claim_due(NOW)
    assert [(cb.queue, cb.owner_node, cb.attempts) for cb in claimed] == [("sales", "s", 2)]
    counts = {c.node: (c.waiting, c.dialing) for c in await sales.nodes.claims()}
    assert counts == {"s": (1, 0)}


async def test_two_nodes_escalating_one_promise_announce_it_once(a: Node, b: Node) -> None:
    await a.join()
    await b.join()
    _, promise, _ = await a.callbacks.request(new("+79161236666"))
    told: list[int] = []

    def announce(p: Promise) -> list[Event]:
        told.append(p.id)
        return []

    risk = {"state": PromiseState.AT_RISK, "escalated_at": NOW}
    for node in (a, b):  # both projected it at risk from their stale reads
        stored = await node.callbacks.update_promise(promise.id, dict(risk), announce)
        assert stored.state is PromiseState.AT_RISK
    assert told == [promise.id]


async def test_an_agents_hold_is_one_row_changed_only_when_it_changes(db_engine: Engine) -> None:
    holds = SqlAgentHolds(make_sessions(db_engine))
    assert await holds.pause("1001", True, "lunch", "a", NOW)
    assert not await holds.pause("1001", True, "lunch", "a", NOW)  # the same, from a 2nd queue
    assert await holds.wrap("1001", NOW + timedelta(seconds=4), "b", NOW)
    (hold,) = await holds.holds()
    assert (hold.paused, hold.reason, hold.node, hold.wrap_node) == (True, "lunch", "a", "b")
    assert hold.wrap_until == NOW + timedelta(seconds=4)
    firsts = await asyncio.gather(*(holds.pause("1002", True, "x", n, NOW) for n in "ab"))
    assert any(firsts)
