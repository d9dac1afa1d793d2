"""Real callers (SIPp, RFC 4733 digits) walking the shipped demo flow on the real Asterisk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callcenter.domain.calls import CallOutcome
from tests.support.calls import call_record, ended_call, new_caller, path_nodes
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def number(instance: Instance) -> str:
    return instance.config.dialplan.virtual_number


def test_caller_picks_english_then_support_and_an_agent_answers_from_the_queue(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"])
    caller = new_caller()
    # Digits over the prompts: barge-in stops each menu prompt.
    call = sipp.call(number(instance), caller, digits=DEMO_TO_SUPPORT, hangup_after=4)
    agent.assert_ok(40)  # the support queue rang the agent and the agent talked to the caller
    call.assert_ok(40)
    record = ended_call(instance, caller)
    assert record.outcome is CallOutcome.QUEUE
    assert record.outcome_detail == "support"
    assert record.digits == "12"
    assert path_nodes(record) == [
        "main.route",
        "main.open",
        "demo.hours",
        "demo.choose_language",
        "demo.english",
        "demo.main_menu",
        "demo.support",
    ]
    assert record.ivr_path[3]["detail"] == "pressed:1"
    assert record.flow.startswith("demo@")


def test_order_status_collects_digits_in_russian_and_routes_to_support(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    caller = new_caller()
    digits = [(1.5, "2"), (1.5, "3"), (1.5, "4"), (0.8, "5"), (0.8, "8"), (0.8, "9"), (0.8, "#")]
    call = sipp.call(number(instance), caller, digits=digits, hangup_after=8)
    call.assert_ok(60)
    record = ended_call(instance, caller)
    assert (record.outcome, record.outcome_detail) == (CallOutcome.QUEUE, "support")
    steps = {step["node"]: step["detail"] for step in record.ivr_path}
    assert steps["russian"] == "ru"
    assert steps["order_status"] == "order=4589"
    assert "demo.read_back" in path_nodes(record)
    assert re.search(r"Playing 'vm-youhave\.\w+' \(language 'ru'\)", _asterisk_log(instance))


def test_invalid_digit_then_silence_retries_then_fails_over(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    caller = new_caller()
    call = sipp.call(number(instance), caller, digits=[(1.5, "1"), (1.5, "7")], hangup_after=40)
    record = ended_call(instance, caller, timeout=60)
    call.process.kill()
    call.process.wait()
    assert (record.outcome, record.outcome_detail) == (CallOutcome.QUEUE, "support")
    steps = {step["node"]: step["detail"] for step in record.ivr_path}
    # retries: 2 -> the first try and two more, then on_failure.
    assert steps["main_menu"] == "invalid:7 no-input no-input failed"


def test_out_of_hours_the_caller_hears_goodbye_and_the_daemon_hangs_up(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    caller = new_caller("1999")
    call = sipp.call(number(instance), caller, bye_timeout=30)
    call.assert_ok(40)  # we received the daemon's BYE after the goodbye prompt
    record = ended_call(instance, caller)
    assert record.outcome is CallOutcome.COMPLETED
    assert path_nodes(record)[-2:] == ["afterhours.hours", "afterhours.closed"]
    # AMI's Hangup of the caller's channel: the call is no longer on this node.
    hung_up = until(lambda: (r := call_record(instance, caller)) and r.hung_up_at and r, 10)
    assert (hung_up.node, hung_up.lost) == ("main", "")


def test_a_reload_during_a_live_call_does_not_disturb_it(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    demo = Path(instance.config.daemon.flows_dir) / "demo.yaml"
    original = demo.read_text()
    reloads = daemon.log().count("flows reloaded")
    first = new_caller()
    # This caller is in the language menu while the flow changes under it.
    live = sipp.call(number(instance), first, digits=[(4.0, "1"), (1.5, "2")], hangup_after=3)
    until(lambda: call_record(instance, first), 10, what="first call in the IVR")
    try:
        demo.write_text(original.replace('"2": support', '"2": sales'))
        until(lambda: daemon.log().count("flows reloaded") > reloads, 10, what="the reload")
        live.assert_ok(40)
        assert ended_call(instance, first).outcome_detail == "support"  # its own version

        second = new_caller()
        sipp.call(number(instance), second, digits=DEMO_TO_SUPPORT, hangup_after=3).assert_ok(40)
        assert ended_call(instance, second).outcome_detail == "sales"  # the new one
    finally:
        demo.write_text(original)
        until(lambda: daemon.log().count("flows reloaded") > reloads + 1, 10, what="restore")


def test_an_invalid_reload_is_refused_and_the_old_flow_keeps_serving(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    demo = Path(instance.config.daemon.flows_dir) / "demo.yaml"
    original = demo.read_text()
    refused = daemon.log().count("flow reload refused")
    try:
        demo.write_text(original.replace("goto: choose_language", "goto: choose_lang"))
        until(lambda: daemon.log().count("flow reload refused") > refused, 10, what="the refusal")
        assert "demo.yaml:" in daemon.log()
        assert "[unknown-node]" in daemon.log()
        caller = new_caller()
        sipp.call(number(instance), caller, digits=DEMO_TO_SUPPORT, hangup_after=3).assert_ok(40)
        record = ended_call(instance, caller)
        assert (record.outcome, record.outcome_detail) == (CallOutcome.QUEUE, "support")
    finally:
        demo.write_text(original)


def test_an_uploaded_prompt_is_played_to_the_caller(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    caller = new_caller("1777")
    sipp.call(number(instance), caller, bye_timeout=20).assert_ok(30)
    record = ended_call(instance, caller)
    assert path_nodes(record)[-1] == "prompted.greet"
    played = re.search(r"Playing '([^']*/prompts/en/welcome)\.\w+'", _asterisk_log(instance))
    assert played, "Asterisk did not play the uploaded prompt"


def _asterisk_log(instance: Instance) -> str:
    return (instance.sandbox.instance_dir / "log" / "messages.log").read_text(errors="replace")
