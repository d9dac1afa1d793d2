from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.event_log import QUEUE_LOG, Leg, LoggedEvent, leg_after, queue_log_event
from callcenter.domain.reconcile import compare, legs_of

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _run(*events: LoggedEvent) -> Leg | None:
    leg = None
    for e in events:
        leg = leg_after(leg, e)
    return leg


def test_a_leg_from_joining_to_the_end_of_the_conversation() -> None:
    leg = _run(
        LoggedEvent("call.queued", T0, "1.1", "support", data={"position": 2, "caller": "7916"}),
        LoggedEvent(
            "call.answered", T0 + timedelta(seconds=7), "1.1", "support", "1001", {"wait": 7}
        ),
        LoggedEvent(
            "call.completed",
            T0 + timedelta(seconds=67),
            "1.1",
            "support",
            "1001",
            {"wait": 7, "talk": 60, "ended_by": "agent"},
        ),
    )
    assert leg == Leg("1.1", "support", T0, "answered", "7916", 2, 7.0, 60.0, 0.0, "1001", "agent")


def test_a_leg_seen_first_at_its_end_starts_its_wait_before() -> None:
    leg = _run(LoggedEvent("call.abandoned", T0, "1.2", "sales", data={"wait": 12, "position": 1}))
    assert leg is not None
    assert (leg.entered_at, leg.outcome, leg.position) == (
        T0 - timedelta(seconds=12),
        "abandoned",
        1,
    )


def test_an_answer_is_never_undone_by_a_later_abandon_or_overflow() -> None:
    answered = LoggedEvent("call.answered", T0, "1.3", "support", "1001", {"wait": 3})
    for late in ("call.abandoned", "call.overflowed"):
        leg = _run(answered, LoggedEvent(late, T0, "1.3", "support", data={"wait": 9}))
        assert leg is not None
        assert (leg.outcome, leg.wait) == ("answered", 3)


def test_events_that_are_no_leg_leave_it_alone() -> None:
    assert leg_after(None, LoggedEvent("agent.state", T0, agent="1001")) is None
    assert leg_after(None, LoggedEvent("call.entered", T0, "1.4")) is None


def test_keys_make_a_retold_change_one_row_but_keep_repeated_rings_apart() -> None:
    a = LoggedEvent("call.answered", T0, "1.5", "support", "1001")
    assert (
        a.key
        == LoggedEvent("call.answered", T0 + timedelta(seconds=1), "1.5", "support", "1001").key
    )
    ring = LoggedEvent("agent.rung", T0, "1.5", "support", "1001")
    assert (
        ring.key
        != LoggedEvent("agent.rung", T0 + timedelta(seconds=15), "1.5", "support", "1001").key
    )


# Lines as Asterisk 22's app_queue writes them (the sandbox's queue_log).
LINES = """\
1796596554|1796596551.1|support|NONE|ENTERQUEUE||89167770042|1
1796596557|1796596551.1|support|Agent 1002|CONNECT|3|1796596554.2|3
1796596560|1796596551.1|support|Agent 1002|COMPLETECALLER|3|3|1
1796596570|1796596565.3|support|NONE|ENTERQUEUE||79161112233|1
1796596571|1796596565.3|support|Agent 1001|RINGNOANSWER|15000
1796596580|1796596565.3|support|NONE|ABANDON|1|1|10
1796596590|1796596585.5|billing|NONE|ENTERQUEUE||16665550100|1
1796596608|1796596585.5|billing|NONE|EXITWITHTIMEOUT|1|1|18
1796596610|NONE|support|Agent 1002|PAUSE|lunch
1796596611|MANAGER|sales|Agent 1001|ADDMEMBER|
not a queue_log line
"""


def test_queue_log_lines_are_the_events_the_daemon_would_have_logged() -> None:
    events = [e for line in LINES.splitlines() if (e := queue_log_event(line))]
    kinds = [e.kind for e in events]
    assert kinds == [
        "call.queued",
        "call.answered",
        "call.completed",
        "call.queued",
        "agent.not_answered",
        "call.abandoned",
        "call.queued",
        "call.overflowed",
        "agent.state",
        "agent.state",
    ]
    assert all(e.source == QUEUE_LOG for e in events)
    answered, completed = events[1], events[2]
    assert (answered.agent, answered.data["wait"]) == ("1002", 3.0)
    assert completed.data == {"wait": 3.0, "talk": 3.0, "ended_by": "caller"}
    assert events[5].data == {"position": 1, "wait": 10.0}
    assert events[7].data == {"wait": 18.0, "status": "timeout"}
    assert (events[8].data["to"], events[8].data["reason"]) == ("paused", "lunch")
    assert (events[9].call_id, events[9].data["to"]) == ("", "available")


def test_the_queue_log_and_our_legs_are_compared_call_by_call() -> None:
    theirs = legs_of(e for line in LINES.splitlines() if (e := queue_log_event(line)))
    assert {k: v.outcome for k, v in theirs.items()} == {
        ("1796596551.1", "support"): "answered",
        ("1796596565.3", "support"): "abandoned",
        ("1796596585.5", "billing"): "timeout",
    }
    ours = [
        Leg("1796596551.1", "support", T0, "answered", wait=3.4),
        Leg("1796596565.3", "support", T0, "answered", wait=10.0),  # we say answered
        Leg("9.9", "support", T0, "abandoned", wait=2.0),  # the log never had it
    ]
    found = {(d.call_id, d.what, d.ours, d.theirs) for d in compare(ours, theirs)}
    assert found == {
        ("1796596565.3", "outcome", "answered", "abandoned"),
        ("1796596585.5", "missing_here", "", "timeout"),
        ("9.9", "missing_in_queue_log", "abandoned", ""),
    }


@pytest.mark.parametrize(
    "line", ["", "x|y", "abc|1.1|q|NONE|CONNECT|3", "1|1.1|q|NONE|CONFIGRELOAD|"]
)
def test_lines_of_no_figure_give_nothing(line: str) -> None:
    assert queue_log_event(line) is None


def test_a_caller_refused_at_the_door_is_no_difference() -> None:
    """app_queue writes no queue_log line for a caller it refused (the queue full, nobody to
    join): such a leg of ours is expected, not a difference; one who waited first is."""
    ours = [
        Leg("1.7", "sales", T0, "full", wait=0.0),
        Leg("1.8", "sales", T0, "no_agents", wait=0.2),
        Leg("1.9", "sales", T0, "no_agents", wait=30.0),
    ]
    assert [(d.call_id, d.what) for d in compare(ours, {})] == [("1.9", "missing_in_queue_log")]
