"""Knowledge at hand in headless Chromium against the real daemon. Canned answers: a
supervisor writes one (a bad placeholder shown beside the text), an agent finds it by
/shortcut in a ticket's note and inserts it filled — the customer's name, their own —
while markup in an answer stays text; the agent's answers page has no editor. Articles: a
supervisor writes one holding <script> and a javascript: link — read back as text, the
safe link a link — changes it, finds it by the one search, restores the first version.
axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.axe import page_loaded, violations
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def test_a_supervisor_writes_an_answer_and_an_agent_inserts_it_filled(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/answers")
    page_loaded(browser)
    form = {
        "shortcut": "greet",
        "title": "Greeting <b>bold</b>",
        "body": "Hello {customer.nme}",
    }
    for field, value in form.items():
        browser.find_element(By.ID, field).send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#answer-form button[type=submit]").click()
    error = until(lambda: browser.find_element(By.ID, "body-error").text, 10, what="refused")
    assert "{customer.nme}" in error
    assert browser.find_element(By.ID, "body").get_attribute("aria-invalid") == "true"
    body = browser.find_element(By.ID, "body")
    body.clear()
    body.send_keys("Hello {customer.name}, this is {agent.name}.")
    browser.find_element(By.CSS_SELECTOR, "#answer-form button[type=submit]").click()
    row = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#answers-table tbody tr[id^=answer-]"),
        10,
        what="the answer listed",
    )
    assert "Greeting <b>bold</b>" in row[0].text  # markup stays text
    assert violations(browser) == []

    admin = api_token(instance, Role.ADMIN)
    anna = api_call(daemon, admin, "POST", "/customers", {"name": "Anna Petrova"})
    ticket = api_call(
        daemon, admin, "POST", "/tickets", {"subject": "Late", "customer_id": anna["id"]}
    )
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    browser.get(f"{daemon.url}/tickets/{ticket['number']}")
    page_loaded(browser)
    browser.find_element(By.ID, "answer-q").send_keys("/gre")
    pick = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#answer-list button.answer"),
        10,
        what="the answer offered",
    )
    pick[0].click()
    note = browser.find_element(By.ID, "note-body")
    text = until(lambda: note.get_attribute("value"), 10, what="the answer inserted")
    user = browser.find_element(By.ID, "shell-user").text
    assert text == f"Hello Anna Petrova, this is {user}."
    assert violations(browser) == []
    found = api_call(daemon, admin, "GET", "/answers?q=/greet")
    assert [a["uses"] for a in found["items"]] == [1]

    browser.get(f"{daemon.url}/answers")
    page_loaded(browser)
    assert not browser.find_element(By.ID, "editor").is_displayed()  # agents read, not write
    assert violations(browser) == []


ARTICLE = (
    "Unplug the **router** for ten seconds.\n\n"
    "<script>document.title='owned'</script> [evil](javascript:alert(1)) "
    "[guide](https://example.org/guide)"
)


def test_an_article_with_markup_reads_as_text_is_found_and_restored(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/articles")
    page_loaded(browser)
    browser.find_element(By.ID, "slug").send_keys("router-reset")
    browser.find_element(By.ID, "title").send_keys("Resetting the router")
    browser.find_element(By.ID, "category").clear()
    browser.find_element(By.ID, "category").send_keys("Internet")
    browser.execute_script("document.getElementById('body').value = arguments[0]", ARTICLE)
    browser.find_element(By.CSS_SELECTOR, "#article-form button[type=submit]").click()
    until(lambda: "version 1" in browser.find_element(By.ID, "status").text, 10, what="saved")
    reader = browser.find_element(By.ID, "reader-body")
    until(lambda: "Unplug" in reader.text, 10, what="the article read")
    assert "<script>document.title='owned'</script>" in reader.text  # as text
    assert browser.title != "owned"
    hrefs = [a.get_attribute("href") for a in reader.find_elements(By.TAG_NAME, "a")]
    assert hrefs == ["https://example.org/guide"]
    assert reader.find_elements(By.TAG_NAME, "strong")[0].text == "router"
    assert violations(browser) == []

    body = browser.find_element(By.ID, "body")
    body.clear()
    body.send_keys("Unplug the router for thirty seconds.")
    browser.find_element(By.ID, "note").send_keys("longer")
    browser.find_element(By.CSS_SELECTOR, "#article-form button[type=submit]").click()
    until(lambda: "version 2" in browser.find_element(By.ID, "status").text, 10, what="v2")
    browser.find_element(By.ID, "q").send_keys("thirty")
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#article-list button.open"),
        10,
        what="found by the search",
    )
    rows = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#versions button.restore"),
        10,
        what="the versions",
    )
    rows[0].click()
    browser.find_element(By.CSS_SELECTOR, "dialog.confirm button.danger").click()
    until(lambda: "version 3" in browser.find_element(By.ID, "status").text, 10, what="restored")
    # The status is said as the restore answers; the reader shows the article once loaded.
    until(
        lambda: "ten seconds" in browser.find_element(By.ID, "reader-body").text,
        10,
        what="the restored text in the reader",
    )


def test_a_tag_spike_shows_on_the_board_with_its_tickets_one_click_away(
    instance: Instance, daemon: DaemonProcess, browser: Any
) -> None:
    token = api_token(instance, Role.INTEGRATION)
    numbers = [
        api_call(
            daemon, token, "POST", "/tickets", {"subject": f"cannot pay {n}", "tags": ["payfail"]}
        )["number"]
        for n in range(6)
    ]
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/supervisor")
    page_loaded(browser)
    banner = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, '#target-alerts p[data-rule="tag_spike"]'),
        40,
        what="the spike on the board",
    )
    assert banner[0].get_attribute("data-subject") == "payfail"
    banner[0].find_element(By.TAG_NAME, "a").click()
    listed = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#tickets li a"), 10, what="its tickets"
    )
    assert sorted(int(a.text.split()[0][1:]) for a in listed) == sorted(numbers)
    spikes = browser.find_element(By.ID, "spikes").text
    assert "payfail" in spikes
    assert violations(browser) == []
