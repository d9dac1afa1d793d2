"""Flows as data: YAML in, commands out, for every node type."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.flows import engine as e
from callcenter.flows import session as flow_session
from callcenter.flows.loader import load_flow_text
from callcenter.flows.model import Flow

MON_NOON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, a Monday
SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
HOLIDAY = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)


def flows(*texts: str) -> dict[str, Flow]:
    out = {}
    for i, text in enumerate(texts):
        flow, issues, _ = load_flow_text(text, f"f{i}.yaml")
        assert flow is not None, issues
        out[flow.name] = flow
    return out


def doc(nodes: str, name: str = "t", extra: str = "") -> str:
    return f"spec_version: 1\nname: {name}\nentry: start\n{extra}nodes:\n{nodes}"


BYE = "  bye: {type: hangup}\n"


def run(
    fs: dict[str, Flow],
    *events: flow_session.Event,
    at: datetime = MON_NOON,
    caller: str = "",
    known: bool = False,
    flow: str = "t",
) -> tuple[flow_session.Session, list[flow_session.Command]]:
    session, commands = e.start(fs, flow, flow_session.Start(at, caller, known))
    for event in events:
        session, more = e.step(fs, session, event)
        commands += more
    return session, commands


def done(at: datetime = MON_NOON) -> flow_session.PlaybackDone:
    return flow_session.PlaybackDone(at)


def digit(d: str) -> flow_session.Digit:
    return flow_session.Digit(MON_NOON, d)


def timeout() -> flow_session.Timeout:
    return flow_session.Timeout(MON_NOON)


def test_play_then_next() -> None:
    fs = flows(
        doc(
            "  start: {type: play, prompts: [beep, {digits: '42'}, {number: 7}], next: bye}\n" + BYE
        )
    )
    session, commands = run(fs, done())
    assert commands == [
        flow_session.Play(("sound:beep", "digits:42", "number:7"), "en"),
        flow_session.Finish("hangup", reason="flow ended"),
    ]
    assert [s.node for s in session.path] == ["start", "bye"]


def test_play_ignores_digits_without_barge_in_and_stops_with_it() -> None:
    plain = flows(doc("  start: {type: play, prompts: beep, next: bye}\n" + BYE))
    session, commands = run(plain, digit("5"))
    assert session.phase == "playing"
    assert commands == [flow_session.Play(("sound:beep",), "en")]
    barge = flows(doc("  start: {type: play, prompts: beep, barge_in: true, next: bye}\n" + BYE))
    _, commands = run(barge, digit("5"))
    assert commands[1] == flow_session.StopPlayback()
    assert isinstance(commands[-1], flow_session.Finish)


MENU = doc(
    "  start:\n    type: menu\n    prompts: [menu]\n    options: {'1': one, '2': two}\n"
    "    timeout: 4\n    retries: 1\n    invalid_prompts: [invalid]\n"
    "    no_input_prompts: [again]\n    on_failure: bye\n"
    "  one: {type: queue, queue: sales, priority: 3, timeout: 60, on_timeout: bye}\n"
    "  two: {type: voicemail, mailbox: '100'}\n" + BYE
)


def test_menu_waits_after_the_prompt_then_routes_by_digit() -> None:
    session, commands = run(flows(MENU), done(), digit("1"))
    assert commands == [
        flow_session.Play(("sound:menu",), "en"),
        flow_session.WaitForInput(4.0),
        flow_session.Finish("queue", "sales", 3, 60.0, "bye"),
    ]
    assert session.path[0].detail == "pressed:1"


def test_menu_digit_during_the_prompt_stops_it() -> None:
    _, commands = run(flows(MENU), digit("2"))
    assert commands[1:] == [flow_session.StopPlayback(), flow_session.Finish("voicemail", "100")]


def test_menu_invalid_then_no_input_then_failure() -> None:
    session, commands = run(flows(MENU), done(), digit("9"), done(), timeout())
    assert commands[2] == flow_session.Play(("sound:invalid", "sound:menu"), "en")
    assert commands[-1] == flow_session.Finish("hangup", reason="flow ended")
    assert session.path[0].detail == "invalid:9 no-input failed"


def test_menu_timeout_plays_the_no_input_prompt() -> None:
    _, commands = run(flows(MENU), done(), timeout())
    assert commands[-1] == flow_session.Play(("sound:again", "sound:menu"), "en")


COLLECT = doc(
    "  start:\n    type: collect\n    prompts: [enter]\n    var: order\n    min_length: 3\n"
    "    max_length: 5\n    pattern: '[1-9][0-9]*'\n    retries: 1\n    on_failure: bye\n"
    "    next: read\n"
    "  read: {type: play, prompts: [{say_var: order}], next: bye}\n" + BYE
)


def test_collect_until_terminator_and_read_back() -> None:
    session, commands = run(flows(COLLECT), done(), *map(digit, "123#"))
    assert session.vars["order"] == "123"
    assert flow_session.Play(("digits:123",), "en") in commands
    assert session.path[0].detail == "order=123"


def test_collect_stops_at_max_length() -> None:
    session, _ = run(flows(COLLECT), done(), *map(digit, "12345"))
    assert session.vars["order"] == "12345"
    assert session.node == "read"


def test_collect_timeout_with_enough_digits_accepts_them() -> None:
    session, _ = run(flows(COLLECT), done(), *map(digit, "1234"), timeout())
    assert session.vars["order"] == "1234"


def test_collect_pattern_or_length_failure_retries_then_fails() -> None:
    session, commands = run(flows(COLLECT), done(), *map(digit, "012#"), done(), *map(digit, "1#"))
    assert "order" not in session.vars
    assert session.path[0].detail == "invalid:012 invalid:1 failed"
    assert commands[-1] == flow_session.Finish("hangup", reason="flow ended")


CAL = (
    "calendars:\n  office:\n    timezone: Europe/Moscow\n"
    "    weekly: {mon: ['09:00-18:00']}\n    holidays: ['2026-12-31']\n"
)


@pytest.mark.parametrize(
    ("at", "node"), [(MON_NOON, "open"), (SUNDAY, "closed"), (HOLIDAY, "closed")]
)
def test_branch_on_business_hours(at: datetime, node: str) -> None:
    fs = flows(
        doc(
            "  start:\n    type: branch\n    cases: [{when: {open: office}, goto: open}]\n"
            "    else: closed\n  open: {type: hangup}\n  closed: {type: hangup}\n",
            extra=CAL,
        )
    )
    session, _ = run(fs, at=at)
    assert session.path[-1].node == node


def test_branch_on_caller_and_variables() -> None:
    fs = flows(
        doc(
            "  start:\n    type: set\n    vars: {tier: gold}\n    next: b\n"
            "  b:\n    type: branch\n    cases:\n"
            "      - {when: {caller_known: true}, goto: known}\n"
            "      - {when: {caller_matches: '^\\+7'}, goto: russia}\n"
            "      - {when: {var_equals: {var: tier, value: gold}}, goto: gold}\n"
            "    else: bye\n"
            "  known: {type: hangup}\n  russia: {type: hangup}\n  gold: {type: hangup}\n" + BYE
        )
    )
    assert run(fs, known=True)[0].path[-1].node == "known"
    assert run(fs, caller="+79123456789")[0].path[-1].node == "russia"
    assert run(fs, caller="+14155550100")[0].path[-1].node == "gold"


def test_language_switch_changes_prompts() -> None:
    fs = flows(
        doc(
            "  start: {type: language, language: ru, next: p}\n"
            "  p: {type: play, prompts: beep, next: bye}\n" + BYE
        )
    )
    session, commands = run(fs)
    assert commands == [flow_session.SetLanguage("ru"), flow_session.Play(("sound:beep",), "ru")]
    assert session.language == "ru"


@pytest.mark.parametrize(
    ("node", "finish"),
    [
        ("{type: callback, queue: support}", flow_session.Finish("callback", "support")),
        (
            "{type: callback, queue: support, ask_time: [dir-pls-enter, {digits: '1500'}]}",
            flow_session.Finish(
                "callback", "support", ask_time=("sound:dir-pls-enter", "digits:1500")
            ),
        ),
        ("{type: voicemail, mailbox: '100'}", flow_session.Finish("voicemail", "100")),
        ("{type: transfer, to: '1001'}", flow_session.Finish("transfer", "1001")),
        ("{type: queue, queue: sales}", flow_session.Finish("queue", "sales")),
        ("{type: hangup, prompts: goodbye}", flow_session.Finish("hangup", reason="flow ended")),
    ],
)
def test_hand_off_nodes_finish_with_their_outcome(node: str, finish: flow_session.Finish) -> None:
    session, commands = run(flows(doc(f"  start: {node}\n")))
    assert commands[-1] == finish
    assert session.outcome == finish
    assert e.step(flows(doc(f"  start: {node}\n")), session, digit("1")) == (session, [])


def test_goto_runs_another_flow() -> None:
    fs = flows(
        doc("  start: {type: goto, flow: sub}\n"),
        doc("  start: {type: play, prompts: beep, next: bye}\n" + BYE, name="sub"),
    )
    session, commands = run(fs, done())
    assert session.flow == "sub"
    assert commands[0] == flow_session.Play(("sound:beep",), "en")
    assert [s.flow for s in session.path] == ["t", "sub", "sub"]


def test_typeahead_over_a_barge_in_prompt_answers_the_next_menu() -> None:
    fs = flows(
        doc(
            "  start: {type: play, prompts: intro, barge_in: true, next: m}\n"
            "  m: {type: menu, prompts: menu, options: {'2': bye}}\n" + BYE
        )
    )
    session, _ = run(fs, digit("2"))
    assert session.outcome == flow_session.Finish("hangup", reason="flow ended")
    assert session.path[1].detail == "pressed:2"


def test_resume_at_a_node() -> None:
    fs = flows(MENU)
    _, commands = e.start(fs, "t", flow_session.Start(MON_NOON, node="two"))
    assert commands == [flow_session.Finish("voicemail", "100")]


def test_a_silent_loop_that_escaped_validation_cannot_spin() -> None:
    fs = flows(doc("  start: {type: set, vars: {a: '1'}, next: start}\n"))
    session, commands = run(fs)
    assert commands == [
        flow_session.Finish("hangup", reason=f"more than {e.MAX_HOPS} nodes without waiting")
    ]
    assert session.phase == "done"


def test_a_queue_node_asks_for_the_survey_and_the_recording_notice() -> None:
    text = doc("  start: {type: queue, queue: sales, survey: true, announce_recording: true}\n")
    _, commands = run(flows(text))
    assert commands == [flow_session.Finish("queue", "sales", announce_recording=True, survey=True)]
    plain = doc("  start: {type: queue, queue: sales}\n")
    assert run(flows(plain))[1] == [flow_session.Finish("queue", "sales")]
