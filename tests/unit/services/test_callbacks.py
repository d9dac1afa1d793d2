"""The callbacks service on a real SQLite store; Asterisk (the placeholder dialer and the
queue's status), the ticket store and the wait estimate are fakes behind their ports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import Callback, CallbackError, CallbackState, check_slot
from callcenter.domain.promises import ALWAYS_OPEN, PromiseState
from callcenter.domain.queue_view import QueueSnapshot, WaitingCaller
from callcenter.services.callback_sweeper import CallbackSweeper
from callcenter.services.callbacks import CallbackPolicy, CallbackRequest, Callbacks
from callcenter.services.ports import TelephonyError
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.models import TicketRow

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


class Dialer:
    def __init__(self) -> None:
        self.placed: list[tuple[str, int]] = []
        self.waiting: list[WaitingCaller] = []
        self.refuse = False
        self.withdrawn: list[str] = []
        self.alive_ids: set[str] = set()

    async def place(self, callback: Callback, position: int) -> None:
        if self.refuse:
            raise TelephonyError("Originate: AMI is not connected")
        self.placed.append((callback.placeholder, position))

    async def alive(self, callback: Callback) -> bool:
        return callback.placeholder in self.alive_ids

    async def withdraw(self, callback: Callback) -> None:
        self.withdrawn.append(callback.placeholder)

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return [QueueSnapshot("support", tuple(self.waiting), ())]


class Tickets:
    def __init__(self) -> None:
        self.notes: list[tuple[int, Any]] = []

    async def call_ticket(self, call_id: str) -> int | None:
        return 42 if call_id else None

    async def append_interaction(self, number: int, new: Any) -> Any:
        self.notes.append((number, new))


class Work:
    async def for_position(self, queue: str, snapshot: QueueSnapshot, position: int) -> float:
        return position * 300.0


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Swept, Dialer, Tickets, Clock, list[str]]]:
    url = f"sqlite:///{tmp_path / 'cb.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessions(engine).begin() as s:  # the asking call's ticket (42)
        s.add(
            TicketRow(
                id=42,
                subject="call",
                status="open",
                priority="normal",
                channel="phone",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    dialer, tickets, clock, events = Dialer(), Tickets(), Clock(), []
    store = SqlCallbacks(make_sessions(engine))
    service = Swept(
        store,
        dialer,
        tickets,
        Work(),
        lambda _q: ALWAYS_OPEN,
        CallbackPolicy(queues=frozenset({"support"}), retry=timedelta(minutes=2)),
        clock,
        on_event=lambda kind, _data: events.append(kind),
    )
    yield service, dialer, tickets, clock, events
    engine.dispose()


class Swept(Callbacks):
    """The service with its sweeper, as the daemon runs them side by side."""

    def __init__(self, store: SqlCallbacks, dialer: Dialer, *args: Any, **kw: Any) -> None:
        super().__init__(store, dialer, *args, **kw)
        self.sweeper = CallbackSweeper(self, store, dialer, args[4])

    async def sweep(self) -> None:
        await self.sweeper.sweep()

    async def reconcile(self, live: set[str]) -> None:
        await self.sweeper.reconcile(live)


def ask(number: str = "+79161234567", **kw: Any) -> CallbackRequest:
    return CallbackRequest(queue="support", number=number, **kw)


async def test_the_placeholder_enters_behind_earlier_callers_only(setup: Any) -> None:
    service, dialer, _, _, events = setup
    dialer.waiting = [
        WaitingCaller("a", "1", 1, 300.0),
        WaitingCaller("b", "2", 2, 40.0),
    ]
    answer = await service.request(ask(joined_at=NOW - timedelta(seconds=100), call_id="1.1"))
    assert answer.created
    assert dialer.placed == [(f"cb{answer.callback.id}-1", 2)]  # behind a, ahead of b
    # 2 x 300 s of work + 5 min margin = 15 min: due 10:15.
    assert answer.promise.due_at == NOW + timedelta(minutes=15)
    assert events == ["callback.requested", "promise.made"]


async def test_asking_again_finds_the_open_request(setup: Any) -> None:
    service, dialer, _, _, _ = setup
    first = await service.request(ask())
    again = await service.request(ask("8 916 123-45-67"))
    assert not again.created
    assert again.callback.id == first.callback.id
    assert len(dialer.placed) == 1  # nothing placed twice


async def test_a_refused_number_or_queue_names_the_rule(setup: Any) -> None:
    service, dialer, _, _, _ = setup
    with pytest.raises(CallbackError, match="premium_rate"):
        await service.request(ask("+78091234567"))
    with pytest.raises(CallbackError, match="queue: no such queue 'nope'"):
        await service.request(CallbackRequest(queue="nope", number="+79161234567"))
    assert dialer.placed == []


async def test_answered_completes_and_keeps_the_promise_on_the_ticket(setup: Any) -> None:
    service, _, tickets, clock, events = setup
    cb = (await service.request(ask(call_id="1.1"))).callback
    await service.take(cb.id, 1, "1001")
    clock.at = NOW + timedelta(minutes=3)
    await service.dialed(cb.id, 1, "ANSWER", 60.0)
    await service.dialed(cb.id, 1, "ANSWER", 60.0)  # the marker after the UserEvent
    done, promise = await service.get(cb.id)
    assert done.state is CallbackState.COMPLETED
    assert promise.state is PromiseState.KEPT
    assert promise.ticket_number == 42
    assert promise.closed_at == NOW + timedelta(minutes=2)  # when the customer answered
    assert len(tickets.notes) == 1
    number, note = tickets.notes[0]
    assert number == 42
    assert note.source_id == f"cb{cb.id}-1"
    assert "promise.kept" in events


async def test_busy_retries_with_backoff_then_breaks_the_promise(setup: Any) -> None:
    service, dialer, _, clock, _ = setup
    cb = (await service.request(ask())).callback
    for attempt in (1, 2, 3):
        await service.take(cb.id, attempt, "1001")
        await service.dialed(cb.id, attempt, "BUSY", 0.0)
        retry, _ = await service.get(cb.id)
        if attempt == 3:
            break
        assert retry.state is CallbackState.RETRY
        assert retry.next_attempt_at == clock.at + timedelta(minutes=2 * 2 ** (attempt - 1))
        await service.sweep()  # not due yet: nothing placed
        assert len(dialer.placed) == attempt
        clock.at = retry.next_attempt_at
        await service.sweep()
        assert dialer.placed[-1] == (f"cb{cb.id}-{attempt + 1}", 1)
    failed, promise = await service.get(cb.id)
    assert failed.state is CallbackState.FAILED
    assert promise.state is PromiseState.BROKEN
    assert "attempts exhausted (BUSY)" in promise.outcome


async def test_a_placeholder_asterisk_refused_is_given_back(setup: Any) -> None:
    service, dialer, _, clock, _ = setup
    dialer.refuse = True
    cb = (await service.request(ask())).callback
    retry, _ = await service.get(cb.id)
    assert retry.state is CallbackState.RETRY
    assert retry.attempts == 0  # not an attempt: nobody was dialled
    dialer.refuse = False
    clock.at = retry.next_attempt_at
    await service.sweep()
    assert dialer.placed == [(f"cb{cb.id}-1", 1)]


async def test_a_stale_report_changes_nothing(setup: Any) -> None:
    service, _, _, _, _ = setup
    cb = (await service.request(ask())).callback
    await service.dialed(cb.id, 7, "ANSWER", 10.0)  # an attempt that is not the current one
    still, _ = await service.get(cb.id)
    assert still.state is CallbackState.WAITING


async def test_a_promise_whose_projection_misses_escalates_once(setup: Any) -> None:
    service, dialer, _, clock, events = setup
    answer = await service.request(ask())
    # Ten callers now ahead of it (higher priority): 11 x 300 s, far past the due time.
    dialer.waiting = [WaitingCaller(str(n), "x", n, 10.0, priority=5) for n in range(10)]
    await service.sweep()
    await service.sweep()
    _, promise = await service.get(answer.callback.id)
    assert promise.state is PromiseState.AT_RISK
    assert promise.escalated_at == clock.at
    assert promise.due_at == answer.promise.due_at
    assert events.count("promise.at_risk") == 1


async def test_cancel_closes_the_promise(setup: Any) -> None:
    service, dialer, _, _, _ = setup
    cb = (await service.request(ask())).callback
    done = await service.cancel(cb.id, "customer called back")
    assert done.state is CallbackState.CANCELLED
    assert dialer.withdrawn == [f"cb{cb.id}-1"]  # its placeholder can dial nobody
    _, promise = await service.get(cb.id)
    assert promise.state is PromiseState.CANCELLED
    with pytest.raises(CallbackError):
        await service.cancel(cb.id, "twice")


def test_calendar_is_a_value() -> None:
    assert Calendar("UTC", {}, frozenset()).timezone == "UTC"


async def test_after_asterisk_died_mid_dial_the_attempt_counts_and_is_retried(
    setup: Any,
) -> None:
    service, dialer, _, _, _ = setup
    lost = (await service.request(ask("+79161234567"))).callback
    kept = (await service.request(ask("+79161234568"))).callback
    waiting = (await service.request(ask("+79161234569"))).callback
    await service.take(lost.id, 1, "1001")
    await service.take(kept.id, 1, "1002")
    dialer.alive_ids = {kept.placeholder}  # still dialing: left alone
    dialer.placed.clear()
    await service.reconcile(live=set())  # no placeholder waits in any queue any more
    after_lost, _ = await service.get(lost.id)
    assert after_lost.state is CallbackState.RETRY
    assert after_lost.outcome == "LOST"
    assert (await service.get(kept.id))[0].state is CallbackState.DIALING
    assert dialer.placed == [(waiting.placeholder, 1)]  # the waiting one is placed again


async def test_a_scheduled_callback_waits_then_enters_the_queue_early_enough(setup: Any) -> None:
    service, dialer, _, clock, _ = setup
    at = NOW + timedelta(hours=3)
    answer = await service.request(ask(at=at))
    assert answer.promise.due_at == at + timedelta(minutes=15)  # told: "at 13:00", by 13:15
    assert dialer.placed == []  # nothing in the queue yet
    cb, _ = await service.get(answer.callback.id)
    assert cb.state is CallbackState.RETRY
    assert cb.attempts == 0
    assert cb.next_attempt_at == at - timedelta(minutes=5)
    clock.at = at - timedelta(minutes=6)
    await service.sweep()
    assert dialer.placed == []
    clock.at = at - timedelta(minutes=5)
    await service.sweep()
    assert dialer.placed == [(f"cb{cb.id}-1", 1)]


async def test_a_slot_outside_business_hours_names_the_next_open_one(tmp_path: Path) -> None:

    office = Calendar("Europe/Moscow", {"mon": ((9 * 60, 18 * 60),)}, frozenset())
    monday = datetime(2026, 12, 7, 8, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    with pytest.raises(CallbackError, match="next open slot is 2026-12-07T09:00"):
        check_slot(office, monday - timedelta(hours=1), monday)
    with pytest.raises(CallbackError, match="in the past"):
        check_slot(office, monday, monday - timedelta(minutes=1))
    assert check_slot(office, monday, monday + timedelta(hours=2)) == monday + timedelta(hours=2)


async def test_with_a_roster_the_promise_counts_on_the_agents_scheduled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roster.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    dialer, clock = Dialer(), Clock()

    def roster(_queue: str) -> Any:
        # Nobody until 12:00, then two agents.
        return lambda at: 2.0 if at >= NOW + timedelta(hours=2) else 0.0

    service = Callbacks(
        SqlCallbacks(make_sessions(engine)),
        dialer,
        Tickets(),
        Work(),
        lambda _q: ALWAYS_OPEN,
        CallbackPolicy(queues=frozenset({"support"}), roster=roster),
        clock,
    )
    answer = await service.request(ask())
    # 300 s of wait with one serving (Work: position 1) = 300 agent-seconds; from 12:00
    # two agents do it in 150 s: 12:02:30 + 5 min margin, rounded up to 12:15.
    assert answer.promise.due_at == NOW + timedelta(hours=2, minutes=15)
    engine.dispose()
