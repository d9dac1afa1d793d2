"""The shift change the customer never notices, for real: agents signed in to their desks
in headless Chromium, app_queue on the real Asterisk, a SIPp customer calling.

The outgoing agent logs out with two open tickets and is asked for a note on each; writes
one; the supervisor's board flags the other. The incoming agent of the same team (a team
that must read) logs in held — paused in app_queue, even after *74 on the phone — reads
both, and only then is unpaused. The customer calls and the pop shows the note on top."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from callcenter.app import ticket_store
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import (
    Agent,
    Direction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
    Role,
)
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import NIGHT_TEAM, DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import desk_connected, sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

HOSTILE = 'Parcel <img src=x onerror="window.__xss=1">'
CUSTOMER = "Anna <script>window.__xss=2</script>"
NOTE = "Courier calls her back at 18:00; refund promised if it is lost <b>again</b>"


def _run(instance: Instance, work: Any) -> Any:
    engine = make_engine(instance.config.database_url)
    try:
        return asyncio.run(work(ticket_store(instance.config, make_sessions(engine))))
    finally:
        engine.dispose()


@pytest.fixture
def night_shift(instance: Instance, daemon: DaemonProcess) -> Iterator[str]:
    """1001 and 1002 in the night team, which reads before taking calls; afterwards both
    are back in no team, logged in and available, as every other test expects."""

    async def teams(store: SqlTicketStore, team: str) -> None:
        for ext in ("1001", "1002"):
            await store.save_agent(Agent(0, f"Agent {ext}", ext, (), team))

    _run(instance, lambda s: teams(s, NIGHT_TEAM))
    admin = api_token(instance, Role.ADMIN)
    yield admin
    _run(instance, lambda s: teams(s, ""))
    for ext in ("1001", "1002"):
        api_status(daemon, admin, "POST", f"/agents/{ext}/login")
        api_status(daemon, admin, "POST", f"/agents/{ext}/unpause")


def _text(browser: Any, css: str) -> str:
    return " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, css))


def _support(daemon: DaemonProcess, token: str) -> dict[str, Any]:
    board = api_call(daemon, token, "GET", "/queues/live")  # app_queue's QueueStatus
    queue = next(q for q in board["queues"] if q["queue"] == "support")
    return {a["agent"]: a for a in queue["agents"]}


def _member_line(instance: Instance, ext: str) -> str:
    """The agent's line in app_queue's own ``queue show support``."""
    shown = instance.asterisk_cli("queue show support")
    return next((line for line in shown.splitlines() if f"(PJSIP/{ext})" in line), "")


def test_a_shift_change_hands_over_notes_holds_the_reader_and_pops_the_note(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any, night_shift: str
) -> None:
    admin = night_shift
    national = "9167770042"

    async def seed(store: SqlTicketStore) -> tuple[int, int]:
        anna = await store.create_customer(
            NewCustomer(CUSTOMER, (ContactPoint(ContactKind.PHONE, f"+7{national}"),))
        )
        parcel = await store.create_ticket(NewTicket(HOSTILE, anna.id, assignee="1001"))
        refund = await store.create_ticket(NewTicket("Refund", anna.id, assignee="1001"))
        for t in (parcel, refund):
            chat = NewInteraction(InteractionKind.CHAT_MESSAGE, Direction.INBOUND, "where is it?")
            await store.append_interaction(t.number, chat)
        return parcel.number, refund.number

    parcel, refund = _run(instance, seed)
    api_status(daemon, admin, "POST", "/agents/1002/logout")  # 1002 went home earlier
    api_call(daemon, admin, "POST", "/agents/1001/login")  # on shift, with open tickets

    # -- the outgoing agent -----------------------------------------------------------
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    until(lambda: f"#{parcel}" in _text(browser, "#mine"), 15, what="1001's tickets on the desk")
    assert HOSTILE in _text(browser, "#mine")  # as typed: text, never HTML
    browser.find_element(By.ID, "logout").click()
    asked = f'#to-note li[data-ticket="{parcel}"], #to-note li[data-ticket="{refund}"]'
    until(lambda: len(browser.find_elements(By.CSS_SELECTOR, asked)) == 2, 15, what="notes asked")
    form = browser.find_element(By.CSS_SELECTOR, f'#to-note li[data-ticket="{parcel}"]')
    form.find_element(By.CSS_SELECTOR, "textarea").send_keys(NOTE)
    form.find_element(By.CSS_SELECTOR, "button.save-note").click()
    until(
        lambda: not browser.find_elements(By.CSS_SELECTOR, f'#to-note li[data-ticket="{parcel}"]'),
        15,
        what="the noted ticket to leave the list",
    )
    assert browser.find_elements(By.CSS_SELECTOR, f'#to-note li[data-ticket="{refund}"]')
    assert "1001" not in _support(daemon, admin)  # the logout was not held up

    # -- the supervisor -----------------------------------------------------------------
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/supervisor")
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, f'#flagged li[data-ticket="{refund}"]'),
        15,
        what="the un-noted ticket flagged on the board",
    )
    assert not browser.find_elements(By.CSS_SELECTOR, f'#flagged li[data-ticket="{parcel}"]')
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#handoffs-chart rect.ho-unread_flagged"),
        10,
        what="the handoff chart",
    )
    row = _text(browser, f"#handoff-team-{NIGHT_TEAM}")
    assert re.match(rf"{NIGHT_TEAM} (\d+) (\d+) (\d+)", row), row

    # -- the incoming agent -------------------------------------------------------------
    sign_in(browser, instance, daemon, Role.AGENT, "1002")
    until(lambda: desk_connected(browser), 15, what="1002's desk")
    browser.find_element(By.ID, "login").click()
    until(lambda: browser.find_element(By.ID, "held").is_displayed(), 15, what="held")
    items = "#to-read li[data-handoff]"
    reading = _text(browser, "#to-read")
    assert NOTE in reading
    assert HOSTILE in reading
    assert "No handoff note was left" in reading
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#to-read img, #to-read b")
    member = _support(daemon, admin)["1002"]
    assert (member["paused"], member["pause_reason"]) == (True, "handoff-reading")
    assert "paused:handoff-reading" in _member_line(instance, "1002")

    # The phone's *74 is app_queue's own: the daemon pauses the held agent again.
    phone = ("1002", instance.secrets.agent_passwords["1002"])
    sipp.call("*74", "1002", auth=phone, bye_timeout=10).assert_ok(20)
    until(
        lambda: "unpaused before reading their handoffs; held again" in daemon.log(),
        10,
        what="the re-hold",
    )
    until(lambda: _support(daemon, admin)["1002"]["paused"], 10, what="1002 paused again")

    first = browser.find_elements(By.CSS_SELECTOR, items)[0]
    first.find_element(By.CSS_SELECTOR, "button.read-one").click()
    until(lambda: "left to read" in _text(browser, "#read-state"), 10, what="one read")
    assert _support(daemon, admin)["1002"]["paused"]  # one left: still held
    last = browser.find_elements(By.CSS_SELECTOR, items)[-1]
    browser.execute_script("arguments[0].scrollIntoView()", last)
    until(lambda: browser.find_element(By.ID, "read-all").is_enabled(), 10, what="read all")
    browser.find_element(By.ID, "read-all").click()
    until(lambda: "available for calls" in _text(browser, "#read-state"), 10, what="released")
    until(lambda: not _support(daemon, admin)["1002"]["paused"], 10, what="unpaused in app_queue")
    assert "paused" not in _member_line(instance, "1002")

    # -- the customer calls: the handoff note pops first --------------------------------
    agent = sipp.agent_phone("1002", instance.secrets.agent_passwords["1002"], ring_for=3.0)
    caller = sipp.call(
        instance.config.dialplan.virtual_number,
        f"8{national}",
        digits=DEMO_TO_SUPPORT,
        hangup_after=6,
    )
    until(lambda: browser.find_element(By.ID, "pop-handoff").is_displayed(), 30, what="the pop")
    pop = browser.find_element(By.ID, "pop")
    first_section = pop.find_elements(By.CSS_SELECTOR, ":scope > section")[0]
    assert first_section.get_attribute("id") == "pop-handoff"
    assert NOTE in first_section.text
    caller.assert_ok(40)
    agent.assert_ok(40)

    # The acknowledgements are on the tickets, and the board counts them.
    async def reads(store: SqlTicketStore) -> list[str]:
        view = await store.get_ticket(refund)
        return [i.author for i in view.timeline if i.kind is InteractionKind.HANDOFF_READ]

    assert _run(instance, reads) == ["1002"]
    teams = api_call(daemon, admin, "GET", "/handoffs/teams")["teams"]
    night = next(t for t in teams if t["team"] == NIGHT_TEAM)
    assert night["acknowledged"] >= 2
    assert night["ack_median_seconds"] is not None

    # -- the ticket page: the customer, their other tickets, newest first, the forms ----
    async def call_ticket(store: SqlTicketStore) -> int | None:
        for number in (parcel, refund):
            view = await store.get_ticket(number)
            if any(i.kind is InteractionKind.CALL for i in view.timeline):
                return int(number)
        return None

    called = until(lambda: _run(instance, call_ticket), 15, what="Anna's call on her ticket")
    other = refund if called == parcel else parcel
    browser.get(f"{daemon.url}/tickets/{called}")
    until(lambda: f"#{other}" in _text(browser, "#other-tickets"), 15, what="the ticket page")
    assert _text(browser, "#customer") == CUSTOMER
    assert f"phone: +7{national}" in _text(browser, "#contacts")
    newest = browser.find_elements(By.CSS_SELECTOR, "#timeline > li")[0]
    assert newest.text.startswith("Call")  # newest first: Anna's call just now
    assert "agent 1002" in newest.text
    assert "choose_language (pressed:1)" in newest.text  # its IVR path
    assert "Handoff from 1001 read by 1002" in _text(browser, "#timeline")

    browser.get(f"{daemon.url}/tickets/{refund}")
    until(lambda: f"#{parcel}" in _text(browser, "#other-tickets"), 15, what="the refund page")
    Select(browser.find_element(By.ID, "note-kind")).select_by_value("handoff")
    browser.find_element(By.ID, "note-body").send_keys("refund sent today, <i>tell her</i>")
    browser.find_element(By.CSS_SELECTOR, "#add-note button").click()
    until(
        lambda: "refund sent today, <i>tell her</i>" in _text(browser, "#timeline"),
        10,
        what="the handoff note on the timeline",
    )
    Select(browser.find_element(By.ID, "status-field")).select_by_value("pending")
    browser.find_element(By.ID, "assignee-field").clear()
    browser.find_element(By.ID, "assignee-field").send_keys("1002")
    browser.find_element(By.ID, "tags-field").send_keys("refund, vip")
    browser.find_element(By.CSS_SELECTOR, "#change button").click()
    until(lambda: "assigned to 1002" in _text(browser, "#summary"), 10, what="the change")
    assert _text(browser, "#summary").startswith("pending")
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#timeline i, #customer script")
    flagged = api_call(daemon, admin, "GET", "/handoffs/flagged")["items"]
    assert refund not in [h["ticket"]["number"] for h in flagged]  # the late note covers it
