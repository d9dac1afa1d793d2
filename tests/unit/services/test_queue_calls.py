from __future__ import annotations

from typing import Any

import pytest

from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    CallerAbandoned,
    CallerLeftQueue,
)
from callcenter.services.queue_calls import QueueCallRecorder


class Store:
    def __init__(self, known: bool = True) -> None:
        self.known = known
        self.updates: list[tuple[str, dict[str, Any]]] = []

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any:
        self.updates.append((call_id, changes))
        return object() if self.known else None


async def test_answered_and_abandoned_calls_carry_their_figures() -> None:
    store = Store()
    recorder = QueueCallRecorder(store)
    await recorder.handle(AgentCallEnded("1.1", "support", "1001", 12.0, 95.0, "caller"))
    await recorder.handle(CallerAbandoned("1.2", "sales", 3, 41.0))
    await recorder.handle(AgentRinging("1.3", "1.3", "sales", "1002", "1"))  # not a figure
    assert store.updates == [
        (
            "1.1",
            {
                "queue": "support",
                "agent": "1001",
                "wait": 12.0,
                "talk": 95.0,
                "queue_outcome": "answered",
                "ended_by": "caller",
            },
        ),
        ("1.2", {"queue": "sales", "wait": 41.0, "queue_outcome": "abandoned", "position": 3}),
    ]


async def test_figures_before_the_ticket_are_held_and_written_when_the_call_lands() -> None:
    store = Store(known=False)
    recorder = QueueCallRecorder(store)
    await recorder.handle(AgentAnswered("1.2", "sales", "1001", 4.0, 1.0))
    await recorder.handle(AgentCallEnded("1.2", "sales", "1001", 4.0, 30.0, "caller"))
    assert len(store.updates) == 2  # looked twice for the first, then held without asking
    store.known = True
    await recorder.call_on_ticket({"call_id": "1.2", "outcome": "completed"})
    assert store.updates[-1] == (
        "1.2",
        {
            "queue": "sales",
            "agent": "1001",
            "wait": 4.0,
            "talk": 30.0,
            "queue_outcome": "answered",
            "ended_by": "caller",
        },
    )
    await recorder.call_on_ticket({"call_id": "1.2"})  # written once
    assert len(store.updates) == 3


class LandsBetweenLooks(Store):
    """The call reaches its ticket while its first figures are being written."""

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any:
        made = await super().update_call(call_id, changes)
        self.known = True
        return made


async def test_a_call_landing_between_the_two_looks_gets_its_figures_at_once() -> None:
    store = LandsBetweenLooks(known=False)
    recorder = QueueCallRecorder(store)
    await recorder.handle(CallerAbandoned("1.3", "sales", 1, 2.0))
    assert [c for _, c in store.updates][-1]["queue_outcome"] == "abandoned"
    await recorder.call_on_ticket({"call_id": "1.3"})  # nothing left held
    assert len(store.updates) == 2


async def test_beyond_the_held_calls_the_oldest_figures_are_dropped_and_said(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = QueueCallRecorder(Store(known=False), held_calls=2)
    for n in range(3):
        await recorder.handle(CallerAbandoned(f"1.{n}", "sales", 1, 2.0))
    assert "call 1.0 never reached its ticket; queue figures lost" in caplog.text
    assert "1.1 never" not in caplog.text


async def test_a_leg_left_unanswered_is_kept_when_the_next_queue_answers() -> None:
    store = Store()
    recorder = QueueCallRecorder(store)
    await recorder.handle(CallerLeftQueue("1.4", "sales", "timeout", 300.0))
    await recorder.handle(AgentCallEnded("1.4", "support", "1002", 20.0, 60.0, "agent"))
    merged: dict[str, Any] = {}
    for _, changes in store.updates:
        merged |= changes
    assert (merged["queue"], merged["queue_outcome"], merged["wait"]) == ("support", "answered", 20)
    assert (merged["left_queue"], merged["left_status"]) == ("sales", "timeout")


async def test_a_callback_placeholders_figures_are_not_held() -> None:
    store = Store(known=False)
    recorder = QueueCallRecorder(store)
    await recorder.handle(CallerAbandoned("cb11-1q", "messages", 1, 0.0))
    await recorder.call_on_ticket({"call_id": "cb11-1q"})
    assert len(store.updates) == 1  # asked once, neither held nor looked for again
