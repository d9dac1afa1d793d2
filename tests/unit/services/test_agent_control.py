from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pytest

from callcenter.domain.agents import AgentEvent, AgentStateError, AgentStatus, UnknownAgent
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_membership import Join, Leave, Repenalize
from callcenter.domain.queue_stats import QueueCall
from callcenter.domain.tickets import Agent
from callcenter.services.agent_control import AgentControl
from callcenter.services.agent_states import AgentStates
from tests.support.fakes import MemoryQueues

DEFS = {
    "billing": QueueDef("billing", skills={"billing": 0, "sales": 2}, wrap_up=30),
    "general": QueueDef("general"),
}
SINCE = datetime(2026, 11, 23, tzinfo=UTC)


class Store:
    def __init__(self, *agents: Agent) -> None:
        self.agents = {a.extension: a for a in agents}

    async def queue_calls_since(self, since: datetime) -> Mapping[str, Sequence[QueueCall]]:
        return {"general": [QueueCall(10, True, 100), QueueCall(40, False)]}

    async def list_agents(self) -> list[Agent]:
        return [self.agents[e] for e in sorted(self.agents)]

    async def set_agent_login(self, extension: str, logged_in: bool) -> Agent | None:
        agent = self.agents.get(extension)
        if agent is not None:
            self.agents[extension] = dataclasses.replace(agent, logged_in=logged_in)
        return self.agents.get(extension)


def _control(queues: MemoryQueues, store: Store) -> AgentControl:
    return AgentControl(queues, store, DEFS, ("lunch", "training"))


ANNA = Agent(1, "Anna", "1001", ("sales",))
BORIS = Agent(2, "Boris", "1002", ("billing",), logged_in=True)


async def test_pause_reasons_come_from_the_list() -> None:
    queues = MemoryQueues()
    control = _control(queues, Store(BORIS))
    await control.pause("1002", "lunch")
    await control.unpause("1002")
    assert queues.actions == [("pause", "1002", "True", "lunch"), ("pause", "1002", "False", "")]
    with pytest.raises(AgentStateError, match="reason: 'nap' is not one of lunch, training"):
        await control.pause("1002", "nap")


async def test_pausing_who_is_no_agent_or_logged_out_sends_nothing_to_asterisk() -> None:
    queues = MemoryQueues()
    control = _control(queues, Store(ANNA))  # Anna is logged out
    with pytest.raises(UnknownAgent, match="agent 1999: no such agent"):
        await control.pause("1999", "lunch")
    with pytest.raises(AgentStateError, match="agent 1001: logged out"):
        await control.unpause("1001")
    assert queues.actions == []


async def test_login_joins_the_queues_the_skills_match_with_penalties() -> None:
    queues, store = MemoryQueues(), Store(ANNA)
    assert await _control(queues, store).login("1001") == {"billing": 2, "general": 0}
    assert queues.members["billing"]["1001"].penalty == 2
    assert "1001" in queues.members["general"]
    assert store.agents["1001"].logged_in


async def test_logout_leaves_every_queue() -> None:
    queues, store = MemoryQueues(), Store(ANNA)
    control = _control(queues, store)
    await control.login("1001")
    await control.logout("1001")
    assert queues.members == {"billing": {}, "general": {}}
    assert not store.agents["1001"].logged_in


async def test_a_paused_agent_joins_paused_with_the_same_reason() -> None:
    queues = MemoryQueues()
    await queues.join("1001", "general", 0)
    await queues.pause("1001", True, "lunch")
    await _control(queues, Store(ANNA)).login("1001")
    assert queues.members["billing"]["1001"].paused
    assert queues.members["billing"]["1001"].pause_reason == "lunch"


async def test_unknown_agents_and_unmatched_skills_are_refused() -> None:
    queues = MemoryQueues()
    del queues.members["general"]
    control = AgentControl(queues, Store(ANNA), {"billing": DEFS["billing"]}, ("lunch",))
    with pytest.raises(UnknownAgent, match="agent 1009: no such agent"):
        await control.login("1009")
    await control.logout("1001")  # nothing to leave: fine
    no_match = Agent(3, "Vera", "1003", ("tech",))
    control = AgentControl(queues, Store(no_match), {"billing": DEFS["billing"]}, ("lunch",))
    with pytest.raises(AgentStateError, match=r"agent 1003: no queue wants their skills \(tech\)"):
        await control.login("1003")


async def test_resync_makes_asterisk_match_the_store() -> None:
    queues = MemoryQueues()
    # Asterisk's view drifted: Boris (logged in) is missing from billing and has the wrong
    # penalty in general; Anna (logged out) is still in general; 1099 is no agent at all.
    await queues.join("1002", "general", 5)
    await queues.join("1001", "general", 0)
    await queues.join("1099", "billing", 0)
    changes = await _control(queues, Store(ANNA, BORIS)).resync()
    assert changes == [
        Leave("1001", "general"),
        Join("1002", "billing", 0),
        Repenalize("1002", "general", 0),
        Leave("1099", "billing"),
    ]
    assert sorted(queues.members["billing"]) == ["1002"]
    assert sorted(queues.members["general"]) == ["1002"]
    assert await _control(queues, Store(ANNA, BORIS)).resync() == []  # now in step


