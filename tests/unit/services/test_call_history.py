from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from callcenter.domain.calls import CallOutcome, CallRecord, IvrResult
from callcenter.domain.tickets import CallSummary, Direction, Interaction, InteractionKind
from callcenter.domain.webhooks import Announce, Event
from callcenter.services.call_history import CallHistory, call_summary
from callcenter.services.ports import TicketStore
from tests.support.fakes import MemoryCallLog

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


@dataclasses.dataclass
class RecordingTickets:
    calls: list[CallSummary] = dataclasses.field(default_factory=list)
    data: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    failing: bool = False
    outbox: list[Event] = dataclasses.field(default_factory=list)

    async def record_call(
        self, call: CallSummary, announce: Announce[Interaction] | None = None
    ) -> Interaction:
        if self.failing:
            raise ConnectionError("database is down")
        if call.call_id not in self.data:  # idempotent on the call id, like the real store
            self.calls.append(call)
            self.data[call.call_id] = {"outcome": call.outcome, "ivr_path": list(call.ivr_path)}
            if announce is not None:  # written with the call, the first time only
                self.outbox += announce(self._interaction(call.call_id))
        return self._interaction(call.call_id)

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction:
        self.data[call_id].update(changes)
        return self._interaction(call_id)

    def _interaction(self, call_id: str) -> Interaction:
        data = self.data[call_id]
        return Interaction(1, 7, 1, InteractionKind.CALL, Direction.INBOUND, T0, data=data)


async def _ended_call(log: MemoryCallLog, uid: str) -> None:
    await log.call_started(CallRecord(uid, uid, "89123456789", "7000", T0))
    path = ({"node": "main_menu", "digits": "2"},)
    await log.ivr_finished(uid, IvrResult("main@1", path, CallOutcome.QUEUE, "support"))
    await log.call_ended(uid, CallOutcome.QUEUE, T0.replace(minute=1))


async def test_an_ended_call_goes_to_the_ticket_store_with_its_ivr_path() -> None:
    log, tickets = MemoryCallLog(), RecordingTickets()
    await _ended_call(log, "1.1")
    await CallHistory(log, cast(TicketStore, tickets)).call_ended("1.1")
    (summary,) = tickets.calls
    assert (summary.call_id, summary.queue, summary.outcome) == ("1.1", "support", "queue")
    assert summary.ivr_path == ({"node": "main_menu", "digits": "2"},)


async def test_a_failing_store_loses_nothing_backfill_writes_it_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log, tickets = MemoryCallLog(), RecordingTickets(failing=True)
    history = CallHistory(log, cast(TicketStore, tickets))
    await _ended_call(log, "1.2")
    await history.call_ended("1.2")  # does not raise
    assert "could not write the call" in caplog.text
    tickets.failing = False
    await history.backfill(log)
    assert [c.call_id for c in tickets.calls] == ["1.2"]


async def test_a_call_still_in_the_ivr_is_not_archived() -> None:
    log, tickets = MemoryCallLog(), RecordingTickets()
    await log.call_started(CallRecord("1.3", "1.3", "1", "7000", T0))
    await CallHistory(log, cast(TicketStore, tickets)).call_ended("1.3")
    assert tickets.calls == []


def test_only_queue_calls_name_a_queue() -> None:
    record = CallRecord(
        "1.4",
        "1.4",
        "1",
        "7000",
        T0,
        outcome=CallOutcome.VOICEMAIL,
        ended_at=T0,
        outcome_detail="100",
    )
    summary = call_summary(record)
    assert summary.queue == ""
    assert summary.detail == "100"


async def test_a_call_back_from_a_queue_ends_with_its_last_outcome_and_whole_path() -> None:
    log, tickets = MemoryCallLog(), RecordingTickets()
    history = CallHistory(log, cast(TicketStore, tickets))
    await _ended_call(log, "1.5")  # into the queue: the IVR part ends
    await history.call_ended("1.5")
    # The queue overflows to a flow node: the call re-enters the IVR and asks for a callback.
    await log.call_started(CallRecord("1.5", "1.5", "89123456789", "7000", T0))
    back = ({"node": "call_back", "detail": "support"},)
    await log.ivr_finished("1.5", IvrResult("main@1", back, CallOutcome.CALLBACK, "support"))
    await log.call_ended("1.5", CallOutcome.CALLBACK, T0.replace(minute=2))
    await history.call_ended("1.5")
    data = tickets.data["1.5"]
    assert data["outcome"] == "callback"
    assert [step["node"] for step in data["ivr_path"]] == ["main_menu", "call_back"]
    assert len(tickets.calls) == 1  # one interaction, updated


async def test_call_ended_is_announced_once_with_the_calls_first_write() -> None:
    log, tickets, told = MemoryCallLog(), RecordingTickets(), []
    await _ended_call(log, "1.9")
    history = CallHistory(log, cast(TicketStore, tickets), lambda kind, _data: told.append(kind))
    await history.call_ended("1.9")
    await history.call_ended("1.9")  # replayed (a backfill after a restart)
    assert [e.kind for e in tickets.outbox] == ["call.ended"]
    assert tickets.outbox[0].data["ticket_number"] == 7
    assert told == ["call.ended"]
