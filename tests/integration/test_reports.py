"""Reports on real calls: SIPp callers with known timings in the reports queue (answered
after a known ring, abandoned before and after the short-abandon threshold, sent on after
the queue's max wait), every figure compared with what the callers' own clocks say, the
same figures on the live board, and the day checked against Asterisk's queue_log; then a
call the daemon never saw (it was down) rebuilt from the queue_log."""

from __future__ import annotations

import csv
import io
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from callcenter.cli import main
from callcenter.domain.tickets import Role
from callcenter.secrets import load_or_create_secrets
from tests.support.axe import page_loaded, violations
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import PHONE_IP, Sipp
from tests.support.sipp_scenarios import busy_agent_scenario
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

AGENT = "1087"
TOLERANCE = 1.5  # s: SIP setup and the handoff to the queue are on the callers' clocks too


@pytest.fixture
def reports_agent(instance: Instance) -> Iterator[str]:
    """Agent 1087, the only one skilled in "reports"; yields the SIP password."""
    cli = CliRunner()
    added = cli.invoke(
        main,
        ["agents", "add", "Rita Report", "--ext", AGENT, "--skills", "reports"],
        env=instance.env,
    )
    assert added.exit_code == 0, added.output
    yield load_or_create_secrets(instance.config.state_dir, ()).agent_passwords[AGENT]
    cli.invoke(main, ["agents", "remove", AGENT], env=instance.env)


def _report(daemon: DaemonProcess, token: str, query: str = "") -> Any:
    return api_call(daemon, token, "GET", f"/reports/queues?queue=reports&interval=day{query}")


def _calls(daemon: DaemonProcess, token: str, outcome: str) -> list[dict[str, Any]]:
    which = f"&outcome={outcome}" if outcome else ""  # none given: every outcome
    body = api_call(daemon, token, "GET", f"/reports/calls?queue=reports{which}")
    return list(body["items"])


