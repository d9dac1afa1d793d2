from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.alerts import breaches, pause_limits, step
from callcenter.domain.reports import Targets, figures, tally

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
SUPPORT = Targets(threshold=20, target=80, max_waiting=3, max_wait=60, max_abandon_rate=10)


def _today(answered_fast: int, slow: int, abandoned: int) -> dict[str, object]:
    legs = (
        [("answered", 5.0, 60.0, 0.0, "")] * answered_fast
        + [("answered", 50.0, 60.0, 0.0, "")] * slow
        + [("abandoned", 30.0, 0.0, 0.0, "")] * abandoned
    )
    return {"support": figures(tally(legs, SUPPORT), SUPPORT)}


def test_each_target_breached_is_named_with_its_value_and_limit() -> None:
    found = breaches(
        [("support", 4, 75.0), ("sales", 9, 500.0)],
        _today(answered_fast=6, slow=2, abandoned=2),  # type: ignore[arg-type]
        [("1001", "lunch", 3700.0), ("1002", "training", 99999.0)],
        lambda q: SUPPORT if q == "support" else Targets(),
        {"lunch": 3600.0},
    )
    assert found == {
        ("waiting", "support"): (4, 3),
        ("longest_wait", "support"): (75.0, 60),
        ("service_level", "support"): (60.0, 80),
        ("abandonment_rate", "support"): (20.0, 10),
        ("pause_length", "1001"): (3700, 3600.0),
    }  # sales has no limits; training has none either


def test_rates_over_too_few_calls_raise_nothing() -> None:
    found = breaches([], _today(0, 2, 2), [], lambda _q: SUPPORT, {})  # type: ignore[arg-type]
    assert found == {}


def test_an_alert_is_raised_once_and_cleared_once() -> None:
    active, raised, cleared = step({}, {("waiting", "support"): (4, 3)}, T0)
    assert [a.key for a in raised] == [("waiting", "support")]
    assert cleared == []
    later = T0 + timedelta(seconds=10)
    active, raised, cleared = step(active, {("waiting", "support"): (5, 3)}, later)
    assert raised == []
    assert cleared == []
    assert active["waiting", "support"].since == T0
    assert active["waiting", "support"].value == 5
    active, raised, cleared = step(active, {}, later)
    assert active == {}
    assert [a.key for a in cleared] == [("waiting", "support")]


@pytest.mark.parametrize("entry", ["lunch", "lunch=", "=60", "lunch=-5", "lunch=soon"])
def test_a_pause_limit_that_is_no_reason_and_minutes_names_itself(entry: str) -> None:
    with pytest.raises(ValueError, match=f"reports.pause_limits: {entry!r}"):
        pause_limits([entry])


def test_pause_limits_are_minutes() -> None:
    assert pause_limits(["lunch=60", " meeting = 90"]) == {"lunch": 3600.0, "meeting": 5400.0}
