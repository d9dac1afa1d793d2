"""The survivors' sweep over fakes of our own ports: a failed node's calls recorded lost
once, each caller offered one callback keeping their place; a node whose Asterisk still
answers (only its daemon died) is left alone; nothing is done while we are lapsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from callcenter.domain.callbacks import CallAlreadyClosed, CallbackError
from callcenter.domain.calls import CallOutcome, CallRecord, CallState
from callcenter.domain.cluster import NodeAddress, NodeLease, NodeState, Owner
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.lost_calls import LostCalls
from tests.support.fakes import SettableClock

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
ADDRESSES = {n: NodeAddress(n, "127.0.0.1", port) for n, port in (("a", 5061), ("b", 5062))}


def lease(node: str, until: datetime, state: NodeState = NodeState.ACTIVE) -> NodeLease:
    return NodeLease(node, 1, state, NOW, NOW, until)


def call(call_id: str, caller: str, queue: str = "") -> CallRecord:
    state = CallState.ENDED if queue else CallState.IVR
    outcome = CallOutcome.QUEUE if queue else None
    started = NOW - timedelta(minutes=3)
    return CallRecord(
        call_id, call_id, caller, "7000", started, state, "", outcome, None, "", (), queue
    )


class World:
    def __init__(self) -> None:
        self.leases = [
            lease("a", NOW - timedelta(seconds=1)),
            lease("b", NOW + timedelta(seconds=9)),
        ]
        self.open: dict[str, list[CallRecord]] = {
            "a": [call("a-1", "79160000001"), call("a-2", "79160000002", "sales")]
        }
        self.alive: set[str] = set()
        self.requests: list[CallbackRequest] = []
        self.closed: set[str] = set()  # recorded lost, by anyone
        self.refuse: set[str] = set()  # numbers no callback may dial
        self.archived: list[str] = []
        self.updates: dict[str, dict[str, Any]] = {}
        self.owner: Owner | None = Owner("b", 1)

    async def nodes(self) -> list[NodeLease]:
        return self.leases

    async def open_on(self, node: str, limit: int = 500) -> list[CallRecord]:
        return [c for c in self.open.get(node, []) if c.call_id not in self.closed]

    async def lose(self, call_id: str, at: Any, reason: str) -> bool:
        if call_id in self.closed:
            return False
        self.closed.add(call_id)
        return True

    async def request(self, req: CallbackRequest) -> CallbackAnswer:
        if req.number in self.refuse:
            raise CallbackError(f"caller id: {req.number!r} is not a number a callback may dial")
        if req.lost_call in self.closed:
            raise CallAlreadyClosed(req.lost_call)
        self.closed.add(req.lost_call)
        self.requests.append(req)
        answer: Any = SimpleNamespace(callback=SimpleNamespace(id=len(self.requests)), created=True)
        return answer

    async def call_ended(self, call_id: str) -> None:
        self.archived.append(call_id)

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> None:
        self.updates[call_id] = changes

    async def probe(self, address: NodeAddress) -> bool:
        return address.node in self.alive


def survivor(w: World) -> LostCalls:
    return LostCalls(
        w,
        w,
        w,
        w,
        ADDRESSES,
        w.probe,
        lambda: w.owner,
        lambda c: c.outcome_detail if c.outcome is CallOutcome.QUEUE else "support",
        SettableClock(NOW),
    )


@pytest.fixture
def world() -> World:
    return World()


async def test_each_call_of_a_failed_node_is_lost_once_and_offered_one_callback(
    world: World,
) -> None:
    lost = survivor(world)
    assert await lost.sweep() == 2
    assert [(r.lost_call, r.queue, r.number, r.joined_at) for r in world.requests] == [
        ("a-1", "support", "79160000001", NOW - timedelta(minutes=3)),  # in the IVR: the default
        ("a-2", "sales", "79160000002", NOW - timedelta(minutes=3)),  # its queue, its place
    ]
    assert {r.reason for r in world.requests} == {"node failure (a)"}
    assert world.archived == ["a-1"]  # the IVR call lands on its ticket, outcome lost
    assert world.updates["a-2"] == {
        "lost": "node failure (a)",
        "queue_outcome": "lost",
        "offer": "callback 2",
    }
    assert (lost.lost, lost.offered) == (2, 2)
    assert await lost.sweep() == 0  # nothing is lost twice


async def test_a_racing_survivor_that_recorded_a_call_first_wins_it(world: World) -> None:
    world.closed.add("a-1")  # another node recorded it between our read and our request
    world.open["a"] = [call("a-1", "79160000001")]
    assert await survivor(world).sweep() == 0
    assert world.requests == []
    assert world.updates == {}


async def test_a_caller_no_callback_may_dial_is_still_recorded_lost(world: World) -> None:
    world.refuse.add("79160000001")
    lost = survivor(world)
    assert await lost.sweep() == 2
    assert "a-1" in world.closed
    assert world.updates["a-1"]["offer"].startswith("no callback: caller id")
    assert (lost.lost, lost.offered) == (2, 1)


async def test_a_node_whose_asterisk_still_answers_keeps_its_calls(world: World) -> None:
    world.alive.add("a")  # only its daemon died: the calls go on
    assert await survivor(world).sweep() == 0
    assert world.closed == set()


async def test_live_nodes_and_a_lapsed_survivor_touch_nothing(world: World) -> None:
    world.leases = [lease("a", NOW + timedelta(seconds=5))]
    assert await survivor(world).sweep() == 0
    world.leases = [lease("a", NOW - timedelta(seconds=1))]
    world.owner = None  # we lapsed ourselves
    assert await survivor(world).sweep() == 0
    assert world.closed == set()


async def test_a_cleanly_stopped_node_with_a_silent_asterisk_lost_its_calls_too(
    world: World,
) -> None:
    world.leases = [lease("a", NOW + timedelta(seconds=5), NodeState.STOPPED)]
    assert await survivor(world).sweep() == 2
