"""Predicted promises through the callbacks service on a real SQLite store: what the store
measured (queue_legs, past predictions) feeds the predictor, the promise carries its
prediction, a promise about to be broken is re-promised once, and a store failure falls
back to the older rule. Asterisk's queue status is a fake behind the dialer's port."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcenter.domain.promises import ALWAYS_OPEN, PromiseKind, PromiseState
from callcenter.domain.queue_view import MemberState, QueueSnapshot, WaitingCaller
from callcenter.services.callbacks import CallbackPolicy, CallbackRequest, Callbacks
from callcenter.services.promise_calibration import PromiseCalibration
from callcenter.services.promise_predictions import PromisePredictions
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.models import QueueLegRow
from callcenter.store.promise_history import SqlPromiseHistory
from tests.support.promises import served_promise
from tests.unit.services.test_callbacks import NOW, Clock, Tickets, Work

MIN = timedelta(minutes=1)


def member(agent: str, busy: bool) -> MemberState:
    device = "in_use" if busy else "not_in_use"
    return MemberState(agent, False, "", busy, device, 0)


class Queue:
    """The dialer's port: placeholders placed, and the queue app_queue would show."""

    def __init__(self) -> None:
        self.members: tuple[MemberState, ...] = (member("1001", True),)
        self.waiting: list[WaitingCaller] = []

    async def place(self, callback: Any, position: int) -> None:
        pass

    async def withdraw(self, callback: Any) -> None:
        pass

    async def alive(self, callback: Any) -> bool:
        return True

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return [QueueSnapshot("support", tuple(self.waiting), self.members)]


class Broken:
    async def handle_times(self, queue: str, since: datetime) -> Any:
        raise RuntimeError("database is locked")


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Callbacks, Queue, Clock, list[str], Any]]:
    url = f"sqlite:///{tmp_path / 'p.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    with sessions.begin() as s:  # ten answered calls of 9 minutes (+ 1 wrap-up) at 9h
        for n in range(10):
            at = NOW - timedelta(days=1, hours=1, minutes=n)
            s.add(
                QueueLegRow(
                    call_id=f"c{n}",
                    queue="support",
                    entered_at=at,
                    day="2026-12-06",
                    slot=36,
                    outcome="answered",
                    talk=540.0,
                    wrap_up=60.0,
                    source="daemon",
                )
            )
    queue, clock, events = Queue(), Clock(), []
    store = SqlCallbacks(sessions)
    predictions = PromisePredictions(
        SqlPromiseHistory(sessions),
        lambda _q: ALWAYS_OPEN,
        lambda _q: None,
        clock,
        120.0,
        talking_for=lambda _agent: 300.0,
    )
    service = Callbacks(
        store,
        queue,
        Tickets(),
        Work(),
        lambda _q: ALWAYS_OPEN,
        CallbackPolicy(queues=frozenset({"support"})),
        clock,
        on_event=lambda kind, _data: events.append(kind),
        predictions=predictions,
    )
    yield service, queue, clock, events, sessions
    engine.dispose()


async def test_a_request_is_promised_from_the_queue_played_forward(setup: Any) -> None:
    service, queue, _clock, _events, _s = setup
    queue.waiting = [WaitingCaller("x", "", 1, 30.0)]  # one caller ahead
    answer = await service.request(CallbackRequest(queue="support", number="+79161234567"))
    p = answer.promise
    # The agent has talked 5 minutes of a 10-minute handle (talk + wrap-up): free in 300 s;
    # the caller ahead takes 630 s (30 s to dial and ring between calls): this one at +930.
    assert p.expected_at == NOW + timedelta(seconds=930)
    assert p.basis == "roster"  # no past predictions yet: the wider range, said as such
    # (15.5 + 2) x 2.0 - 2 = 33 min: past half an hour, on five minutes; from
    # (15.5 + 2) x 0.6 - 2 = 8.5 min, down to five.
    assert p.due_at == NOW + timedelta(minutes=35)
    assert p.earliest_at == NOW + timedelta(minutes=5)


