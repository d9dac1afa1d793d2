"""Staff sign in as people do, in headless Chromium: the password form, the admin link the
daemon prints at start (what `make run` shows), sign-out; no token is ever in a URL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By

from tests.support.instance import DaemonProcess, Instance
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def _fresh(browser: Any, daemon: DaemonProcess) -> None:
    browser.get(f"{daemon.url}/signin")
    browser.delete_all_cookies()


def test_sign_in_with_a_password_see_the_board_and_sign_out(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    from callcenter.cli import main

    added = CliRunner().invoke(
        main,
        ["staff", "add", "lena", "--role", "supervisor", "--password-stdin"],
        env=instance.env,
        input="a long enough secret\n",
    )
    assert added.exit_code == 0, added.output
    assert "a long enough secret" not in added.output
    _fresh(browser, daemon)
    browser.get(f"{daemon.url}/supervisor")
    until(lambda: "/signin" in browser.current_url, 10, what="sent to sign in")
    browser.find_element(By.ID, "username").send_keys("lena")
    browser.find_element(By.ID, "password").send_keys("not the secret")
    browser.find_element(By.ID, "signin").click()
    until(lambda: "Wrong username or password" in browser.page_source, 10, what="refusal")
    browser.find_element(By.ID, "password").send_keys("a long enough secret")
    browser.find_element(By.ID, "signin").click()
    until(lambda: browser.current_url.endswith("/supervisor"), 10, what="back to the board")
    until(lambda: "waiting" in browser.find_element(By.ID, "queues").text, 10, what="board data")
    assert "token" not in browser.current_url
    browser.find_element(By.ID, "signout").click()
    until(lambda: "/signin" in browser.current_url, 10, what="signed out")
    browser.get(f"{daemon.url}/supervisor")
    until(lambda: "/signin" in browser.current_url, 10, what="the board closed again")


def test_the_admin_link_printed_at_start_opens_every_page(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    links = re.findall(r"http://\S+/signin/link/\S+", daemon.log())
    assert links, "the daemon printed no sign-in link"
    _fresh(browser, daemon)
    browser.get(links[-1])
    until(lambda: browser.current_url.endswith("/supervisor"), 10, what="the admin's board")
    browser.get(f"{daemon.url}/security")
    until(lambda: "SIP bans" in browser.find_element(By.TAG_NAME, "h1").text, 10, what="page")
    _fresh(browser, daemon)
    browser.get(links[-1])  # one use only
    until(lambda: "used or expired" in browser.page_source, 10, what="the spent link refused")
