"""Self-service on real calls: SIPp callers key an order number, the flow's lookup node asks
a real local HTTP server (the shop's order status) and the caller hears the answer — its
status chosen by value, its date and total said; with the server slow, down, failing, or
answering nonsense or half an answer, the caller hears the fallback and the call goes on.
In Chromium, the flow editor's simulator answers the lookup from stubs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from callcenter.domain.tickets import Role
from tests.support import lookups as orders
from tests.support.axe import page_loaded, violations
from tests.support.calls import ended_call, new_caller
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp, SippRun
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk


@pytest.fixture
def shop(instance: Instance) -> Iterator[orders.OrdersServer]:
    with orders.orders_server(orders.lookup_port(instance.env, "orders")) as server:
        yield server


def keyed(order: str) -> list[tuple[float, str]]:
    """The order number and #, over the collect prompt."""
    return [(1.5, order[0]), *((0.4, d) for d in order[1:]), (0.4, "#")]


def test_the_lookup_answers_the_caller_and_every_failure_falls_back(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, shop: orders.OrdersServer
) -> None:
    log_offset = _asterisk_log_size(instance)
    cases = {
        orders.SHIPPED: "7920",
        orders.PACKED: "7920",
        orders.SLOW: "7920",
        orders.FAILING: "7920",
        orders.NONSENSE: "7920",
        orders.MISFIT: "7920",
        "down": "79209",  # the "stock" endpoint: nothing listens
    }
    calls: dict[str, tuple[str, SippRun]] = {}
    for order, prefix in cases.items():  # all at once: one lookup does not hold up another
        caller = new_caller(prefix)
        digits = keyed(orders.SHIPPED if order == "down" else order)
        calls[order] = (
            caller,
            sipp.call(
                instance.config.dialplan.virtual_number, caller, digits=digits, bye_timeout=40
            ),
        )
    for _caller, call in calls.values():
        call.assert_ok(60)  # every caller was played to the end and hung up on by us
    steps = {order: _steps(instance, caller) for order, (caller, _) in calls.items()}

    assert steps[orders.SHIPPED]["find"] == "orders ok"
    assert "shipped" in steps[orders.SHIPPED]
    assert "other" in steps[orders.PACKED]
    failures = {
        orders.SLOW: "no answer within 1s",
        orders.FAILING: "answered 500",
        orders.NONSENSE: "answered no JSON",
        orders.MISFIT: "the answer has no delivery.date",
    }
    for order, why in failures.items():
        assert why in steps[order]["find"], (order, steps[order])
        assert "sorry" in steps[order], (order, steps[order])
    assert "failed: 127.0.0.1" in steps["down"]["find_elsewhere"], steps["down"]
    assert "sorry" in steps["down"]

    # What the shipped caller heard: the date (December 9) and the total (12 dollars 50).
    heard = _asterisk_log_since(instance, log_offset)
    for sound in ("digits/mon-11", "digits/dollars", "auth-thankyou", "im-sorry"):
        assert re.search(rf"Playing '[^']*{sound}\.", heard), sound
    # The endpoint got the caller's digits and number, and the configured token.
    shipped_caller = calls[orders.SHIPPED][0]
    asked = [r for r in shop.requests if r["query"].get("order") == orders.SHIPPED]
    assert {"order": orders.SHIPPED, "from": shipped_caller} in [r["query"] for r in asked]
    assert {r["authorization"] for r in shop.requests} == {"Bearer orders-test-token"}
    # The slow endpoint cost the caller its node's timeout, and no more than 100 ms over it.
    waited = until(lambda: _lookup_ms(daemon, "no answer within 1s"), 10, what="the log")
    assert max(waited) <= 1100, waited


def _steps(instance: Instance, caller: str) -> dict[str, str]:
    record = ended_call(instance, caller)
    return {s["node"]: s["detail"] for s in record.ivr_path if s["flow"] == "lookupq"}


def _lookup_ms(daemon: DaemonProcess, outcome: str) -> list[float]:
    text = daemon.log_path.read_text(errors="replace")
    return [float(ms) for ms in re.findall(rf"lookup orders: {outcome} in (\d+) ms", text)]


def _asterisk_log_size(instance: Instance) -> int:
    return (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size


def _asterisk_log_since(instance: Instance, offset: int) -> str:
    with (instance.sandbox.instance_dir / "log" / "messages.log").open("rb") as fh:
        fh.seek(offset)
        return fh.read().decode(errors="replace")


def test_the_flow_editors_simulator_answers_lookups_from_stubs(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.ADMIN)
    browser.get(f"{daemon.url}/flows?file=lookupq.yaml")
    page_loaded(browser)
    until(
        lambda: browser.execute_script("return document.body.dataset.check || ''") == "valid",
        10,
        what="the file checked",
    )
    Select(browser.find_element(By.ID, "sim-flow")).select_by_value("lookupq")
    browser.find_element(By.ID, "sim-digits").send_keys("1234#")
    stubs = browser.find_element(By.ID, "sim-stubs")

    def simulated(text: str) -> str:
        stubs.clear()
        stubs.send_keys(text)
        browser.execute_script("document.getElementById('sim-out').textContent = ''")
        browser.find_element(By.CSS_SELECTOR, "#simulate-form button[type=submit]").click()
        return str(until(lambda: browser.find_element(By.ID, "sim-out").text, 10, what="run"))

    shipped = json.dumps({"orders": orders.ANSWERS[orders.SHIPPED]})
    out = simulated(shipped)
    assert "lookup orders?order=1234&from=" in out
    assert "sound:digits/mon-11 number:9 number:12 sound:digits/dollars number:50" in out
    assert "im-sorry" not in out
    assert "im-sorry" in simulated('{"orders": "timeout"}')
    assert "not a JSON object" in simulated("{orders: shipped")  # named, nothing sent
    assert violations(browser) == []