def test_figures_match_the_callers_clocks_the_board_and_the_queue_log(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, reports_agent: str
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    api_call(daemon, lead, "POST", f"/agents/{AGENT}/login")
    ring = 3.0
    port = sipp.register_agent(AGENT, reports_agent)
    phone = sipp.start(
        f"agent-{AGENT}",
        busy_agent_scenario(talk_for=2.0, ring_for=ring),  # rings 3 s, talks 2 s, hangs up
        port=port,
        timeout=60,
        local_ip=PHONE_IP,
    )
    answered = new_caller("79158")
    sipp.call(instance.config.dialplan.virtual_number, answered, bye_timeout=30).assert_ok(40)
    phone.assert_ok(40)
    api_call(daemon, lead, "POST", f"/agents/{AGENT}/logout")  # nobody answers from now on

    short, late, overflowed = new_caller("79158"), new_caller("79158"), new_caller("79158")
    number = instance.config.dialplan.virtual_number
    sipp.call(number, short, hangup_after=1.0).assert_ok(30)
    sipp.call(number, late, hangup_after=5.0).assert_ok(30)
    sipp.call(number, overflowed, bye_timeout=30).assert_ok(40)  # 8 s, then goodbye

    report = until(
        lambda: (r := _report(daemon, lead))["total"]["offered"] == 4 and r,
        15,
        what="the four calls in the report",
    )
    total = report["total"]
    assert (total["answered"], total["abandoned"], total["short_abandoned"]) == (1, 1, 1)
    assert total["overflowed"] == 1
    # Answered within 5 s: one of the three calls counted (the short abandon is not).
    assert total["service_level"] == pytest.approx(1 / 3)
    assert total["abandonment_rate"] == pytest.approx(1 / 3)
    assert total["average_speed_of_answer"] == pytest.approx(ring, abs=TOLERANCE)
    assert total["longest_wait"] == pytest.approx(8.0, abs=TOLERANCE)
    assert total["target_met"] is False

    waits = {c["caller"]: c["wait"] for c in _calls(daemon, lead, "")}
    assert waits[answered] == pytest.approx(ring, abs=TOLERANCE)
    assert waits[short] == pytest.approx(1.0, abs=TOLERANCE)
    assert waits[late] == pytest.approx(5.0, abs=TOLERANCE)
    assert waits[overflowed] == pytest.approx(8.0, abs=TOLERANCE)
    assert [c["caller"] for c in _calls(daemon, lead, "abandoned")] == [late]
    assert [c["caller"] for c in _calls(daemon, lead, "short_abandoned")] == [short]
    assert [c["caller"] for c in _calls(daemon, lead, "overflowed")] == [overflowed]

    # The board's "today" is the same tally.
    board = api_call(daemon, lead, "GET", "/queues/live")
    today = next(q for q in board["queues"] if q["queue"] == "reports")["today"]
    assert (today["offered"], today["answered"], today["abandoned"]) == (4, 1, 1)
    assert today["service_level"] == pytest.approx(total["service_level"])

    # The agent's time: logged in, rung, talked ~2 s.
    agents = api_call(daemon, lead, "GET", f"/reports/agents?agent={AGENT}")["agents"]
    rita = next(a for a in agents if a["agent"] == AGENT)
    assert rita["answered"] == 1
    assert rita["logins"] >= 1
    assert rita["talk"] == pytest.approx(2.0, abs=TOLERANCE)

    # Asterisk's own queue_log agrees, call by call.
    check = api_call(daemon, lead, "GET", "/reports/verify")
    mine = [d for d in check["differences"] if d["queue"] == "reports"]
    assert mine == [], mine
    verified = CliRunner().invoke(main, ["report", "verify"], env=instance.env)
    assert verified.exit_code == 0, verified.output

    # The abandoned caller is called back from the list (through the toll-fraud guard).
    made = api_call(daemon, lead, "POST", "/callbacks", {"queue": "reports", "number": late})
    assert made["number"] == f"+{late}"  # as E.164
    until(
        lambda: _report(daemon, lead)["counts"]["callback.requested"] >= 1,
        10,
        what="the callback in the report's counts",
    )

    # The export: every call, a cell a spreadsheet would run is quoted.
    request = urllib.request.Request(  # noqa: S310 (loopback test server)
        f"{daemon.url}/api/v1/reports/calls/csv?queue=reports",
        headers={"Authorization": f"Bearer {lead}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        assert answer.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.read().decode())))
    assert {r["caller"] for r in rows} == {answered, short, late, overflowed}


def test_a_call_the_daemon_never_saw_is_rebuilt_from_the_queue_log(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    caller = new_caller("79158")
    daemon.stop()
    try:
        # Without the daemon, the dialplan's fallback queue takes the call; nobody answers.
        sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=4).assert_ok(30)
    finally:
        daemon.start()
    rows = until(
        lambda: [
            c
            for c in api_call(daemon, lead, "GET", "/reports/calls?queue=fallback")["items"]
            if c["caller"].endswith(caller)
        ],
        15,
        what="the fallback call rebuilt from the queue_log",
    )
    assert rows[0]["source"] == "queue_log"
    assert rows[0]["outcome"] in ("abandoned", "short_abandoned")
    assert rows[0]["wait"] == pytest.approx(4.0, abs=TOLERANCE + 0.5)


def test_the_reports_page_draws_the_day_and_lists_whom_to_call_back(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/reports")
    page_loaded(browser)
    Select(browser.find_element(By.ID, "queue")).select_by_value("reports")
    Select(browser.find_element(By.ID, "interval")).select_by_value("15m")
    browser.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
    offered = "return document.querySelector('#total-offered dd')?.textContent || '0'"
    until(
        lambda: int(browser.execute_script(offered)) >= 4,
        15,
        what="the reports queue's day on the page",
    )
    assert browser.find_elements(By.CSS_SELECTOR, "#series rect.bar")
    assert browser.find_elements(By.CSS_SELECTOR, "#waits rect.abandoned")
    assert browser.find_elements(By.CSS_SELECTOR, "#heatmap rect.cell")
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#calls button.call-back"),
        10,
        what="the abandoned callers, each with a call-back button",
    )
    href = browser.find_element(By.ID, "calls-csv").get_attribute("href")
    assert "/api/v1/reports/calls/csv" in href
    assert "queue=reports" in href
    assert violations(browser) == []


def test_a_queue_over_its_limit_raises_an_alert_on_the_board_then_clears_it(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = instance.config.dialplan.virtual_number
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/supervisor")
    page_loaded(browser)
    # Two callers wait in reports at once (its limit: one), nobody to answer them.
    calls = [sipp.call(number, new_caller("79158"), hangup_after=6.0) for _ in range(2)]
    alert = until(
        lambda: [
            a
            for a in api_call(daemon, lead, "GET", "/reports/alerts")["items"]
            if (a["rule"], a["subject"]) == ("waiting", "reports")
        ],
        15,
        what="the waiting alert",
    )
    assert alert[0]["value"] == 2
    assert alert[0]["limit"] == 1
    banner = '#target-alerts p[data-rule="waiting"][data-subject="reports"]'
    until(lambda: browser.find_elements(By.CSS_SELECTOR, banner), 10, what="the board's banner")
    for call in calls:
        call.assert_ok(30)
    until(
        lambda: (
            not any(
                a["subject"] == "reports" and a["rule"] == "waiting"
                for a in api_call(daemon, lead, "GET", "/reports/alerts")["items"]
            )
        ),
        15,
        what="the alert to clear",
    )
    until(lambda: not browser.find_elements(By.CSS_SELECTOR, banner), 10, what="the banner to go")
    assert "alert raised: waiting of reports is 2 (limit 1)" in daemon.log()