async def test_phone_requests_answer_what_to_play() -> None:
    queues = MemoryQueues()
    control = _control(queues, Store(ANNA))
    assert await control.phone_request("1001", "login") == "login"
    assert await control.phone_request("1001", "logout") == "logout"
    assert await control.phone_request("1009", "login") == "error"
    assert await control.phone_request("1001", "dance") == "error"


async def test_live_adds_todays_figures_agents_and_wrap_up() -> None:
    queues = MemoryQueues()
    control = _control(queues, Store(ANNA, BORIS))
    await control.login("1002")
    member = queues.members["billing"]["1002"]
    queues.members["billing"]["1002"] = dataclasses.replace(member, last_call=990.0)
    await control.pause("1002", "lunch")
    view = await control.live(SINCE, now=1000.0)
    billing, general = view.queues
    assert billing.members[0].state == "paused"  # paused outranks wrap-up
    await control.unpause("1002")
    view = await control.live(SINCE, now=1000.0)
    billing, general = view.queues
    assert billing.members[0].state == "wrap_up"  # 10 s after the call, 30 s of wrap-up
    assert general.members[0].state == "available"  # general has no wrap-up
    assert general.kpis is not None
    assert (general.kpis.answered, general.kpis.abandoned) == (1, 1)
    assert general.kpis.service_level == 0.5
    anna, boris = view.agents
    assert (anna.state, anna.queues) == ("logged_out", ())
    assert (boris.state, boris.queues) == ("wrap_up", (("billing", 0), ("general", 0)))
    later = await control.live(SINCE, now=1100.0)
    assert later.agents[1].state == "available"


class NoDesks:
    async def publish(self, agent: str, message: object) -> int:
        return 0


async def test_login_and_logout_move_the_agents_state_and_a_call_blocks_logout() -> None:
    queues = MemoryQueues()
    states = AgentStates(NoDesks(), DEFS, lambda: datetime.now(UTC))
    control = AgentControl(queues, Store(ANNA), DEFS, ("lunch",), states=states)
    await control.login("1001")
    assert states.get("1001").status is AgentStatus.AVAILABLE
    await states.apply("1001", AgentEvent.RING)
    await states.apply("1001", AgentEvent.ANSWER)
    with pytest.raises(AgentStateError, match="agent 1001: cannot log out while on a call"):
        await control.logout("1001")
    assert "1001" in queues.members["general"]
    await states.apply("1001", AgentEvent.HANGUP, wrap_up=0)
    await control.logout("1001")
    assert states.get("1001").status is AgentStatus.LOGGED_OUT


class Gate:
    """The shift's rules as AgentControl sees them: a held agent joins paused."""

    def __init__(self, hold: str = "") -> None:
        self.hold = hold
        self.seen: list[str] = []

    async def on_login(self, agent: Agent) -> str:
        self.seen.append(f"login {agent.extension}")
        return self.hold

    async def on_logout(self, agent: Agent) -> object:
        self.seen.append(f"logout {agent.extension}")
        raise RuntimeError("the store is down")

    async def hold_reason(self, extension: str) -> str:
        return self.hold

    async def check_unpause(self, extension: str) -> None:
        if self.hold:
            raise AgentStateError(f"agent {extension}: 2 left to read")


async def test_a_held_login_joins_every_queue_paused_and_may_not_unpause() -> None:
    queues, gate = MemoryQueues(("billing", "general")), Gate("handoff-reading")
    control = AgentControl(queues, Store(ANNA), DEFS, ("lunch",), gate=gate)
    await control.login("1001")
    joins = [a for a in queues.actions if a[0] == "join"]
    assert joins
    assert all(a[4:] == ("True", "handoff-reading") for a in joins)
    with pytest.raises(AgentStateError, match="2 left to read"):
        await control.unpause("1001")
    assert not [a for a in queues.actions if a[0] == "pause"]
    gate.hold = ""
    await control.unpause("1001")
    assert queues.actions[-1] == ("pause", "1001", "False", "")


async def test_a_logout_is_never_blocked_by_the_handover() -> None:
    queues, gate = MemoryQueues(("billing", "general")), Gate()
    store = Store(BORIS)
    control = AgentControl(queues, store, DEFS, ("lunch",), gate=gate)
    await control.resync()
    await control.logout("1002")  # the gate fails: logged, the agent is out anyway
    assert gate.seen == ["logout 1002"]
    assert not store.agents["1002"].logged_in
    assert all(not m for m in queues.members.values())


async def test_a_resync_keeps_a_held_agent_paused() -> None:
    queues = MemoryQueues(("billing", "general"))
    control = AgentControl(queues, Store(BORIS), DEFS, ("lunch",), gate=Gate("handoff-reading"))
    await control.resync()
    joins = [a for a in queues.actions if a[0] == "join"]
    assert len(joins) == 2  # Boris's skills: billing and general
    assert all(a[4:] == ("True", "handoff-reading") for a in joins)