async def test_our_past_predictions_narrow_the_promise(setup: Any) -> None:
    service, _queue, _clock, _events, sessions = setup
    with sessions.begin() as s:  # forty served exactly when predicted (~5 min)
        for n in range(40):
            made = NOW - timedelta(days=2, minutes=n)
            s.add(served_promise(1000 + n, "support", made, MIN * 20, MIN * 5.5))
    p = (await service.request(CallbackRequest(queue="support", number="+79161234567"))).promise
    assert p.basis == "measured"
    assert p.expected_at == NOW + timedelta(seconds=300)
    assert p.due_at == NOW + timedelta(minutes=5)  # as predicted: our past was exact
    assert p.earliest_at is None


async def test_a_promise_about_to_be_broken_is_repromised_once(setup: Any) -> None:
    service, queue, clock, events, _s = setup
    first = await service.request(CallbackRequest(queue="support", number="+79161234567"))
    due = first.promise.due_at
    # A surge: twenty callers of higher priority now ahead of it.
    queue.waiting = [WaitingCaller(str(n), "", n, 5.0, priority=5) for n in range(20)]
    clock.at = NOW + timedelta(minutes=1)
    await service.projection.project()
    _, p = await service.get(first.callback.id)
    assert p.state is PromiseState.OPEN
    assert p.first_due_at == due
    assert p.due_at > due
    assert p.repromised_at == clock.at
    assert events.count("promise.repromised") == 1
    # Still missed: not re-promised again, escalated instead.
    queue.waiting = [WaitingCaller(str(n), "", n, 5.0, priority=5) for n in range(60)]
    clock.at = NOW + timedelta(minutes=2)
    await service.projection.project()
    _, again = await service.get(first.callback.id)
    assert again.due_at == p.due_at
    assert again.state is PromiseState.AT_RISK
    assert events.count("promise.repromised") == 1
    assert events.count("promise.at_risk") == 1


async def test_a_store_failure_falls_back_to_the_older_rule(setup: Any, tmp_path: Path) -> None:
    service, _queue, clock, _events, _s = setup
    service._predictions = PromisePredictions(  # the failing port
        Broken(),
        lambda _q: ALWAYS_OPEN,
        lambda _q: None,
        clock,
        120.0,  # type: ignore[arg-type]
    )
    p = (await service.request(CallbackRequest(queue="support", number="+79161234567"))).promise
    assert p.basis == ""
    assert p.expected_at is None
    assert p.due_at == NOW + timedelta(minutes=15)  # work 300 s + 5 min, floor 10, quarters


async def test_calibration_counts_kept_repromised_and_broken_per_hour(setup: Any) -> None:
    *_, sessions = setup
    rows = [("kept", None), ("kept", NOW), ("broken", None)]
    with sessions.begin() as s:
        for n, (state, again) in enumerate(rows * 4):
            made = NOW - timedelta(hours=1, minutes=n)
            served = MIN * (15 if state == "kept" else 30)
            row = served_promise(
                2000 + n, "support", made, MIN * 20, served, MIN * 10, state, again
            )
            s.add(row)
    store = SqlCallbacks(sessions)
    found = await PromiseCalibration(store, lambda _q: ALWAYS_OPEN).calibration(
        NOW - timedelta(days=1), NOW
    )
    whole = found.queues[0]
    assert (whole.made, whole.kept, whole.repromised, whole.broken) == (12, 4, 4, 4)
    assert whole.median_window == 1200.0
    assert whole.median_left == pytest.approx(0.25)  # kept: 25 % left; broken: none
    assert [a.figure for a in found.alerts] == ["kept_share"]  # 33 %: far under 98 %
    assert {c.hour for c in found.hours} <= {8, 9}
    assert PromiseKind.CALLBACK.value == "callback"


async def test_nobody_serving_and_no_roster_is_promised_as_if_one_agent_came(setup: Any) -> None:
    service, queue, _clock, _events, _s = setup
    queue.members = ()
    p = (await service.request(CallbackRequest(queue="support", number="+79161234567"))).promise
    assert p.expected_at == NOW  # one seat, free now
    assert p.basis == "roster"
