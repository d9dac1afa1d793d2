from __future__ import annotations

from typing import Any

import pytest

from callcenter.domain.queue_events import (
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


async def test_a_call_not_on_a_ticket_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    await QueueCallRecorder(Store(known=False)).handle(CallerAbandoned("1.2", "sales", 1, 2.0))
    assert "call not on a ticket" in caplog.text


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
