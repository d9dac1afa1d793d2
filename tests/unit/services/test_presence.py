"""Agents' pause and wrap-up across nodes, over fake holds and a fake app_queue (our own
ports): what one node writes, the others apply; nothing of a node's own is applied back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.presence import AgentHold, Wanted, wanted_here
from callcenter.services.ports import TelephonyError
from callcenter.services.presence import AgentPresence
from tests.support.fakes import SettableClock

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def Clock() -> SettableClock:
    return SettableClock(NOW)


class Holds:
    """One table shared by the nodes (as agent_holds is)."""

    def __init__(self) -> None:
        self.rows: dict[str, AgentHold] = {}

    async def pause(self, agent: str, paused: bool, reason: str, node: str, now: datetime) -> bool:
        old = self.rows.get(agent, AgentHold(agent))
        new = AgentHold(agent, paused, reason, node, old.wrap_until, old.wrap_node)
        self.rows[agent] = new
        return new != old

    async def wrap(self, agent: str, until: datetime, node: str, now: datetime) -> bool:
        old = self.rows.get(agent, AgentHold(agent))
        self.rows[agent] = AgentHold(agent, old.paused, old.reason, old.node, until, node)
        return True

    async def holds(self) -> list[AgentHold]:
        return list(self.rows.values())


class Queues:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bool, str]] = []
        self.down = False

    async def pause(self, agent: str, paused: bool, reason: str = "") -> None:
        if self.down:
            raise TelephonyError("QueuePause: AMI is not connected")
        self.sent.append((agent, paused, reason))


def nodes() -> tuple[AgentPresence, AgentPresence, Queues, Queues, Clock]:
    holds, clock = Holds(), Clock()
    qa, qb = Queues(), Queues()
    wrap = {"sales": 4, "support": 0}
    a = AgentPresence(holds, qa, "a", lambda q: wrap[q], clock)
    b = AgentPresence(holds, qb, "b", lambda q: wrap[q], clock)
    return a, b, qa, qb, clock


async def test_a_pause_on_one_node_holds_on_the_other_and_so_does_the_unpause() -> None:
    a, b, qa, qb, _ = nodes()
    await a.paused("1001", True, "lunch")
    await a.sync()
    await b.sync()
    assert qa.sent == []  # A's own: its app_queue paused them already
    assert qb.sent == [("1001", True, "cluster:lunch@a")]
    await b.paused("1001", True, "cluster:lunch@a")  # B's event of what it applied: ignored
    await a.paused("1001", False, "")
    await b.sync()
    assert qb.sent[-1] == ("1001", False, "")
    assert await b.sync() == 0  # only changes are sent


async def test_a_wrap_up_on_one_node_pauses_the_agent_on_the_other_until_it_ends() -> None:
    a, b, qa, qb, clock = nodes()
    await a.call_ended("1001", "support")  # no wrap-up in support
    await a.call_ended("1001", "sales")  # 4 s
    await b.sync()
    assert qb.sent == [("1001", True, "cluster:wrap-up@a")]
    clock.at += timedelta(seconds=4)
    await b.sync()
    assert qb.sent[-1] == ("1001", False, "")
    await a.sync()
    assert qa.sent == []  # A's app_queue counted its own wrap-up


async def test_an_unpause_seen_first_after_a_start_is_left_alone_and_failures_retry() -> None:
    a, b, _qa, qb, _ = nodes()
    await a.paused("1001", False, "")
    await b.sync()
    assert qb.sent == []  # nothing of ours to undo: a held shift on B stays held
    qb.down = True
    await a.paused("1001", True, "training")
    assert await b.sync() == 0
    qb.down = False
    await b.sync()
    assert qb.sent == [("1001", True, "cluster:training@a")]
    b.forget()  # B's Asterisk restarted: all applied again
    await b.sync()
    assert qb.sent[-1] == ("1001", True, "cluster:training@a")


def test_the_node_that_made_it_leaves_its_own_app_queue_alone() -> None:
    own = AgentHold("1001", True, "lunch", "a")
    assert wanted_here(own, "a", NOW) is None
    assert wanted_here(own, "b", NOW) == Wanted(True, "cluster:lunch@a")
    wrapping = AgentHold("1001", False, "", "a", NOW + timedelta(seconds=1), "a")
    assert wanted_here(wrapping, "b", NOW) == Wanted(True, "cluster:wrap-up@a")
    assert wanted_here(wrapping, "b", NOW + timedelta(seconds=1)) == Wanted(False)


async def test_a_pause_and_unpause_between_two_syncs_still_unpause_the_other_node() -> None:
    a, b, qa, _qb, _ = nodes()
    await a.sync()  # A has synced once since its start: what comes now is news
    await a.paused("1002", True, "lunch")  # a new agent's first row...
    await b.paused("1002", False, "")  # ...and B's unpause, both before A syncs again
    await a.sync()
    assert qa.sent == [("1002", False, "")]
