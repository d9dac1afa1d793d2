"""Callbacks that keep the caller's place, on real calls: SIPp callers wait in a queue, one
presses 1 and hangs up, a placeholder keeps their place, a SIPp agent answers calls in
queue order and the SIPp customer's phone (the "carrier" on 127.0.0.2) rings for the
callback — real Asterisk, real SQLite."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from callcenter.store.db import make_engine, make_sessions
from tests.support.calls import ended_call, new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.promises import served_promise
from tests.support.rtp_audio import rtp_pcap
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import answer_scenario, busy_agent_scenario, reject_scenario
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

ASK = ((8.0, "1"),)  # in the queue (after the offer), the caller presses 1


def mobile() -> str:
    """A fresh Russian mobile number (the test router sends 7916… to the callbacks queue)."""
    return "7916" + new_caller()[-7:]


def waiting(instance: Instance, count: int) -> bool:
    shown = instance.asterisk_cli("queue show callbacks")
    found = re.search(r"has (\d+) calls", shown)
    return found is not None and int(found[1]) == count


def invites(run: SippRun) -> list[str]:
    """The caller ids of the INVITEs a SIPp phone received, in order."""
    text = run.log.with_suffix(".messages").read_text(errors="replace")
    return re.findall(r"^INVITE sip:[^\n]*\n(?:[^\n]+\n)*?From: [^<]*<sip:\+?(\d+)@", text, re.M)


def callback_of(daemon: DaemonProcess, token: str, number: str) -> dict[str, Any] | None:
    items = api_call(daemon, token, "GET", "/callbacks?queue=callbacks&limit=50")["items"]
    return next((c for c in items if c["number"] == f"+{number}"), None)


def test_a_callback_keeps_the_callers_place_and_the_promise_is_kept(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    first, asker, later = mobile(), mobile(), mobile()
    heard_from = (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size
    service = instance.config.dialplan.virtual_number
    # Nobody answers yet: the first caller waits.
    call_first = sipp.call(service, first, bye_timeout=120)
    until(lambda: waiting(instance, 1), 20, what="the first caller in the queue")
    # The second presses 1, keeps their caller id (no answer to "press 1"), hears the
    # promise and is hung up on.
    call_asker = sipp.call(service, asker, digits=ASK, bye_timeout=60)
    call_asker.assert_ok(70)
    request = until(lambda: callback_of(daemon, lead, asker), 10, what="the callback request")
    assert request["state"] == "waiting"
    assert request["attempts"] == 1
    promise = api_call(daemon, lead, "GET", f"/callbacks/{request['id']}")["promise"]
    assert promise["state"] == "open"
    # Predicted, then promised: the queue played forward (one caller ahead, nobody logged
    # in yet, no past predictions: the roster's wider range, said as such).
    assert promise["basis"] in ("roster", "measured")
    assert promise["made_at"] < promise["expected_at"] <= promise["due_at"]
    if promise["earliest_at"] is not None:
        assert promise["earliest_at"] < promise["due_at"]
    # Told with Asterisk's say files: "thank you … today|tomorrow at …".
    log = instance.sandbox.instance_dir / "log" / "messages.log"
    with log.open("rb") as f:
        f.seek(heard_from)
        heard = f.read().decode(errors="replace")
    assert re.search(r"Playing 'to-call-this-number\.", heard)
    assert re.search(r"Playing 'digits/(today|tomorrow)\.", heard)
    assert re.search(r"Playing 'digits/at\.", heard)
    # The placeholder waits in the second place; a caller who comes later is behind it.
    until(lambda: waiting(instance, 2), 20, what="the placeholder in the queue")
    call_later = sipp.call(service, later, bye_timeout=120)
    until(lambda: waiting(instance, 3), 20, what="the later caller in the queue")
    # The customer's phone and an agent who takes three calls, 8 s each.
    customer = sipp.start(
        "customer",
        answer_scenario(talk_until_bye=60, ring_for=1),
        port=instance.customer_port,
        local_ip=TRUNK_IP,
        timeout=120,
    )
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
    agent = sipp.start(
        "agent-1001",
        busy_agent_scenario(8),
        port=port,
        local_ip=PHONE_IP,
        load=("-m", "3"),
        timeout=120,
    )
    agent.assert_ok(110)
    customer.assert_ok(30)
    call_first.assert_ok(30)
    call_later.assert_ok(30)
    assert invites(agent) == [first, asker, later]  # the place was kept
    # The customer's phone shows the queue's number (queues.yaml caller_id), not the
    # agent's extension.
    assert invites(customer) == ["74951110000"]
    done = until(
        lambda: (c := callback_of(daemon, lead, asker)) and c["state"] == "completed" and c,
        20,
        what="the callback completed",
    )
    assert done["agent"] == "1001"
    assert done["outcome"] == "ANSWER"
    kept = api_call(daemon, lead, "GET", f"/callbacks/{done['id']}")["promise"]
    assert kept["state"] == "kept"
    assert kept["slack"] > 0
    assert kept["due_at"] == promise["due_at"]  # the told time never moved
    assert kept["made_at"] < kept["closed_at"] <= kept["due_at"]  # served within the promise
    assert kept["repromised_at"] is None
    # On the asking call's ticket, with the outcome.
    record = ended_call(instance, asker)
    ticket = kept["ticket_number"]
    assert ticket is not None
    timeline = api_call(daemon, lead, "GET", f"/tickets/{ticket}")["timeline"]
    kinds = [(i["kind"], i.get("linked_id", "")) for i in timeline]
    assert ("callback", record.call_id) in kinds
    # Asking again for a number that waits (or waited) opens nothing new while open.
    status, again = api_status(
        daemon, lead, "POST", "/callbacks", {"queue": "callbacks", "number": f"+{asker}"}
    )
    assert status == 200
    assert again["id"] != done["id"]
    status, merged = api_status(
        daemon, lead, "POST", "/callbacks", {"queue": "callbacks", "number": f"+{asker}"}
    )
    assert status == 200
    assert merged["merged"]
    assert merged["id"] == again["id"]
    cancelled = api_call(daemon, lead, "DELETE", f"/callbacks/{again['id']}")
    assert cancelled["state"] == "cancelled"
    assert cancelled["promise"]["state"] == "cancelled"


def test_a_busy_customer_is_tried_again(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = mobile()
    # Busy the first time, answers the second (callbacks.retry_seconds is 3 s here).
    busy = sipp.start(
        "customer-busy",
        reject_scenario("486 Busy Here"),
        port=instance.customer_port,
        local_ip=TRUNK_IP,
        timeout=60,
    )
    status, request = api_status(
        daemon, lead, "POST", "/callbacks", {"queue": "callbacks", "number": f"+{number}"}
    )
    assert status == 200
    assert request["state"] == "waiting"
    # The agent stays on until the other side hangs up: first the placeholder's, when the
    # busy customer ends it, then the customer, who talks 3 s and hangs up.
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
    agent = sipp.start(
        "agent-1001",
        answer_scenario(talk_until_bye=40),
        port=port,
        local_ip=PHONE_IP,
        load=("-m", "2"),
        timeout=90,
    )
    busy.assert_ok(40)
    customer = sipp.start(
        "customer",
        busy_agent_scenario(3, ring_for=1),
        port=instance.customer_port,
        local_ip=TRUNK_IP,
        timeout=90,
    )
    retry = until(
        lambda: (c := callback_of(daemon, lead, number)) and c["attempts"] == 2 and c,
        20,
        what="the second attempt after busy",
    )
    assert retry["outcome"] == "BUSY"
    agent.assert_ok(80)
    customer.assert_ok(20)
    done = until(
        lambda: (c := callback_of(daemon, lead, number)) and c["state"] == "completed" and c,
        20,
        what="the second attempt",
    )
    assert done["attempts"] == 2


def test_bad_numbers_are_refused_with_the_rule_and_nothing_is_dialled(
    instance: Instance, daemon: DaemonProcess
) -> None:
    lead = api_token(instance, Role.INTEGRATION)
    for number, rule in (
        ("+78091234567", "premium_rate"),
        ("+442079460018", "in GB"),
        ("12;Dial(PJSIP/evil)", "not a phone number"),
    ):
        status, body = api_status(
            daemon, lead, "POST", "/callbacks", {"queue": "callbacks", "number": number}
        )
        assert status == 422, body
        assert rule in body["error"]["message"]
        assert body["error"]["field"] == "number"
    status, body = api_status(
        daemon, lead, "POST", "/callbacks", {"queue": "nope", "number": "+79161234567"}
    )
    assert status == 422
    assert body["error"]["field"] == "queue"


def test_the_promises_page_draws_the_days_and_cancels_a_waiting_callback(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = mobile()
    status, request = api_status(
        daemon,
        lead,
        "POST",
        "/callbacks",
        {"queue": "callbacks", "number": f"+{number}", "reason": "<b>card</b> blocked"},
    )
    assert status == 200
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/promises")
    row = until(
        lambda: browser.find_elements(By.ID, f"callback-{request['id']}"),
        10,
        what="the waiting callback on the page",
    )[0]
    cells = row.find_elements(By.TAG_NAME, "td")
    assert cells[2].text == f"+{number}"
    assert cells[6].text == "<b>card</b> blocked"  # customer text is text, never HTML
    assert not row.find_elements(By.TAG_NAME, "b")
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart rect.open")
    assert bars
    assert sum(int(b.get_attribute("data-count")) for b in bars) >= 1
    row.find_element(By.CLASS_NAME, "cancel").click()
    # A destructive action asks first, naming what it will do.
    dialog = browser.find_element(By.CSS_SELECTOR, "dialog.confirm")
    assert f"#{request['id']}" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "button.danger").click()
    until(
        lambda: (
            browser.find_element(By.ID, "status").text == f"callback #{request['id']} cancelled"
        ),
        10,
        what="the cancel",
    )
    assert not browser.find_elements(By.ID, f"callback-{request['id']}")
    assert api_call(daemon, lead, "GET", f"/callbacks/{request['id']}")["state"] == "cancelled"


def test_the_promises_page_draws_the_calibration_and_the_drift(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    # A queue whose promises of the last hour were kept too loosely: twelve served with
    # 80 % of their window left — written as the service writes them (real SQLite).
    engine = make_engine(instance.config.database_url)
    made = datetime.now(UTC) - timedelta(hours=1)
    with make_sessions(engine).begin() as s:
        for n in range(12):
            at = made - timedelta(minutes=n)
            told, served = timedelta(minutes=50), timedelta(minutes=10)
            s.add(served_promise(900000 + n, "calibrated", at, told, served))
    engine.dispose()
    lead = api_token(instance, Role.SUPERVISOR)
    found = api_call(daemon, lead, "GET", "/promises/calibration")
    mine = next(c for c in found["queues"] if c["queue"] == "calibrated")
    assert (mine["made"], mine["kept"], mine["median_left"]) == (12, 12, 0.8)
    assert {"queue": "calibrated", "figure": "median_left", "value": 0.8, "target": 0.25} in found[
        "alerts"
    ]
    # The same drift among the targets' alerts (the board's banner, alert.raised).
    raised = until(
        lambda: [
            a
            for a in api_call(daemon, lead, "GET", "/reports/alerts")["items"]
            if a["rule"] == "promise_median_left" and a["subject"] == "calibrated"
        ],
        30,
        what="the drift among the alerts",
    )[0]
    assert (raised["value"], raised["limit"]) == (80.0, 25.0)
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/promises")
    alert = until(
        lambda: [
            p
            for p in browser.find_elements(By.CSS_SELECTOR, "#calibration-alerts p")
            if p.text.startswith("calibrated:")
        ],
        10,
        what="the drift alert on the page",
    )[0]
    assert "80%" in alert.text.replace("\u202f", "").replace(" ", "")
    rows = browser.find_elements(By.CSS_SELECTOR, '#calibration tr[data-queue="calibrated"]')
    assert rows  # the queue's whole line
    assert rows[-1].get_attribute("data-hour") == "-1"
    cells = rows[-1].find_elements(By.TAG_NAME, "td")
    assert cells[7].text.startswith("50")  # told, served
    assert cells[8].text.startswith("10")
    # Drawn: the window told against the time to serve, per hour, with the values as tips.
    told = browser.find_elements(By.CSS_SELECTOR, "#calibration-chart rect.answered")
    served = browser.find_elements(By.CSS_SELECTOR, "#calibration-chart rect.abandoned")
    assert told
    assert len(told) == len(served)


def test_call_me_at_a_time_keyed_in_at_the_ivr(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = "7919" + new_caller()[-7:]
    # Six hours from now (the messages queue is open around the clock, in UTC): far
    # enough that its placeholder is not placed while the suite runs.
    at = (datetime.now(UTC) + timedelta(hours=6)).replace(second=0, microsecond=0)
    keyed = f"{at:%H%M}#"
    steps: list[tuple[str, float | str, float]] = [("tone", 0, 2.5), ("digit", "1", 0)]
    steps.append(("tone", 0, 3.0))  # "please enter …"
    for key in keyed:
        steps += [("digit", key, 0), ("tone", 0, 0.3)]
    presses = rtp_pcap(sipp.work_dir / "schedule.pcap", steps)
    heard_from = (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size
    call = sipp.call(
        instance.config.dialplan.virtual_number, number, audio=str(presses), bye_timeout=60
    )
    call.assert_ok(70)
    items = api_call(daemon, lead, "GET", "/callbacks?queue=messages&limit=50")["items"]
    request = next(c for c in items if c["number"] == f"+{number}")
    try:
        assert request["state"] == "retry"  # scheduled: no placeholder until it is due
        assert request["source"] == "ivr"
        due = datetime.fromisoformat(request["next_attempt_at"])
        assert due == at - timedelta(minutes=5)  # in the queue a little early
        promise = api_call(daemon, lead, "GET", f"/callbacks/{request['id']}")["promise"]
        assert datetime.fromisoformat(promise["due_at"]) == at + timedelta(minutes=15)
        with (instance.sandbox.instance_dir / "log" / "messages.log").open("rb") as f:
            f.seek(heard_from)
            heard = f.read().decode(errors="replace")
        assert re.search(r"Playing 'dir-pls-enter\.", heard)
        assert re.search(r"Playing 'digits/(today|tomorrow)\.", heard)
    finally:
        api_call(daemon, lead, "DELETE", f"/callbacks/{request['id']}")
