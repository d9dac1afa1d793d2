from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import cast

import pytest

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult
from callcenter.domain.contacts import InvalidContact
from callcenter.domain.queue_events import AgentAnswered, AgentCallEnded, AgentRinging
from callcenter.domain.tickets import CallerHistory
from callcenter.services.ports import TicketStore
from callcenter.services.screen_pop import DeskMessage, ScreenPop
from tests.support.fakes import MemoryCallLog

# Timeouts, wrap-up timers and sleeps run on the loop's settable clock (looptime):
# the test waits no wall time and no timer races the machine's load.
pytestmark = pytest.mark.usefixtures("settable_clock")

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


@dataclasses.dataclass
class Desks:
    sent: list[tuple[str, DeskMessage]] = dataclasses.field(default_factory=list)
    broken: bool = False

    open: int = 1

    async def publish(self, agent: str, message: DeskMessage) -> int:
        if self.broken:
            raise ConnectionResetError("page gone")
        self.sent.append((agent, message))
        return 1

    def pages(self, agent: str) -> int:
        return self.open


class Tickets:
    looked_up = 0

    async def lookup(self, phone: str = "", email: str = "") -> CallerHistory:
        Tickets.looked_up += 1
        if not phone[-1:].isdigit():
            raise InvalidContact("phone", "not a number")
        return CallerHistory("+7" + phone[-10:], None)

    async def call_ticket(self, call_id: str) -> int | None:
        return 42


async def _pop(desks: Desks, caller: str = "89161234567") -> ScreenPop:
    log = MemoryCallLog()
    await log.call_started(CallRecord("1.1", "1.1", caller, "7000", T0))
    path = ({"flow": "demo", "node": "main_menu", "detail": "pressed:2"},)
    await log.ivr_finished("1.1", IvrResult("demo@1", path, CallOutcome.QUEUE, "support"))
    tickets = Tickets()
    return ScreenPop(cast(TicketStore, tickets), tickets, log, desks)


async def test_ringing_sends_history_and_ivr_path_to_the_agent() -> None:
    desks = Desks()
    pop = await _pop(desks)
    await pop.handle(AgentRinging("1.1", "1.1", "support", "1001", "89161234567"))
    ((agent, message),) = desks.sent
    assert (agent, message.kind) == ("1001", "ringing")
    assert message.pop is not None
    assert message.pop.history is not None
    assert message.pop.history.phone == "+79161234567"
    assert message.pop.ivr_path[0]["detail"] == "pressed:2"


async def test_an_agent_without_a_desk_open_costs_no_lookup() -> None:
    desks = Desks(open=0)
    pop = await _pop(desks)
    before = Tickets.looked_up
    await pop.handle(AgentRinging("1.1", "1.1", "support", "1001", "89161234567"))
    await pop.handle(AgentAnswered("1.1", "support", "1001", 4.0, 2.0))
    assert (desks.sent, Tickets.looked_up) == ([], before)


async def test_answer_names_the_calls_ticket() -> None:
    desks = Desks()
    pop = await _pop(desks)
    await pop.handle(AgentAnswered("1.1", "support", "1001", 4.0, 2.0))
    assert desks.sent[0][1].ticket == 42


async def test_a_withheld_number_pops_without_history() -> None:
    desks = Desks()
    pop = await _pop(desks, caller="anonymous")
    await pop.handle(AgentRinging("1.1", "1.1", "support", "1001", "anonymous"))
    message = desks.sent[0][1]
    assert message.pop is not None
    assert message.pop.history is None


async def test_a_broken_page_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    pop = await _pop(Desks(broken=True))
    await pop.handle(AgentRinging("1.1", "1.1", "support", "1001", "89161234567"))
    assert "screen pop failed" in caplog.text


class SlowTickets(Tickets):
    """The first ticket lookup (for "answered") is slower than the second (for "ended")."""

    def __init__(self) -> None:
        self.delays = [0.05, 0.0]

    async def call_ticket(self, call_id: str) -> int | None:
        await asyncio.sleep(self.delays.pop(0))
        return 42


async def test_one_agents_messages_keep_the_order_of_the_events() -> None:
    desks = Desks()
    tickets = SlowTickets()
    pop = ScreenPop(cast(TicketStore, tickets), tickets, MemoryCallLog(), desks)
    answered = asyncio.create_task(pop.handle(AgentAnswered("1.1", "support", "1001", 4, 2)))
    end = AgentCallEnded("1.1", "support", "1001", 4, 9, "caller")
    ended = asyncio.create_task(pop.handle(end))
    await asyncio.gather(answered, ended)
    assert [m.kind for _, m in desks.sent] == ["answered", "ended"]
    assert len(pop._lanes) == 0  # no lock left behind


class BrokenTickets(Tickets):
    async def call_ticket(self, call_id: str) -> int | None:
        raise TimeoutError("database is locked")


async def test_the_call_still_ends_on_the_page_when_the_ticket_lookup_fails() -> None:
    desks = Desks()
    tickets = BrokenTickets()
    pop = ScreenPop(cast(TicketStore, tickets), tickets, MemoryCallLog(), desks)
    await pop.handle(AgentCallEnded("1.1", "support", "1001", 4, 9, "caller"))
    assert [(m.kind, m.ticket) for _, m in desks.sent] == [("ended", None)]
