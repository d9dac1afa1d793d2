"""Membership of the cluster over a fake node store (our own port): join, renew, lapse
when the store refuses or cannot be reached past the lease, join again with a new epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.cluster import LeasePolicy, NodeClaims, NodeLease, NodeState, Owner
from callcenter.services.cluster import Membership
from tests.support.fakes import SettableClock

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def Clock() -> SettableClock:
    return SettableClock(NOW)


class Nodes:
    def __init__(self) -> None:
        self.epoch = 0
        self.down = False
        self.left: list[Owner] = []

    async def join(
        self, node: str, queues: tuple[str, ...], now: datetime, until: datetime
    ) -> NodeLease:
        if self.down:
            raise ConnectionError("database away")
        self.epoch += 1
        return NodeLease(node, self.epoch, NodeState.ACTIVE, now, now, until, queues)

    async def beat(self, owner: Owner, now: datetime, until: datetime) -> bool:
        if self.down:
            raise ConnectionError("database away")
        return owner.epoch == self.epoch

    async def leave(self, owner: Owner, now: datetime) -> None:
        self.left.append(owner)

    async def nodes(self) -> list[NodeLease]:
        return []

    async def claims(self) -> list[NodeClaims]:
        return [NodeClaims("a", 2, 1)]


def member() -> tuple[Membership, Nodes, Clock, list[Owner]]:
    nodes, clock, joined = Nodes(), Clock(), []

    async def on_join(owner: Owner) -> None:
        joined.append(owner)

    m = Membership(nodes, "a", (), LeasePolicy(timedelta(seconds=9)), clock, on_join)
    return m, nodes, clock, joined


async def test_a_joined_node_holds_its_lease_while_it_renews() -> None:
    m, _, clock, joined = member()
    assert m.current() is None  # starting: claims nothing yet
    assert await m.join() == Owner("a", 1)
    assert joined == [Owner("a", 1)]
    clock.at += timedelta(seconds=3)
    assert await m.beat()
    clock.at += timedelta(seconds=8)  # 11 s after the join, 8 s after the renewal
    assert m.current() == Owner("a", 1)


async def test_an_unreachable_store_lapses_the_node_when_the_lease_ends() -> None:
    m, nodes, clock, _ = member()
    await m.join()
    nodes.down = True
    clock.at += timedelta(seconds=3)
    assert await m.beat()  # one failed renewal: the lease still holds
    clock.at += timedelta(seconds=6)
    assert not await m.beat()
    assert m.state is NodeState.LAPSED
    assert m.current() is None  # no new work
    nodes.down = False
    assert await m.beat()  # joins again...
    assert m.current() == Owner("a", 2)  # ...with a new epoch
    assert m.joins == 2


async def test_a_refused_renewal_lapses_at_once() -> None:
    m, nodes, _, _ = member()
    await m.join()
    nodes.epoch += 1  # another process joined as node a
    assert not await m.beat()
    assert m.current() is None


async def test_leaving_hands_the_lease_back_and_shows_the_claims() -> None:
    m, nodes, _, _ = member()
    await m.join()
    view = await m.view(taken_over=4)
    assert (view.me, view.state, view.epoch, view.taken_over) == ("a", NodeState.ACTIVE, 1, 4)
    assert view.claims_of("a").waiting == 2
    assert view.claims_of("z").waiting == 0
    await m.leave()
    assert nodes.left == [Owner("a", 1)]
    assert m.current() is None
    assert not await m.beat()  # stopped for good


async def test_a_node_whose_asterisk_is_gone_hands_its_lease_back_and_rejoins_when_back() -> None:
    m, nodes, clock, joined = member()
    await m.join()
    up = False

    async def healthy() -> bool:
        return up

    m.healthy = healthy
    assert not await m.beat()  # no AMI, no SIP: no node
    assert m.state is NodeState.LAPSED
    assert m.current() is None
    assert nodes.left == [Owner("a", 1)]  # handed back at once: nobody waits for the lease
    clock.at += timedelta(seconds=3)
    assert not await m.beat()  # still gone: stays out, no second hand-back
    assert nodes.left == [Owner("a", 1)]
    up = True
    assert await m.beat()
    assert m.current() == Owner("a", 2)  # back with a new epoch: the old one stays fenced
    assert joined == [Owner("a", 1), Owner("a", 2)]
