"""The agent's whole flow by keyboard alone, in Russian, on a real call (SIPp through the
real Asterisk): log in, see the pop in front, wrap up with tags and a note, pause with a
reason, become available — the desk saying what the board says at each step, axe-core clean
in each state."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from callcenter.app import ticket_store
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import InteractionKind, NewCustomer, NewTicket, Role
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.staff import SqlStaff
from tests.support.axe import page_loaded, violations
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import desk_connected, sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def shortcut(browser: Any, key: str) -> None:
    """Alt+Shift+key, as the desk documents its shortcuts."""
    ActionChains(browser).key_down(Keys.ALT).key_down(Keys.SHIFT).send_keys(key).key_up(
        Keys.SHIFT
    ).key_up(Keys.ALT).perform()


def typed(browser: Any, *keys: str) -> None:
    ActionChains(browser).send_keys(*keys).perform()


def badge(browser: Any) -> tuple[str, str]:
    state = browser.find_element(By.ID, "state")
    return str(state.get_attribute("class")), str(state.text)


def board_state(daemon: DaemonProcess, lead: str, agent: str) -> str:
    live = api_call(daemon, lead, "GET", "/queues/live")
    return str({a["agent"]: a["state"] for a in live["agents"]}.get(agent, ""))


def test_the_agents_whole_flow_by_keyboard_in_russian(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    engine = make_engine(instance.config.database_url)
    sessions = make_sessions(engine)
    store = ticket_store(instance.config, sessions)
    national = "9160008042"  # no other test uses it (test_shift_handoff has 9167770042)
    customer = asyncio.run(
        store.create_customer(
            NewCustomer("Ирина", (ContactPoint(ContactKind.PHONE, f"+7{national}"),))
        )
    )
    ticket = asyncio.run(store.create_ticket(NewTicket("Посылка не пришла", customer.id)))

    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    user = browser.find_element(By.ID, "shell-user").text
    SqlStaff(sessions).set_locale_sync(user, "ru")
    browser.refresh()
    page_loaded(browser)
    until(lambda: desk_connected(browser), 10, what="the desk")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"

    # Out, then in — with no phone registered the board says unavailable, and so does the desk.
    shortcut(browser, "o")
    until(lambda: badge(browser)[1] == "не в системе", 10, what="logged out")
    assert board_state(daemon, lead, "1001") == "logged_out"
    shortcut(browser, "l")
    until(lambda: badge(browser)[1] == "недоступен", 15, what="in, phone not registered")
    assert board_state(daemon, lead, "1001") == "unavailable"
    assert violations(browser) == []

    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"], ring_for=3.0)
    until(lambda: badge(browser)[1] == "свободен", 15, what="available once the phone registered")
    assert board_state(daemon, lead, "1001") == "available"

    caller = sipp.call(
        instance.config.dialplan.virtual_number,
        f"8{national}",
        digits=DEMO_TO_SUPPORT,
        hangup_after=8,
    )
    until(lambda: badge(browser)[0] == "ringing", 30, what="the desk to ring")
    assert badge(browser)[1] == "звонок: support"
    # The pop is in front: focus is on it, a screen reader reads who calls.
    assert browser.execute_script("return document.activeElement.id") == "pop"
    assert "Ирина" in browser.find_element(By.ID, "caller").text
    assert violations(browser) == []
    until(lambda: badge(browser)[0] == "on_call", 15, what="answered")
    assert badge(browser)[1] == "разговор"
    caller.assert_ok(40)
    agent.assert_ok(40)
    until(lambda: badge(browser)[0] == "wrap_up", 15, what="wrap-up")

    # Wrap up: tags, Tab, the note, Enter.
    shortcut(browser, "w")
    assert browser.execute_script("return document.activeElement.id") == "tags"
    typed(browser, "доставка, vip", Keys.TAB, "перезвонить завтра", Keys.ENTER)
    until(lambda: browser.find_element(By.ID, "saved").text == "сохранено", 10, what="saved")
    assert violations(browser) == []
    view = asyncio.run(store.get_ticket(ticket.number))
    assert {"доставка", "vip"} <= set(view.ticket.tags)
    notes = [i.body for i in view.timeline if i.kind is InteractionKind.NOTE]
    assert "перезвонить завтра" in notes

    # Pause with the reason chosen by keyboard, then available again.
    reasons = browser.find_element(By.ID, "reason")
    reasons.send_keys(Keys.END)  # the last reason in the list
    reason = str(reasons.get_attribute("value"))
    shortcut(browser, "p")
    until(lambda: badge(browser)[1] == f"пауза ({reason})", 10, what="paused")
    assert board_state(daemon, lead, "1001") == "paused"
    shortcut(browser, "a")
    # Back to available — once any wrap-up time of the agent's queues is over (app_queue
    # rings nobody before), on the desk as on the board.
    until(lambda: badge(browser)[1] == "свободен", 15, what="available again")
    until(lambda: board_state(daemon, lead, "1001") == "available", 10, what="the board agrees")
    engine.dispose()
