"""The screen pop reaches the agent's desk page (headless Chromium) before they answer."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.app import ticket_store
from callcenter.app.assembly import SystemClock
from callcenter.domain.articles import Article
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import (
    Direction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
    Role,
)
from callcenter.services.articles import Articles
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.articles import SqlArticles
from callcenter.store.db import make_engine, make_sessions
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import desk_connected, sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk


HOSTILE_NAME = 'Anna <img src=x onerror="window.__xss=1">'


def _text(browser: Any, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).text)


def _state(browser: Any) -> str:
    return str(browser.find_element(By.ID, "state").get_attribute("class"))


def test_the_desk_shows_the_caller_history_and_ivr_path_before_answer(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    engine = make_engine(instance.config.database_url)
    sessions = make_sessions(engine)
    store = ticket_store(instance.config, sessions)
    national = "9167770011"
    anna = asyncio.run(
        store.create_customer(
            NewCustomer(HOSTILE_NAME, (ContactPoint(ContactKind.PHONE, f"+7{national}"),))
        )
    )
    ticket = asyncio.run(
        store.create_ticket(NewTicket("Parcel lost <b>now</b>", anna.id, tags=("parcel",)))
    )
    # The knowledge base: the article for a lost parcel must come first for this call.
    articles = Articles(SqlArticles(sessions), SystemClock())
    parcel = asyncio.run(
        articles.define(
            Article(0, "pop-lost-parcel", "A parcel that did not arrive", "Ask the courier first."),
            "olga",
        )
    )
    asyncio.run(
        articles.define(Article(0, "pop-router", "Resetting the router", "Unplug it."), "olga")
    )
    note = NewInteraction(
        InteractionKind.HANDOFF_NOTE, Direction.INTERNAL, "courier calls her back at 18:00", "olga"
    )
    asyncio.run(store.append_interaction(ticket.number, note))
    engine.dispose()

    sign_in(browser, instance, daemon, Role.AGENT, "1001")  # lands on the desk
    until(lambda: desk_connected(browser), 10, what="desk ready")

    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"], ring_for=3.0)
    caller = sipp.call(
        instance.config.dialplan.virtual_number,
        f"8{national}",
        digits=DEMO_TO_SUPPORT,
        hangup_after=8,
    )
    until(lambda: _state(browser) == "ringing", 30, what="the desk to ring")
    popped = time.monotonic()
    # Customer text is text: the markup shows as typed and nothing of it ran.
    assert HOSTILE_NAME in _text(browser, "caller")
    assert "Parcel lost <b>now</b>" in _text(browser, "tickets")
    assert browser.execute_script("return window.__xss === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "#pop img, #pop b")
    assert "courier calls her back at 18:00" in _text(browser, "recent")
    first = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#suggested li"), 10, what="suggestions"
    )
    assert first[0].get_attribute("data-article") == str(parcel.id)  # from the ticket's tag
    ivr = _text(browser, "ivr")
    assert "choose_language: pressed:1" in ivr
    assert "main_menu: pressed:2" in ivr

    until(lambda: _state(browser) == "on_call", 15, what="the answer on the desk")
    answered = time.monotonic()
    assert answered - popped > 1.5  # the agent's phone rang 3 s: the pop came first
    assert _text(browser, "ticket") == f"ticket #{ticket.number}"  # the call joined it

    caller.assert_ok(40)
    agent.assert_ok(40)
    until(lambda: _state(browser) == "wrap_up", 15, what="wrap-up on the desk")
    pops = re.findall(r"screen pop to 1001 \((\d+) page\(s\)\)", daemon.log())
    assert pops
    assert int(pops[-1]) >= 1  # the page open in Chromium got it

    # The queue call is on the ticket with the agent, the wait and the talk time.
    def answered_call() -> dict[str, Any] | None:
        engine = make_engine(instance.config.database_url)
        try:
            view = asyncio.run(
                ticket_store(instance.config, make_sessions(engine)).get_ticket(ticket.number)
            )
        finally:
            engine.dispose()
        calls = [i for i in view.timeline if i.kind is InteractionKind.CALL]
        done = [dict(c.data) for c in calls if c.data.get("queue_outcome") == "answered"]
        return done[0] if done else None

    data = until(answered_call, 15, what="the answered queue call on the ticket")
    assert (data["agent"], data["queue"]) == ("1001", "support")
    assert data["wait"] >= 2
    assert data["talk"] >= 1


def test_the_desk_needs_a_signed_in_staff_member(
    daemon: DaemonProcess, instance: Instance, browser: Any
) -> None:
    browser.get(f"{daemon.url}/signin")
    browser.delete_all_cookies()
    engine = make_engine(instance.config.database_url)
    _, chat = SqlApiKeys(make_sessions(engine)).create_token("chat", Role.INTEGRATION)
    engine.dispose()
    browser.get(f"{daemon.url}/agents/1001/desk?token={chat}")  # tokens in URLs open nothing
    until(lambda: "/signin" in browser.current_url, 10, what="the sign-in page")
    assert browser.find_element(By.ID, "signin").text == "Sign in"
