"""Quality review in Chromium against the real daemon: a supervisor scores a recorded call
while listening, pins a comment at 00:42, submits, cannot edit it, supersedes it with a
reason; a second grader's evaluation shows their difference (calibration); the agent sees
their evaluation and disputes it. Pages axe-clean."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded, violations
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.quality import reviewable_call
from tests.support.recordings import recording_of
from tests.support.rtp_audio import tone_pcap
from tests.support.sipp import PHONE_IP, Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, holding_agent_scenario
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

SECTIONS = [
    {"title": "Opening", "criteria": [
        {"id": "greeting", "text": "Greeted and said their name", "kind": "yes_no",
         "auto": "greeting"},
        {"id": "closing", "text": "Asked the closing question", "kind": "yes_no",
         "auto": "closing"},
    ]},
    {"title": "Resolution", "criteria": [
        {"id": "solved", "text": "Solved the problem", "kind": "scale", "scale": 5, "weight": 2},
    ]},
]  # fmt: skip


def click(browser: Any, css: str) -> None:
    browser.find_element(By.CSS_SELECTOR, css).click()


def rows(browser: Any) -> list[Any]:
    return browser.find_elements(By.CSS_SELECTOR, "#evaluations-table tr[data-evaluation]")


def test_a_call_is_scored_superseded_calibrated_and_disputed(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    recording = reviewable_call(instance.config, f"{new_caller()[-9:]}.42", "1001", 60.0)
    form = api_call(daemon, lead, "POST", "/scorecards", {"name": "Calls", "sections": SECTIONS})

    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/recordings/{recording}/review")
    page_loaded(browser)
    browser.find_element(By.ID, "form-pick").send_keys(f"Calls v{form['version']}")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#transcript li")) >= 8
    # The checks from the transcript pre-fill their criteria: the closing question was asked.
    closing = browser.find_element(By.CSS_SELECTOR, 'input[name="c-closing"][value="yes"]')
    assert closing.is_selected()
    until(
        lambda: browser.execute_script("return document.getElementById('player').readyState >= 1"),
        10, what="the recording's audio",
    )  # fmt: skip
    browser.execute_script("document.getElementById('player').currentTime = 42")
    browser.find_element(By.ID, "comment-text").send_keys("did not say their name")
    click(browser, "#comment-add")
    assert browser.find_element(By.CSS_SELECTOR, "#comments li").get_attribute("data-at") == "42"
    click(browser, 'input[name="c-greeting"][value="no"]')
    click(browser, 'input[name="c-solved"][value="4"]')
    click(browser, "#submit")
    first = until(lambda: rows(browser), 10, what="the evaluation in the table")[0]
    evaluation = int(first.get_attribute("data-evaluation"))
    # Submitted means final: no control edits it; the only one supersedes it.
    assert not first.find_elements(By.CSS_SELECTOR, "button:not(.supersede), input")
    first.find_element(By.CSS_SELECTOR, "button.supersede").click()
    click(browser, 'input[name="c-greeting"][value="yes"]')
    click(browser, "#submit")  # no reason given
    until(lambda: "reason" in browser.find_element(By.ID, "form-error").text, 10,
          what="the missing reason named")  # fmt: skip
    browser.find_element(By.ID, "supersede-reason").send_keys("heard the name at 00:03")
    click(browser, "#submit")
    until(lambda: len(rows(browser)) == 2, 10, what="the superseding evaluation")
    old = browser.find_element(By.CSS_SELECTOR, f'tr[data-evaluation="{evaluation}"]')
    assert "superseded" in (old.get_attribute("class") or "")
    assert "heard the name at 00:03" in browser.find_element(By.ID, "evaluations-table").text

    # A second grader scores the same call: the spread per criterion shows where they differ.
    admin = api_token(instance, Role.ADMIN)
    api_call(daemon, admin, "POST", "/evaluations",
             {"recording_id": recording, "scorecard_id": form["id"],
              "answers": {"greeting": False, "closing": True, "solved": 2}})  # fmt: skip
    browser.refresh()
    page_loaded(browser)
    spread = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, '#spread-table [data-criterion="greeting"]'),
        10, what="the calibration table",
    )[0]  # fmt: skip
    assert "100" in spread.text  # one said yes, the other no
    assert violations(browser) == []

    # The agent sees their evaluations and disputes one, saying why.
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    browser.get(f"{daemon.url}/evaluations")
    page_loaded(browser)
    mine = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "tr[data-evaluation] button.dispute"),
        10, what="the agent's evaluations",
    )  # fmt: skip
    row = mine[0].find_element(By.XPATH, "./ancestor::tr")
    row.find_element(By.CSS_SELECTOR, "input.dispute-reason").send_keys("the caller cut me off")
    mine[0].click()
    until(lambda: browser.find_elements(By.CSS_SELECTOR, "tr.disputed"), 10,
          what="the dispute recorded")  # fmt: skip
    assert violations(browser) == []
    disputed = [e for e in api_call(daemon, lead, "GET", "/evaluations?agent=1001")["items"]
                if e["response"] == "disputed"]  # fmt: skip
    assert disputed[0]["dispute"] == "the caller cut me off"


def test_a_hold_on_a_real_call_is_measured_for_the_review(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    """The agent's phone puts the caller on hold (re-INVITE sendonly) for 6 s of a call of
    about 9: Asterisk's Hold / Unhold reach the event log, and the review's hold check says
    the share."""
    lead = api_token(instance, Role.SUPERVISOR)
    t0 = datetime.now(UTC)
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
    agent = sipp.start(
        "agent-1001", holding_agent_scenario(talk_before=2, hold_for=6, talk_after=1),
        port=port, timeout=60, local_ip=PHONE_IP,
    )  # fmt: skip
    # The caller's phone sends audio all along, on hold too, as a phone does (with
    # nothing on the wire either way the recording would look cut short).
    says = tone_pcap(sipp.work_dir / "caller.pcap", 440.0, 25)
    call = sipp.call(instance.config.dialplan.virtual_number, new_caller(),
                     digits=DEMO_TO_SUPPORT, audio=str(says), bye_timeout=40)  # fmt: skip
    agent.assert_ok(40)
    call.assert_ok(40)
    rec = until(lambda: recording_of(daemon, lead, "1001", "complete", t0), 30,
                what="the held call's recording")  # fmt: skip
    review = api_call(daemon, lead, "GET", f"/recordings/{rec['id']}/review")
    held = review["checks"]["hold"]
    assert held["passed"] is False, held  # 6 s of about 9 is over 20 %
    share = int(held["found"].split("on hold ", 1)[1].split("%", 1)[0])
    assert 45 <= share <= 85, held
