"""The staff application in headless Chromium with real sign-in on a real daemon: every page
reachable from the shell by role and refused (403 page) to the others, axe-core clean
(no serious or critical violation) on each, an unknown ticket's 404 page, the language by
account and browser."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from callcenter.http.shell import NAV
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.staff import SqlStaff
from tests.support.axe import page_loaded, violations
from tests.support.instance import DaemonProcess, Instance
from tests.support.staff import sign_in, speak
from tests.support.until import until

pytestmark = pytest.mark.asterisk

ROLES = {Role.AGENT: "1001", Role.SUPERVISOR: "", Role.ADMIN: ""}


def shell_links(browser: Any) -> list[str]:
    return [
        str(a.get_attribute("href"))
        for a in browser.find_elements(By.CSS_SELECTOR, "header.shell nav a")
    ]


def test_every_page_is_reached_from_the_shell_by_role_and_is_axe_clean(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    found: dict[str, list[str]] = {}
    for role, agent in ROLES.items():
        sign_in(browser, instance, daemon, role, agent)
        page_loaded(browser)
        links = shell_links(browser)
        mine = {i.path.replace("{agent}", agent) for i in NAV if role in i.roles}
        assert {link.removeprefix(daemon.url) for link in links} == mine, role
        for link in links:
            browser.get(link)
            page_loaded(browser)
            found[link.removeprefix(daemon.url)] = violations(browser)
            # The shell marks where we are; the page speaks English to this browser.
            current = browser.find_element(By.CSS_SELECTOR, 'header.shell a[aria-current="page"]')
            assert current.get_attribute("href") == link
        for item in NAV:
            if role in item.roles or item.key == "desk":
                continue
            browser.get(daemon.url + item.path)
            page_loaded(browser)
            assert browser.find_element(By.ID, "error-code").text == "403", (role, item.path)
            found[f"403 {item.path}"] = violations(browser)
    browser.get(f"{daemon.url}/signin")
    browser.delete_all_cookies()
    browser.get(f"{daemon.url}/signin")
    page_loaded(browser)
    found["/signin"] = violations(browser)
    # The check can fail: a control without a name on the same page is found.
    browser.execute_script(
        "const b = document.createElement('button'); document.querySelector('main').append(b);"
    )
    assert any(line.startswith("button-name") for line in violations(browser))
    bad = {page: v for page, v in found.items() if v}
    assert not bad, "axe-core: serious or critical violations\n" + "\n".join(
        f"{page}: {line}" for page, lines in bad.items() for line in lines
    )


def test_the_wallboard_survives_a_daemon_restart(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/wallboard")
    page_loaded(browser)
    assert browser.find_element(By.ID, "tile-support").is_displayed()
    assert violations(browser) == []
    connection = "return document.body.dataset.connection"
    daemon.stop()
    until(lambda: browser.execute_script(connection) == "lost", 20, what="the loss shown")
    assert browser.find_element(By.ID, "connection").is_displayed()
    assert browser.find_element(By.ID, "tile-support").is_displayed()  # the last figures stay
    daemon.start()
    until(lambda: daemon.health()[0] == 200, 30, what="the daemon back")
    until(lambda: browser.execute_script(connection) == "up", 30, what="the wallboard back")
    assert not browser.find_element(By.ID, "connection").is_displayed()
    assert browser.find_element(By.ID, "tile-support").is_displayed()
    assert violations(browser) == []


def test_an_unknown_ticket_is_the_404_page(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/tickets/987654")
    page_loaded(browser)
    assert browser.find_element(By.ID, "error-code").text == "404"
    assert browser.find_element(By.ID, "error-heading").text == "There is nothing here"
    assert not browser.find_elements(By.ID, "change")  # no ticket form with an error under it
    assert violations(browser) == []
    status = browser.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus"
    )
    assert status == 404


def test_the_pages_speak_the_accounts_language(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    speak(browser, instance, "ru")
    browser.get(f"{daemon.url}/promises")
    page_loaded(browser)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "Обещания"
    assert browser.find_element(By.ID, "signout").text == "Выйти"
    # The picker in the header: Chinese, back on the same page.
    picker = browser.find_element(By.ID, "shell-locale")
    picker.find_element(By.CSS_SELECTOR, 'option[value="zh"]').click()
    until(lambda: browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh", 10)
    page_loaded(browser)
    assert browser.current_url.endswith("/promises")
    assert browser.find_element(By.CSS_SELECTOR, "h1").text == "回电承诺"
    assert violations(browser) == []


def test_an_admin_disables_an_account_from_the_staff_page_after_confirming(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.AGENT, "1002")
    agent_user = browser.find_element(By.ID, "shell-user").text
    sign_in(browser, instance, daemon, Role.ADMIN)
    browser.get(f"{daemon.url}/staff")
    page_loaded(browser)
    row = browser.find_element(By.ID, f"staff-{agent_user}")
    row.find_element(By.CSS_SELECTOR, "button.disable").click()
    dialog = browser.find_element(By.CSS_SELECTOR, "dialog.confirm")
    assert agent_user in dialog.text
    assert violations(browser) == []  # the dialog too
    dialog.find_element(By.CSS_SELECTOR, "button.danger").click()
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, f"#staff-{agent_user} button.enable"),
        10,
        what="the account disabled",
    )
    engine = make_engine(instance.config.database_url)
    try:
        users = {u.username: u for u in SqlStaff(make_sessions(engine)).list_users_sync()}
    finally:
        engine.dispose()
    assert users[agent_user].disabled
