from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.agent_report import StateChange, agent_times
from callcenter.domain.call_report import call_figures

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_an_agents_day_adds_up_to_login_pauses_talk_and_wrap_up() -> None:
    changes = [
        StateChange("1001", at(0), "available"),
        StateChange("1001", at(10), "ringing"),
        StateChange("1001", at(10.5), "on_call"),
        StateChange("1001", at(20.5), "wrap_up"),
        StateChange("1001", at(22.5), "available"),
        StateChange("1001", at(30), "paused", "lunch"),
        StateChange("1001", at(60), "available"),
        StateChange("1001", at(90), "logged_out"),
    ]
    t = agent_times(changes, {}, T0, at(120))["1001"]
    assert t.logged_in == pytest.approx(90 * 60)
    assert t.paused == t.by_reason["lunch"] == pytest.approx(30 * 60)
    assert (t.ringing, t.talk, t.wrap_up) == pytest.approx((30, 600, 120))
    assert t.logins == 1
    assert t.occupancy == pytest.approx(720 / (60 * 60))


def test_a_state_held_from_before_the_range_counts_from_its_start() -> None:
    before = {"1002": StateChange("1002", at(-30), "paused", "meeting")}
    t = agent_times([StateChange("1002", at(15), "available")], before, T0, at(30))["1002"]
    assert t.by_reason == {"meeting": pytest.approx(900)}
    assert t.logged_in == pytest.approx(1800)
    assert t.logins == 0


def test_nobody_logged_in_is_no_row() -> None:
    before = {"1003": StateChange("1003", at(-30), "logged_out")}
    assert agent_times([], before, T0, at(30)) == {}


def test_repeat_callers_and_ivr_containment() -> None:
    calls = [
        ("+79161112233", at(-60 * 30), "queue", "7000"),  # 30 h before: a 72 h repeat only
        ("+79161112233", at(5), "queue", "7000"),
        ("+79161112233", at(65), "completed", "7000"),  # an hour later: both
        ("anonymous", at(10), "completed", "7000"),
        ("anonymous", at(11), "abandoned", "7000"),  # withheld: never a repeat
        ("+79165556677", at(30), "abandoned", "7001"),
    ]
    f = call_figures(calls, T0, at(120))
    assert (f.calls, f.contained, f.ivr_abandoned) == (5, 2, 2)
    assert (f.repeat_24h, f.repeat_72h) == (1, 2)
    assert f.containment == pytest.approx(0.4)
