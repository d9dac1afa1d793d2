"""Paused agents are not rung; the live board reads app_queue; queue calls land with their
figures — on the real Asterisk, with SIPp agents and callers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from callcenter.cli import main
from callcenter.domain.tickets import Role
from tests.support.calls import new_caller, queue_call_on_ticket
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import PHONE_IP, Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, busy_agent_scenario
from tests.support.staff import desk_connected, sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def _support(board: Any) -> Any:
    return next(q for q in board["queues"] if q["queue"] == "support")


def _support_agents(daemon: DaemonProcess, token: str) -> dict[str, Any]:
    """The support queue's agents on the live board, by extension."""
    return {
        a["agent"]: a for a in _support(api_call(daemon, token, "GET", "/queues/live"))["agents"]
    }


def _row(browser: Any, element_id: str) -> str:
    try:
        return str(browser.find_element(By.ID, element_id).text)
    except NoSuchElementException:
        return ""


def test_a_paused_agent_is_not_rung_and_the_board_shows_why(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    paused_phone = sipp.agent_phone(
        "1001", instance.secrets.agent_passwords["1001"], talk_until_bye=20
    )
    answering = sipp.agent_phone("1002", instance.secrets.agent_passwords["1002"], ring_for=2.0)
    try:
        assert api_call(daemon, supervisor, "POST", "/agents/1001/pause", {"reason": "lunch"})[
            "paused"
        ]
        board = api_call(daemon, supervisor, "GET", "/queues/live")
        agents = {a["agent"]: a for a in _support(board)["agents"]}
        assert (agents["1001"]["state"], agents["1001"]["pause_reason"]) == ("paused", "lunch")
        assert agents["1002"]["state"] == "available"
        sign_in(browser, instance, daemon, Role.SUPERVISOR)
        browser.get(f"{daemon.url}/supervisor")
        until(
            lambda: "paused (lunch)" in _row(browser, "agent-support-1001"),
            10,
            what="the board (headless Chromium) to show 1001 paused",
        )
        assert "available" in _row(browser, "agent-support-1002")
        # The agents table: state across queues, how long paused, queues with penalties.
        until(
            lambda: re.search(r"paused \(lunch, \d+ s\)", _row(browser, "agent-1001")),
            10,
            what="1001 paused, with how long, in the agents table",
        )
        assert "support" in _row(browser, "agent-1001")

        caller = new_caller()
        call = sipp.call(
            instance.config.dialplan.virtual_number,
            caller,
            digits=DEMO_TO_SUPPORT,
            hangup_after=7,
        )
        # While 1002's phone rings, the caller waits in support and shows on the board.
        waiting = until(
            lambda: (
                _support(api_call(daemon, supervisor, "GET", "/queues/live"))["waiting"] or None
            ),
            20,
            what="the caller waiting in support",
        )
        assert waiting[0]["wait"] >= 0
        answering.assert_ok(40)
        call.assert_ok(40)
        assert paused_phone.process.poll() is None  # 1001's phone never got an INVITE
        assert "INVITE" not in (
            paused_phone.log.with_suffix(".messages").read_text(errors="replace")
            if paused_phone.log.with_suffix(".messages").exists()
            else ""
        )
    finally:
        api_call(daemon, supervisor, "POST", "/agents/1001/unpause")
        paused_phone.process.kill()
        paused_phone.process.wait()

    data = queue_call_on_ticket(instance, caller, "answered")
    assert data["agent"] == "1002"
    assert data["wait"] >= 2  # 1002's phone rang two seconds
    board = api_call(daemon, supervisor, "GET", "/queues/live")
    support = _support(board)
    assert support["today"]["answered"] >= 1
    assert {a["agent"]: a["paused"] for a in support["agents"]}["1001"] is False


def test_a_daemon_restart_mid_queue_keeps_pauses_and_waiting_callers_then_an_abandon_lands(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    for agent in ("1001", "1002"):
        api_call(daemon, supervisor, "POST", f"/agents/{agent}/pause", {"reason": "meeting"})
    caller = new_caller()
    call = sipp.call(
        instance.config.dialplan.virtual_number,
        caller,
        digits=DEMO_TO_SUPPORT,
        hangup_after=14,
    )
    try:
        until(
            lambda: (
                _support(api_call(daemon, supervisor, "GET", "/queues/live"))["waiting"] or None
            ),
            20,
            what="the caller waiting in support",
        )
        daemon.stop()
        daemon.start()
        support = _support(api_call(daemon, supervisor, "GET", "/queues/live"))
        assert [w["caller"] for w in support["waiting"]] == [caller]
        assert support["waiting"][0]["wait"] >= 1
        paused = {a["agent"]: a["pause_reason"] for a in support["agents"] if a["paused"]}
        assert paused == {"1001": "meeting", "1002": "meeting"}
        call.assert_ok(40)  # the caller gives up, 14 s in
    finally:
        for agent in ("1001", "1002"):
            api_call(daemon, supervisor, "POST", f"/agents/{agent}/unpause")

    data = queue_call_on_ticket(instance, caller, "abandoned")
    assert data["queue"] == "support"
    assert data["wait"] >= 3


def test_an_agent_pauses_and_unpauses_from_the_phone(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    phone = ("1002", instance.secrets.agent_passwords["1002"])
    training = instance.config.agents.pause_reasons.index("training") + 1
    sipp.call(f"*73{training}", "1002", auth=phone, bye_timeout=10).assert_ok(20)
    agents = _support_agents(daemon, supervisor)
    assert (agents["1002"]["paused"], agents["1002"]["pause_reason"]) == (True, "training")
    # The daemon heard it from app_queue (the code never passed through us).
    until(
        lambda: "agent 1002: available → paused (training) (pause)" in daemon.log(),
        10,
        what="the pause in the daemon's agent states",
    )
    sipp.call("*74", "1002", auth=phone, bye_timeout=10).assert_ok(20)
    agents = _support_agents(daemon, supervisor)
    assert agents["1002"]["paused"] is False


def test_an_agent_pauses_from_the_desk_page(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    sign_in(browser, instance, daemon, Role.AGENT, "1001")  # lands on the desk
    until(lambda: desk_connected(browser), 10, what="the desk")
    Select(browser.find_element(By.ID, "reason")).select_by_value("back-office")
    browser.find_element(By.ID, "pause").click()
    until(lambda: _row(browser, "presence") == "paused (back-office)", 10, what="the pause")
    agents = _support_agents(daemon, supervisor)
    assert (agents["1001"]["paused"], agents["1001"]["pause_reason"]) == (True, "back-office")
    browser.find_element(By.ID, "unpause").click()
    # No phone is registered here: the board says unavailable, and so does the desk.
    until(lambda: _row(browser, "presence") == "unavailable", 10, what="the unpause")
    agents = _support_agents(daemon, supervisor)
    assert agents["1001"]["paused"] is False

    # Log out and back in from the page: out of every queue, then back by skills.
    browser.find_element(By.ID, "logout").click()
    until(lambda: _row(browser, "presence") == "logged out", 10, what="the logout")
    assert "1001" not in _support_agents(daemon, supervisor)
    board = api_call(daemon, supervisor, "GET", "/queues/live")
    assert {a["agent"]: a["state"] for a in board["agents"]}["1001"] == "logged_out"
    browser.find_element(By.ID, "login").click()
    until(lambda: _row(browser, "presence") == "unavailable", 10, what="the login")
    assert "1001" in _support_agents(daemon, supervisor)


def test_a_full_queue_overflows_into_the_next_one(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)

    def waiting(queue: str) -> list[str]:
        board = api_call(daemon, supervisor, "GET", "/queues/live")
        return [w["caller"] for q in board["queues"] if q["queue"] == queue for w in q["waiting"]]

    first = sipp.call(instance.config.dialplan.virtual_number, "15550000001", hangup_after=10)
    until(lambda: waiting("sales") == ["15550000001"], 15, what="the first caller in sales")
    second = sipp.call(instance.config.dialplan.virtual_number, "15550000002", hangup_after=6)
    # sales holds one caller (tests/integration/queues.yaml): the second goes on to support.
    until(lambda: "15550000002" in waiting("support"), 15, what="the overflow into support")
    assert waiting("sales") == ["15550000001"]
    second.assert_ok(30)
    first.assert_ok(30)


def test_wrap_up_holds_the_agent_before_the_next_call(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    api_call(daemon, supervisor, "POST", "/agents/1002/pause", {"reason": "meeting"})
    try:
        port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
        phone = sipp.start(
            "agent-1001",
            busy_agent_scenario(talk_for=2.0),
            port=port,
            timeout=60,
            load=["-m", "2"],
            local_ip=PHONE_IP,
        )
        number = instance.config.dialplan.virtual_number
        sipp.call(number, "15550000011", bye_timeout=30).assert_ok(40)  # the agent hung up
        sipp.call(number, "15550000012", bye_timeout=30).assert_ok(40)  # at once: 4 s wrap-up
        phone.assert_ok(30)
    finally:
        api_call(daemon, supervisor, "POST", "/agents/1002/unpause")
    first = queue_call_on_ticket(instance, "15550000011", "answered")
    second = queue_call_on_ticket(instance, "15550000012", "answered")
    assert first["agent"] == second["agent"] == "1001"
    assert first["wait"] <= 2
    assert second["wait"] >= 3  # sales gives 4 s of wrap-up (tests/integration/queues.yaml)


def test_pausing_who_is_not_a_logged_in_agent_never_reaches_asterisk(
    instance: Instance, daemon: DaemonProcess
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    status, body = api_status(daemon, supervisor, "POST", "/agents/1999/pause", {"reason": "lunch"})
    assert (status, body["error"]["id"]) == (404, "not_found")
    status, body = api_status(daemon, supervisor, "POST", "/agents/%C2%B2%C2%B2/unpause")
    assert status == 404  # "²²" is no extension: only ASCII digits form one
    cli = CliRunner()
    assert (
        cli.invoke(main, ["agents", "add", "Idle", "--ext", "1066"], env=instance.env).exit_code
        == 0
    )
    try:
        status, body = api_status(
            daemon, supervisor, "POST", "/agents/1066/pause", {"reason": "lunch"}
        )
        assert (status, body["error"]["id"]) == (409, "agent_state")
        assert "logged out" in body["error"]["message"]
    finally:
        cli.invoke(main, ["agents", "remove", "1066"], env=instance.env)
