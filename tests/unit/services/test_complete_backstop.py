"""The lost-AgentComplete backstop over fakes of its two ports: the queue_log's answer
and the redelivery (grace 0: no time is waited on)."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.domain.queue_events import AgentAnswered, AgentCallEnded, CallerAbandoned
from callcenter.services.complete_backstop import CompleteBackstop, Completed


class Record:
    def __init__(self, lines: dict[str, Completed]) -> None:
        self.lines, self.asked = lines, 0

    async def find(self, call_id: str) -> Completed | None:
        self.asked += 1
        return self.lines.get(call_id)


def rig(lines: dict[str, Completed]) -> tuple[CompleteBackstop, Record, list[AgentCallEnded]]:
    record, delivered = Record(lines), []
    return CompleteBackstop(record.find, delivered.append, grace=0.0, looks=3), record, delivered


async def settle(backstop: CompleteBackstop) -> None:
    for _ in range(20):
        await asyncio.sleep(0)
    await backstop.close()


async def test_an_answered_call_whose_complete_never_came_is_recovered_once() -> None:
    backstop, _record, delivered = rig({"1.1": (3.0, 42.0, "caller")})
    backstop.seen(AgentAnswered("1.1", "support", "1001", 3.0, 1.0))
    backstop.caller_hung_up("1.1")
    backstop.caller_hung_up("1.1")  # a second Hangup (replayed) recovers nothing more
    await settle(backstop)
    assert delivered == [AgentCallEnded("1.1", "support", "1001", 3.0, 42.0, "caller")]
    assert backstop.state() == {"open": 0, "recovered": 1}


async def test_a_complete_that_came_or_a_call_never_answered_asks_nothing() -> None:
    backstop, record, delivered = rig({"1.1": (3.0, 42.0, "caller")})
    backstop.seen(AgentAnswered("1.1", "support", "1001", 3.0, 1.0))
    backstop.seen(AgentCallEnded("1.1", "support", "1001", 3.0, 42.0, "caller"))
    backstop.caller_hung_up("1.1")
    backstop.seen(CallerAbandoned("1.2", "support", 1, 4.0))
    backstop.caller_hung_up("1.2")
    await settle(backstop)
    assert (delivered, record.asked) == ([], 0)


async def test_a_call_the_queue_log_never_has_is_said_once_and_forgotten(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backstop, record, delivered = rig({})
    backstop.seen(AgentAnswered("1.3", "sales", "1002", 1.0, 1.0))
    backstop.caller_hung_up("1.3")
    await settle(backstop)
    assert (delivered, record.asked) == ([], 3)
    assert caplog.text.count("AgentComplete of call 1.3 never came, nor its queue_log line") == 1
    assert backstop.state()["open"] == 0
