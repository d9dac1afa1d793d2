from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.admission import (
    Close,
    Counts,
    Door,
    Limits,
    Outcome,
    Reopen,
    Signals,
    past_limits,
)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LIMITS = Limits(
    max_loop_lag=0.5,
    max_asterisk_cpu=0.9,
    close_seconds=3.0,
    past_looks=1,
    calm_looks=3,
    max_entry_lag=2.0,
)
CALM = Signals(0.01, 0.2)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_an_open_door_with_calm_signals_says_nothing() -> None:
    door = Door(LIMITS)
    assert door.look(CALM, at(0)) is None
    assert door.open


@pytest.mark.parametrize(
    ("signals", "why"),
    [
        (Signals(0.6, 0.2), "loop_lag"),
        (Signals(0.01, 0.95), "asterisk_cpu"),
        (Signals(0.7, 0.99), "loop_lag,asterisk_cpu"),
        (Signals(0.01, 0.2, 2.5), "entry_lag"),
    ],
)
def test_a_signal_past_its_limit_closes_the_door_for_close_seconds(
    signals: Signals, why: str
) -> None:
    door = Door(LIMITS)
    assert door.look(signals, at(0)) == Close(at(3), why)
    assert (door.open, door.why, door.closed_since) == (False, why, at(0))


def test_the_door_is_renewed_while_the_signal_lasts_and_reopens_after_calm_looks() -> None:
    door = Door(LIMITS)
    door.look(Signals(0.6, None), at(0))
    assert door.look(Signals(0.6, None), at(1)) == Close(at(4), "loop_lag")
    # Below the limit but above 80 % of it: still closed, the calm count not started.
    assert door.look(Signals(0.45, None), at(2)) == Close(at(5), "loop_lag")
    assert door.look(CALM, at(3)) == Close(at(6), "loop_lag")
    assert door.look(CALM, at(4)) == Close(at(7), "loop_lag")
    assert door.look(CALM, at(5)) == Reopen()
    assert (door.open, door.why, door.closed_since) == (True, "", None)
    assert door.look(CALM, at(6)) is None


def test_a_relapse_restarts_the_calm_count() -> None:
    door = Door(LIMITS)
    door.look(Signals(0.6, None), at(0))
    door.look(CALM, at(1))
    door.look(CALM, at(2))
    assert isinstance(door.look(Signals(0.6, None), at(3)), Close)
    assert isinstance(door.look(CALM, at(4)), Close)
    assert isinstance(door.look(CALM, at(5)), Close)
    assert door.look(CALM, at(6)) == Reopen()


def test_a_limit_of_zero_and_an_unknown_cpu_are_not_watched() -> None:
    off = Limits(max_loop_lag=0.0, max_asterisk_cpu=0.0)
    assert past_limits(Signals(99.0, 1.0), off) == []
    assert past_limits(Signals(0.0, None), LIMITS) == []


def test_the_door_logs_each_change_once(caplog: pytest.LogCaptureFixture) -> None:
    door = Door(LIMITS)
    caplog.set_level("INFO", "callcenter.domain.admission")
    for second in range(5):
        door.look(Signals(0.6, None), at(second))
    for second in range(5, 8):
        door.look(CALM, at(second))
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "open -> closed (loop_lag" in messages[0]
    assert "-> open after 7 s" in messages[1]


def test_counts_by_outcome_and_the_not_admitted_by_reason() -> None:
    counts = Counts()
    counts.add(Outcome.ADMITTED)
    counts.add(Outcome.CALLBACK, "calls")
    counts.add(Outcome.REFUSED, "rate")
    counts.add(Outcome.REFUSED, "rate")
    assert counts.by_outcome == {Outcome.ADMITTED: 1, Outcome.CALLBACK: 1, Outcome.REFUSED: 2}
    assert counts.by_reason == {"calls": 1, "rate": 2}


def test_one_late_look_is_not_overload() -> None:
    door = Door(Limits(max_loop_lag=0.5, max_asterisk_cpu=0.9, past_looks=2))
    assert door.look(Signals(0.6, None), at(0)) is None
    assert door.look(CALM, at(1)) is None
    assert door.look(Signals(0.6, None), at(2)) is None
    assert door.look(Signals(0.6, None), at(3)) == Close(at(6), "loop_lag")
