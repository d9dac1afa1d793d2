from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest

from callcenter.domain.agents import AgentEvent, AgentStatus
from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    AgentRingStopped,
    MemberPaused,
)
from callcenter.domain.queue_view import AgentPresence
from callcenter.services.agent_states import AgentStates
from callcenter.services.screen_pop import DeskMessage

# Timeouts, wrap-up timers and sleeps run on the loop's settable clock (looptime):
# the test waits no wall time and no timer races the machine's load.
pytestmark = pytest.mark.usefixtures("settable_clock")

DEFS = {"sales": QueueDef("sales", wrap_up=1), "support": QueueDef("support")}


@dataclasses.dataclass
class Desks:
    sent: list[tuple[str, DeskMessage]] = dataclasses.field(default_factory=list)

    async def publish(self, agent: str, message: DeskMessage) -> int:
        self.sent.append((agent, message))
        return 1


def _states(desks: Desks) -> AgentStates:
    return AgentStates(desks, DEFS, lambda: datetime.now(UTC))


async def _logged_in(states: AgentStates, agent: str = "1001") -> None:
    await states.apply(agent, AgentEvent.LOGIN)


async def _one_call(states: AgentStates, queue: str) -> None:
    """Agent 1001 logs in, and app_queue rings, connects and completes one call."""
    await _logged_in(states)
    await states.handle(AgentRinging("1.1", "1.1", queue, "1001", "8916"))
    await states.handle(AgentAnswered("1.1", queue, "1001", 3, 2))
    await states.handle(AgentCallEnded("1.1", queue, "1001", 3, 60, "caller"))


async def test_a_call_moves_the_agent_and_the_desk_hears_each_step(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desks = Desks()
    states = _states(desks)
    await _one_call(states, "support")
    assert [m.presence for _, m in desks.sent] == ["available", "ringing", "on_call", "available"]
    assert "agent 1001: ringing → on_call (answer)" in caplog.text


async def test_wrap_up_ends_on_its_own() -> None:
    desks = Desks()
    states = _states(desks)
    await _one_call(states, "sales")
    assert states.get("1001").status is AgentStatus.WRAP_UP
    await asyncio.sleep(1.2)  # sales: 1 s of wrap-up
    assert states.get("1001").status is AgentStatus.AVAILABLE
    assert desks.sent[-1][1].presence == "available"


async def test_pauses_from_app_queue_once_per_queue_count_once() -> None:
    desks = Desks()
    states = _states(desks)
    await _logged_in(states)
    for queue in ("sales", "support"):
        await states.handle(MemberPaused("1001", queue, True, "lunch"))
    for queue in ("sales", "support"):
        await states.handle(MemberPaused("1001", queue, False, ""))
    assert [(m.presence, m.reason) for _, m in desks.sent] == [
        ("available", ""),
        ("paused", "lunch"),
        ("available", ""),
    ]
    await states.handle(MemberPaused("1009", "sales", True, "lunch"))  # not logged in here
    assert states.get("1009").status is AgentStatus.LOGGED_OUT


async def test_a_refused_event_changes_nothing_and_sync_puts_it_right(
    caplog: pytest.LogCaptureFixture,
) -> None:
    states = _states(Desks())
    await states.handle(AgentAnswered("1.1", "support", "1001", 3, 2))  # never heard it ring
    assert states.get("1001").status is AgentStatus.LOGGED_OUT
    assert "cannot answer while logged_out" in caplog.text
    await states.handle(AgentRingStopped("1.1", "support", "1001"))  # not ringing: ignored
    view = [
        AgentPresence("1001", "Anna", True, "on_call", "", 0.0, (("support", 0),)),
        AgentPresence("1002", "Boris", True, "paused", "lunch", 1.0, (("support", 0),)),
        AgentPresence("1003", "Vera", False, "logged_out", "", 0.0, ()),
    ]
    await states.sync(view)
    assert states.get("1001").status is AgentStatus.ON_CALL
    assert (states.get("1002").status, states.get("1002").pause_reason) == (
        AgentStatus.PAUSED,
        "lunch",
    )
    assert "agent 1001: logged_out → on_call (app_queue)" in caplog.text
    states.close()


async def test_the_desk_hears_the_boards_word_when_the_phone_comes_and_goes() -> None:
    desks = Desks()
    states = _states(desks)
    await _logged_in(states)
    await states.reachable("1001", False)
    await states.reachable("1001", False)  # app_queue says it once per queue: heard once
    assert states.board_state("1001") == "unavailable"
    await states.reachable("1001", True)
    assert states.board_state("1001") == "available"
    words = [m.presence for _, m in desks.sent if m.kind == "presence"]
    assert words == ["available", "unavailable", "available"]
    # Paused wins over the phone: the board says paused whatever the phone does.
    await states.reachable("1001", False)
    await states.apply("1001", AgentEvent.PAUSE, "lunch")
    assert states.board_state("1001") == "paused"


async def test_sync_learns_an_unregistered_phone_from_the_view() -> None:
    desks = Desks()
    states = _states(desks)
    await states.sync([AgentPresence("1001", "Olga", True, "unavailable", "", 0.0, (), False)])
    assert states.board_state("1001") == "unavailable"
    await states.sync([AgentPresence("1001", "Olga", True, "available", "", 0.0, ())])
    assert states.board_state("1001") == "available"
    # Paused with no phone (after a restart, say): unpaused, the board says unavailable.
    paused = AgentPresence("1001", "Olga", True, "paused", "lunch", 1.0, (), False)
    await states.sync([paused])
    await states.apply("1001", AgentEvent.UNPAUSE)
    assert states.board_state("1001") == "unavailable"
