"""The promise predictor on constructed queues: the expected time, the told time and its
range, from the agents now, the roster, handle times per hour and our own past spread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.business_hours import Calendar, NeverOpen
from callcenter.domain.promise_predictor import (
    Measured,
    PastPrediction,
    PredictionPolicy,
    QueueNow,
    band,
    first_free,
    handle_by_hour,
    left_after,
    predict,
    round_to,
    spread_of,
)

# Around the clock in UTC (the arithmetic is plain), and a weekday calendar with a holiday.
ALWAYS = Calendar(
    "UTC", {d: ((0, 1440),) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}, frozenset()
)
OFFICE = Calendar(
    "UTC",
    {d: ((9 * 60, 18 * 60),) for d in ("mon", "tue", "wed", "thu", "fri")},
    frozenset({"2026-12-08"}),  # Tuesday
)
MON_10 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # a Monday
FLAT = Measured({}, 600.0, setup=0.0)  # 10 minutes a call, nothing else
MEASURED = tuple(PastPrediction(10, 1800.0, 1800.0 * r) for r in [0.9, 1.0, 1.1] * 20)


def test_one_agent_free_now_calls_at_once_and_promises_soon_after() -> None:
    queue = QueueNow(ahead=0, serving=1)
    assert first_free(ALWAYS, MON_10, queue, FLAT, 86400) == MON_10
    p = predict(ALWAYS, MON_10, queue, FLAT)
    assert p.expected == MON_10
    # No history: the roster's wider spread ((0 + 2) x 2.0 - 2 = 2 minutes), said as such.
    assert p.basis == "roster"
    assert p.due == MON_10 + timedelta(minutes=2)
    assert not p.ranged


def test_a_queue_of_ten_with_three_busy_agents() -> None:
    # Three agents busy for 5 more minutes; ten ahead at 10 minutes each, first come first
    # served: 1-3 start at +5, 4-6 at +15, 7-9 at +25, the tenth at +35, this one at +35.
    queue = QueueNow(ahead=10, serving=3, busy_left=(300.0, 300.0, 300.0))
    assert first_free(ALWAYS, MON_10, queue, FLAT, 86400) == MON_10 + timedelta(minutes=35)
    measured = Measured({}, 600.0, setup=0.0, past=MEASURED)
    p = predict(ALWAYS, MON_10, queue, measured)
    assert p.expected == MON_10 + timedelta(minutes=35)
    assert p.basis == "measured"
    # About 9 % late at the 99th percentile of our own past: (35 + 2) x 1.094 - 2 = 38.5
    # min, past half an hour: on five minutes, 10:40; early by 9 % at the low end: from
    # 10:30 (31.5 min, down to five) — a range of ten minutes, said.
    assert p.spread.high == pytest.approx(1.09375)
    assert p.due == MON_10 + timedelta(minutes=40)
    assert p.ranged
    assert p.earliest == MON_10 + timedelta(minutes=30)


def test_a_short_promise_and_a_range_under_ten_minutes_are_said_to_the_minute() -> None:
    queue = QueueNow(ahead=1, serving=1)  # expected at +10 min
    measured = Measured(
        {},
        600.0,
        setup=0.0,
        past=tuple(PastPrediction(10, 600.0, 600.0 * r) for r in [1.0, 1.2] * 20),
    )
    p = predict(ALWAYS, MON_10, queue, measured)
    # The ratio with 2 soft minutes: (12 + 2) / (10 + 2) = 1.167; (10 + 2) x 1.167 - 2 =
    # 12 min: 10:12; the low end is 10 minutes: no range said.
    assert p.due == MON_10 + timedelta(minutes=12)
    assert not p.ranged
    assert p.earliest == p.due


def test_a_shift_change_inside_the_window() -> None:
    # One agent now; at 10:30 the roster puts three on: the work ahead drains faster.
    def roster(at: datetime) -> float:
        return 1.0 if at < MON_10 + timedelta(minutes=30) else 3.0

    alone = QueueNow(ahead=6, serving=1)
    with_shift = QueueNow(ahead=6, serving=1, roster=roster)
    assert first_free(ALWAYS, MON_10, alone, FLAT, 86400) == MON_10 + timedelta(minutes=60)
    # 10:00, 10:10, 10:20 by one agent; at 10:30 three: 10:30 x3, 10:40 x3 (this one).
    assert first_free(ALWAYS, MON_10, with_shift, FLAT, 86400) == MON_10 + timedelta(minutes=40)


def test_agents_leaving_finish_their_call_and_the_serving_now_hold_until_the_roster_changes() -> (
    None
):
    def roster(at: datetime) -> float:
        return 3.0 if at < MON_10 + timedelta(minutes=15) else 1.0

    # Only two of the three rostered are logged in now: the roster is not believed over
    # the agents serving until it next changes.
    queue = QueueNow(ahead=4, serving=2, roster=roster)
    # 10:00 x2, 10:10 x2; from 10:15 one seat (the other agent leaves after the call in
    # hand): this one at 10:20.
    assert first_free(ALWAYS, MON_10, queue, FLAT, 86400) == MON_10 + timedelta(minutes=20)


def test_a_holiday_and_the_night_stop_the_clock() -> None:
    evening = datetime(2026, 12, 7, 17, 50, tzinfo=UTC)  # Monday; Tuesday is a holiday
    queue = QueueNow(ahead=2, serving=1)
    # 17:50 the first, 18:00 closed, Wednesday 09:00 the second runs its last 0 s... the
    # first's 10 minutes end at 18:00; the second starts Wednesday 09:00, this one 09:10.
    start = first_free(OFFICE, evening, queue, FLAT, 14 * 86400)
    assert start == datetime(2026, 12, 9, 9, 10, tzinfo=UTC)
    p = predict(OFFICE, evening, queue, FLAT)
    assert p.expected == start
    assert p.due.date().isoformat() == "2026-12-09"  # never the holiday


def test_nobody_on_the_roster_for_two_weeks_is_never_open() -> None:
    queue = QueueNow(ahead=0, serving=0, roster=lambda _at: 0.0)
    with pytest.raises(NeverOpen):
        first_free(ALWAYS, MON_10, queue, FLAT, 2 * 86400)


def test_no_history_falls_back_to_the_roster_with_a_wider_range_said_as_such() -> None:
    queue = QueueNow(ahead=3, serving=1)
    p = predict(ALWAYS, MON_10, queue, FLAT)  # expected at +30 min
    assert p.basis == "roster"
    assert p.ranged
    # (30 + 2) x 2.0 - 2 = 62 min, on five minutes: 65; from (30 + 2) x 0.6 - 2 = 17.2: 15.
    assert p.due == MON_10 + timedelta(minutes=65)
    assert p.earliest == MON_10 + timedelta(minutes=15)


def test_retries_and_the_setup_between_calls_lengthen_the_work() -> None:
    queue = QueueNow(ahead=2, serving=1)
    plain = first_free(ALWAYS, MON_10, queue, FLAT, 86400)
    slower = Measured({}, 600.0, retry_share=0.5, attempt=60.0, setup=30.0)
    # Each call ahead: 600 + 30 + 0.5 x 60 = 660 s.
    assert first_free(ALWAYS, MON_10, queue, slower, 86400) == plain + timedelta(seconds=120)
    # This one's own first attempt may miss: half of (60 + 120) s on the expected time.
    p = predict(ALWAYS, MON_10, queue, slower)
    assert p.expected == MON_10 + timedelta(seconds=1320 + 90)


def test_handle_times_by_the_hour_of_the_call() -> None:
    by_hour, every = handle_by_hour([(10, 300.0)] * 5 + [(11, 900.0)] * 5 + [(12, 60.0)])
    assert by_hour == {10: 300.0, 11: 900.0}  # 12h: too few calls
    assert every == pytest.approx((1500 + 4500 + 60) / 11)
    measured = Measured(by_hour, 600.0, setup=0.0)
    queue = QueueNow(ahead=2, serving=1)
    at = datetime(2026, 12, 7, 10, 55, tzinfo=UTC)
    # 10:55 a 5-minute call (10h), 11:00 a 15-minute one (11h), this one at 11:15.
    assert first_free(ALWAYS, at, queue, measured, 86400) == at + timedelta(minutes=20)


def test_the_spread_comes_from_the_hour_and_band_when_there_are_enough() -> None:
    policy = PredictionPolicy(min_samples=10)
    hour10 = [PastPrediction(10, 1800.0, 1800.0 * 1.5)] * 10
    hour11 = [PastPrediction(11, 1800.0, 1800.0)] * 10
    short = [PastPrediction(10, 60.0, 600.0)] * 10
    past = hour10 + hour11 + short
    assert spread_of(past, 10, 1800.0, policy).scope == "queue, hour and wait"  # type: ignore[union-attr]
    assert spread_of(past, 10, 1800.0, policy).high == pytest.approx((2700 + 120) / (1800 + 120))  # type: ignore[union-attr]
    assert spread_of(past, 9, 1800.0, policy).scope == "queue and wait"  # type: ignore[union-attr]
    assert spread_of(past[:5], 9, 1800.0, policy) is None
    assert band(60.0) == 0
    assert band(1800.0) == 2
    assert band(5 * 3600.0) == 4


def test_the_told_time_is_on_a_whole_minute_or_five() -> None:
    at = datetime(2026, 12, 7, 10, 31, 20, tzinfo=UTC)
    assert round_to(at, ALWAYS, 60, up=True) == datetime(2026, 12, 7, 10, 32, tzinfo=UTC)
    assert round_to(at, ALWAYS, 300, up=True) == datetime(2026, 12, 7, 10, 35, tzinfo=UTC)
    assert round_to(at, ALWAYS, 300, up=False) == datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    on = datetime(2026, 12, 7, 10, 35, tzinfo=UTC)
    assert round_to(on, ALWAYS, 300, up=True) == on


def test_a_told_time_is_lost_only_when_even_the_early_end_comes_after_it() -> None:
    measured = Measured({}, 600.0, setup=0.0, past=MEASURED)  # 0.9-1.1 of what we predict
    p = predict(ALWAYS, MON_10, QueueNow(ahead=3, serving=1), measured)  # expected +30 min
    assert p.spread.least == pytest.approx(0.9 + (1.0 - 0.9) * 0.0, abs=0.01)
    assert not p.misses(MON_10 + timedelta(minutes=30))  # the expected time: may still hold
    assert p.misses(MON_10 + timedelta(minutes=26))  # sooner than 90 % of it: lost


def test_closed_now_the_roster_says_who_comes_at_the_opening() -> None:
    saturday = datetime(2026, 12, 12, 20, 0, tzinfo=UTC)  # closed until Monday 09:00

    def roster(at: datetime) -> float:
        return 2.0

    # Nobody is logged in at night; two are rostered from the opening: two calls ahead are
    # served at 09:00 by both, this one at 09:10.
    queue = QueueNow(ahead=2, serving=0, roster=roster)
    start = first_free(OFFICE, saturday, queue, FLAT, 14 * 86400)
    assert start == datetime(2026, 12, 14, 9, 10, tzinfo=UTC)


def test_a_call_running_long_is_expected_to_run_longer() -> None:
    handles = tuple(sorted([300.0] * 80 + [1200.0] * 20))
    measured = Measured({}, 480.0, handles=handles)
    assert left_after(measured, None) == 240.0  # not known: half a handle time
    assert left_after(measured, 60.0) == pytest.approx(480.0 - 60.0)  # every call is longer
    # Past five minutes only the long calls are left: 20 minutes each, 15 to go.
    assert left_after(measured, 400.0) == pytest.approx(800.0)
    assert left_after(measured, 1300.0) == pytest.approx(120.0)  # longer than all: a quarter


def test_the_handle_times_spread_puts_a_floor_under_a_narrow_past() -> None:
    handles = tuple(sorted([300.0, 900.0] * 50))  # a coefficient of variation of 0.5
    narrow = tuple(PastPrediction(10, 3600.0, 3600.0) for _ in range(60))  # never off
    measured = Measured({}, 600.0, setup=0.0, past=narrow, handles=handles)
    assert measured.handle_cv == pytest.approx(0.5025, abs=1e-3)
    # Four calls ahead: 1 + 2.33 x 0.5 / 2 = 1.59 over the work, whatever the past.
    p = predict(ALWAYS, MON_10, QueueNow(ahead=4, serving=2), measured)
    assert p.expected == MON_10 + timedelta(minutes=20)
    assert p.due == MON_10 + timedelta(minutes=35)  # (20 + 2) x 1.585 - 2 = 32.9, to five
