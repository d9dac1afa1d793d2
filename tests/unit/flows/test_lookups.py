"""The lookup node as data: the request it makes, the answer mapped into variables (every
field there, each a plain value) or the fallback with its reason; variables said as a
number, a date or money; the simulator's stubs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.flows import session as flow_session
from callcenter.flows.say import said
from callcenter.flows.simulate import simulate
from tests.unit.flows.test_engine import MON_NOON, digit, doc, done, flows, run

LOOKUP = doc(
    """  start:
    type: collect
    prompts: [beep]
    var: order
    max_length: 4
    next: find
  find:
    type: lookup
    endpoint: orders
    params: {order: order, from: caller}
    map: {status: status, due: delivery.date, total: total}
    timeout: 1.5
    next: say
    on_failure: sorry
  say:
    type: play
    prompts: [{say_date: due}, {say_money: total}, {say_number: total}]
    next: bye
  sorry: {type: play, prompts: [sorry], next: bye}
  bye: {type: hangup}
"""
)
SHIPPED = {"status": "shipped", "delivery": {"date": "2026-12-09"}, "total": "12.50"}


def answered(answer: dict[str, object] | None = None, error: str = "") -> flow_session.LookupDone:
    return flow_session.LookupDone(MON_NOON, answer, error)


def keyed() -> list[flow_session.Event]:
    return [done(), *(digit(d) for d in "1234")]


def test_the_node_asks_its_endpoint_with_the_callers_digits_and_number() -> None:
    session, commands = run(flows(LOOKUP), *keyed(), caller="+74951234567")
    assert session.phase == "looking"
    assert commands[-1] == flow_session.Lookup(
        "orders", {"order": "1234", "from": "+74951234567"}, 1.5
    )


def test_an_answer_sets_the_variables_and_the_next_node_says_them() -> None:
    fs = flows(LOOKUP)
    session, commands = run(fs, *keyed(), answered(SHIPPED))
    assert dict(session.vars) == {
        "order": "1234",
        "status": "shipped",
        "due": "2026-12-09",
        "total": "12.50",
    }
    play = commands[-1]
    assert isinstance(play, flow_session.Play)
    assert play.media == (
        "sound:digits/day-3",  # a Wednesday
        "sound:digits/mon-11",
        "number:9",
        "number:12",
        "sound:digits/dollars",
        "number:50",
    )
    assert [s.node for s in session.path][-2:] == ["find", "say"]
    assert session.path[-2].detail == "orders ok"


@pytest.mark.parametrize(
    ("answer", "error", "why"),
    [
        (None, "shop.internal answered 500", "shop.internal answered 500"),
        (None, "no answer within 1.5s", "no answer within 1.5s"),
        ({"status": "shipped", "total": 3}, "", "the answer has no delivery.date"),
        ({**SHIPPED, "total": {"amount": 3}}, "", "the answer's total is not a plain value"),
        (None, "", "no answer"),
    ],
)
def test_an_error_a_timeout_or_an_answer_that_does_not_fit_takes_on_failure(
    answer: dict[str, object] | None, error: str, why: str
) -> None:
    session, commands = run(flows(LOOKUP), *keyed(), answered(answer, error))
    assert session.node == "sorry"
    assert session.path[-2].detail == f"orders failed: {why}"
    assert "status" not in session.vars  # never on with half the variables
    assert commands[-1] == flow_session.Play(("sound:sorry",), "en")


def test_digits_pressed_during_the_lookup_wait_for_the_next_input_node() -> None:
    session, _ = run(flows(LOOKUP), *keyed(), digit("5"), flow_session.Timeout(MON_NOON))
    assert (session.phase, session.typeahead) == ("looking", "5")


def test_a_late_answer_after_the_node_is_left_is_ignored() -> None:
    fs = flows(LOOKUP)
    session, _ = run(fs, *keyed(), answered(SHIPPED))
    again, commands = run(fs, *keyed(), answered(SHIPPED), answered(error="late"))
    assert (again.node, commands[-1]) == (session.node, commands[-1])


@pytest.mark.parametrize(
    ("kind", "value", "language", "media"),
    [
        ("say_number", "42", "en", ["number:42"]),
        ("say_number", "soon", "en", []),
        (
            "say_date",
            "2026-12-31T10:00:00Z",
            "ru",
            ["sound:digits/day-4", "sound:digits/mon-11", "number:31"],
        ),
        ("say_date", "tomorrow", "en", []),
        ("say_money", "7", "en", ["number:7", "sound:digits/dollars"]),
        ("say_money", "1999,9", "ru", ["number:1999", "number:90"]),
        ("say_money", "-3", "en", []),
        ("say_var", "12-34", "en", ["digits:1234"]),
        ("say_var", "", "en", []),
    ],
)
def test_variables_are_said_as_what_they_are_or_not_at_all(
    kind: str, value: str, language: str, media: list[str]
) -> None:
    assert said(kind, value, language) == media


def test_the_simulator_stubs_endpoints_and_an_unstubbed_one_fails() -> None:
    fs, at = flows(LOOKUP), datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    session, lines = simulate(fs, "t", ["1234"], at, "+7495", stubs={"orders": SHIPPED})
    assert session.node == "bye"
    assert "  lookup orders?order=1234&from=+7495" in lines
    failed, lines = simulate(fs, "t", ["1234"], at, stubs={"orders": "timeout"})
    assert "endpoint answers timeout" in lines
    assert failed.path[-3].detail == "orders failed: timeout"
    unstubbed, _ = simulate(fs, "t", ["1234"], at)
    assert "no stub for 'orders'" in unstubbed.path[-3].detail
