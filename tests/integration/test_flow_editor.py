"""A flow edited in the browser (headless Chromium, an admin signed in): a mistake shown at
its line, fixed, published while a real call (SIPp through the real Asterisk) is in the
flow — it keeps the version it started with, the next call takes the new one — then rolled
back by one click after a confirmation; axe-core clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded, violations
from tests.support.calls import call_record, ended_call, new_caller
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

TYPE = (
    "const t = document.getElementById('yaml'); t.value = arguments[0];"
    "t.dispatchEvent(new Event('input', {bubbles: true}));"
)


def check_state(browser: Any) -> str:
    return str(browser.execute_script("return document.body.dataset.check || ''"))


def caret_line(browser: Any) -> int:
    return int(
        browser.execute_script(
            "const t = document.getElementById('yaml');"
            "return t.value.slice(0, t.selectionStart).split('\\n').length;"
        )
    )


def test_a_flow_edited_in_the_browser_is_published_and_rolled_back_while_a_call_keeps_its_version(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    demo = Path(instance.config.daemon.flows_dir) / "demo.yaml"
    original = demo.read_text()
    number = instance.config.dialplan.virtual_number
    sign_in(browser, instance, daemon, Role.ADMIN)
    browser.get(f"{daemon.url}/flows?file=demo.yaml")
    page_loaded(browser)
    until(lambda: check_state(browser) == "valid", 10, what="the file checked")
    assert violations(browser) == []
    try:
        # A mistake: the menu's digit 2 goes to a node that does not exist.
        broken = original.replace('"2": support', '"2": suport')
        line = broken.splitlines().index('      "2": suport') + 1
        browser.execute_script(TYPE, broken)
        until(lambda: check_state(browser) == "invalid", 10, what="the mistake found")
        problem = browser.find_element(By.CSS_SELECTOR, "#problems li")
        assert problem.get_attribute("data-line") == str(line)
        assert "suport" in problem.text
        assert not browser.find_element(By.ID, "publish").is_enabled()
        problem.find_element(By.CSS_SELECTOR, "button.where").click()
        assert caret_line(browser) == line  # the click took the caret to it
        assert violations(browser) == []

        # Fixed (to sales), published while a caller is in the language menu.
        browser.execute_script(TYPE, original.replace('"2": support', '"2": sales'))
        until(lambda: check_state(browser) == "valid", 10, what="the fix checked")
        first = new_caller()
        live = sipp.call(number, first, digits=[(4.0, "1"), (1.5, "2")], hangup_after=3)
        until(lambda: call_record(instance, first), 10, what="the first call in the IVR")
        browser.find_element(By.ID, "note").send_keys("digit 2 to sales")
        browser.find_element(By.ID, "publish").click()
        until(
            lambda: "published as version" in browser.find_element(By.ID, "publish-state").text,
            10,
            what="published",
        )
        assert '"2": sales' in demo.read_text()
        live.assert_ok(40)
        assert ended_call(instance, first).outcome_detail == "support"  # its own version
        second = new_caller()
        sipp.call(number, second, digits=DEMO_TO_SUPPORT, hangup_after=3).assert_ok(40)
        assert ended_call(instance, second).outcome_detail == "sales"  # the new one

        # The versions: compare, then roll back to the one before (after a confirmation).
        rows = browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
        assert "digit 2 to sales" in rows[0].text
        rows[0].find_element(By.CSS_SELECTOR, "button.compare").click()
        diff = until(lambda: browser.find_element(By.ID, "diff").text, 10, what="the diff")
        assert '-      "2": support' in diff
        assert '+      "2": sales' in diff
        rows[1].find_element(By.CSS_SELECTOR, "button.rollback").click()
        browser.find_element(By.CSS_SELECTOR, "dialog.confirm button.danger").click()
        until(lambda: demo.read_text() == original, 10, what="the rollback written")
        third = new_caller()
        sipp.call(number, third, digits=DEMO_TO_SUPPORT, hangup_after=3).assert_ok(40)
        assert ended_call(instance, third).outcome_detail == "support"
    finally:
        demo.write_text(original)
