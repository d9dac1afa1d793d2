"""Click-to-call on real calls: a page of another origin embeds the widget (headless
Chromium with a fake microphone); "call now" is a WebRTC call (JsSIP, DTLS-SRTP, ICE)
through the daemon's SIP websocket into Asterisk and a queue where a SIPp agent answers
and echoes the audio back; "call me back" makes a real callback to a SIPp customer; the
toll-fraud guard refuses what it must and nothing of it reaches Asterisk; a chat ticket's
call rings the agent, then the customer, and lands on that ticket."""

from __future__ import annotations

import http.client
import http.server
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.axe import violations
from tests.support.browser import WEBRTC_FLAGS, BrowserUnavailable, headless_chromium
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.recordings import channel_levels, recording_audio, recording_of
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import answer_scenario, busy_agent_scenario
from tests.support.staff import sign_in
from tests.support.until import until
from tests.support.widgets import WIDGET, Site, post, session_token

pytestmark = pytest.mark.asterisk

IN_CI = __import__("os").environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def site(daemon_process: DaemonProcess, instance: Instance) -> Iterator[Site]:
    instance.sandbox.up()
    daemon_process.start()
    shop = Site(daemon_process.url)
    admin = api_token(instance, Role.ADMIN)
    api_status(daemon_process, admin, "DELETE", f"/widgets/{WIDGET}")
    api_call(
        daemon_process,
        admin,
        "POST",
        "/widgets",
        {"id": WIDGET, "name": "Shop help", "queue": "callbacks", "origins": [shop.origin]},
    )
    yield shop
    shop.close()


@pytest.fixture(scope="module")
def phone_browser() -> Iterator[Any]:
    try:
        with headless_chromium(WEBRTC_FLAGS) as driver:
            yield driver
    except BrowserUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI needs headless Chromium: {exc}")
        pytest.skip(str(exc))


def desk_state(browser: Any) -> str:
    return str(browser.find_element(By.ID, "state").get_attribute("class"))


def widget_state(driver: Any, key: str) -> str:
    return str(
        driver.execute_script(
            "const h = document.querySelector('[data-callcenter-widget]');"
            "return h ? (h.dataset[arguments[0]] || '') : '';",
            key,
        )
    )


def in_widget(driver: Any, script: str) -> Any:
    """Run ``script`` with ``root`` = the widget's shadow root."""
    return driver.execute_script(
        "const root = document.querySelector('[data-callcenter-widget]').shadowRoot;" + script
    )


def echoing_agent(instance: Instance, sipp: Sipp, name: str, talk: float, ring: float) -> SippRun:
    """Agent 1001's phone: answers after ``ring`` s, echoes what it hears, waits for BYE."""
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
    return sipp.start(
        f"agent-1001-{name}",
        answer_scenario(talk_until_bye=talk, ring_for=ring),
        port=port,
        local_ip=PHONE_IP,
        load=("-m", "1", "-rtp_echo"),
        timeout=talk + 30,
    )


def open_widget(driver: Any, site: Site) -> None:
    driver.get(site.origin + "/")
    until(lambda: widget_state(driver, "state") == "open", 15, what="the widget shows open")


def originates_since(instance: Instance, offset: int) -> str:
    """What Asterisk logged since ``offset`` about dialling out (callbacks' placeholders
    and the customer's Dial)."""
    log = instance.sandbox.instance_dir / "log" / "messages.log"
    with log.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode(errors="replace")
    return "\n".join(line for line in text.splitlines() if "callcenter-callback" in line)


def log_size(instance: Instance) -> int:
    return (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size


def test_call_now_is_a_webrtc_call_into_the_queue_and_the_agent_hears_it(
    instance: Instance,
    daemon: DaemonProcess,
    site: Site,
    phone_browser: Any,
    browser: Any,
    sipp: Sipp,
    tmp_path: Path,
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    # The agent's desk, open in another browser: the pop says a web call, and from where.
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    until(lambda: desk_state(browser) == "idle", 10, what="the agent's desk ready")
    started = datetime.now(UTC) - timedelta(seconds=2)
    agent = echoing_agent(instance, sipp, "web", talk=40, ring=2)
    driver = phone_browser
    open_widget(driver, site)
    assert in_widget(driver, "return root.querySelector('#call').hidden") is False
    in_widget(driver, "root.querySelector('#call-now').click()")
    until(lambda: desk_state(browser) == "ringing", 30, what="the agent's desk ringing")
    assert f"web: {site.origin}/" in browser.find_element(By.ID, "ivr").text
    until(lambda: widget_state(driver, "call") == "connected", 30, what="the web call answered")
    recording = until(
        lambda: recording_of(daemon, lead, "1001", "recording", started),
        15,
        what="the web call's recording",
    )
    # Talk a while: the fake microphone beeps; the agent's phone echoes what it hears.
    driver.execute_async_script("setTimeout(arguments[0], 4000)")
    in_widget(driver, "root.querySelector('#hang-up').click()")
    until(lambda: widget_state(driver, "call") == "ended", 15, what="the web call ended")
    agent.assert_ok(20)
    done = until(
        lambda: recording_of(daemon, lead, "1001", "complete", call_id=recording["call_id"]),
        30,
        what="the recording complete",
    )
    status, _headers, audio = recording_audio(daemon, lead, done["id"])
    assert status == 200
    caller, heard = channel_levels(audio, tmp_path)
    # Left: what the caller said (the browser's beeps reached Asterisk); right: what the
    # caller heard — the agent's echo, there only if the agent leg received the audio.
    assert caller > 50, (caller, heard)
    assert heard > 50, (caller, heard)


def test_a_browser_gone_mid_call_without_bye_leaves_no_agent_on_a_silent_call(
    instance: Instance, daemon: DaemonProcess, site: Site, phone_browser: Any, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    started = datetime.now(UTC) - timedelta(seconds=2)
    agent = echoing_agent(instance, sipp, "gone", talk=60, ring=1)
    driver = phone_browser
    open_widget(driver, site)
    in_widget(driver, "root.querySelector('#call-now').click()")
    until(lambda: widget_state(driver, "call") == "connected", 30, what="the web call answered")
    until(  # answered by the queue first; the agent is on it once its recording runs
        lambda: recording_of(daemon, lead, "1001", "recording", started),
        30,
        what="the agent on the web call",
    )
    logged = daemon.log_path.stat().st_size
    # The tab goes away: its websocket closes and no BYE is ever sent.
    driver.get("about:blank")
    agent.assert_ok(30)  # the agent's phone got a BYE from Asterisk
    with daemon.log_path.open("rb") as fh:
        fh.seek(logged)
        log = fh.read().decode(errors="replace")
    assert "no BYE reached us" in log, log[-3000:]


def mobile() -> str:
    """A fresh Russian mobile number (E.164 without the +)."""
    return "7916" + new_caller()[-7:]


def agent_and_customer(instance: Instance, sipp: Sipp, name: str) -> tuple[SippRun, SippRun]:
    """Agent 1001's phone (answers, talks 3 s, hangs up) and the customer's (answers after
    ringing 1 s), for one callback."""
    customer = sipp.start(
        f"customer-{name}",
        answer_scenario(talk_until_bye=60, ring_for=1),
        port=instance.customer_port,
        local_ip=TRUNK_IP,
        timeout=90,
    )
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"])
    agent = sipp.start(
        f"agent-1001-{name}", busy_agent_scenario(3), port=port, local_ip=PHONE_IP, timeout=90
    )
    return agent, customer


def test_call_me_back_from_the_page_makes_a_real_callback_with_its_promise(
    instance: Instance, daemon: DaemonProcess, site: Site, phone_browser: Any, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = mobile()
    driver = phone_browser
    driver.get(site.origin + "/")
    until(lambda: widget_state(driver, "state") == "open", 15, what="the widget shows open")
    # The page's own CSS (red buttons) does not reach into the widget, nor the other way.
    colours = in_widget(
        driver,
        "return [getComputedStyle(root.querySelector('#ask')).backgroundColor,"
        " getComputedStyle(document.querySelector('h1')).fontFamily];",
    )
    assert colours[0] == "rgb(34, 68, 102)"
    in_widget(
        driver,
        f"root.querySelector('#number').value = '+{number}';root.querySelector('#ask').click();",
    )
    promised = until(lambda: widget_state(driver, "promise"), 15, what="the promise shown")
    told = in_widget(driver, "return root.querySelector('#result').textContent")
    callback_id = int(widget_state(driver, "callback"))
    request = api_call(daemon, lead, "GET", f"/callbacks/{callback_id}")
    # A wide spread is told as a range, else "by" the due time.
    ranged = request["promise"]["earliest_at"] is not None
    said = "Thank you. We will call you " + ("between" if ranged else "by")
    assert told.startswith(said), told
    assert request["source"] == "web"
    assert request["reason"].startswith(f"web: {site.origin}/")
    assert request["promise"]["due_at"] == promised
    # An agent takes the placeholder (agent first), then the customer's phone rings.
    agent, customer = agent_and_customer(instance, sipp, "web")
    agent.assert_ok(80)
    customer.assert_ok(30)
    # The callback completes, then its promise is closed: wait for the promise itself.
    done = until(
        lambda: (
            (c := api_call(daemon, lead, "GET", f"/callbacks/{callback_id}"))["promise"]["state"]
            == "kept"
            and c
        ),
        20,
        what="the web callback's promise kept",
    )
    assert done["state"] == "completed"


def test_the_widget_speaks_the_pages_language_chinese_on_a_third_party_page(
    instance: Instance, daemon: DaemonProcess, phone_browser: Any
) -> None:
    lead, admin = api_token(instance, Role.SUPERVISOR), api_token(instance, Role.ADMIN)
    shop = Site(daemon.url, lang="zh-CN", widget="shop-zh")
    api_status(daemon, admin, "DELETE", "/widgets/shop-zh")
    api_call(
        daemon,
        admin,
        "POST",
        "/widgets",
        {"id": "shop-zh", "queue": "callbacks", "origins": [shop.origin]},
    )
    callback_id = None
    try:
        driver = phone_browser
        driver.get(shop.origin + "/")
        until(lambda: widget_state(driver, "state") == "open", 15, what="the widget shows open")
        texts = in_widget(
            driver,
            "return ['#title', '#ask', 'label[for=number]', '#status']"
            ".map((s) => root.querySelector(s).textContent);",
        )
        assert texts[:3] == ["联系我们", "请给我回电", "您的电话号码"]
        assert texts[3].startswith("我们正在营业。"), texts[3]
        in_widget(
            driver,
            f"root.querySelector('#number').value = '+{mobile()}';"
            "root.querySelector('#ask').click();",
        )
        until(lambda: widget_state(driver, "promise"), 15, what="the promise shown")
        told = in_widget(driver, "return root.querySelector('#result').textContent")
        assert told.startswith("谢谢。我们将在"), told
        callback_id = int(widget_state(driver, "callback"))
        assert violations(driver) == []  # axe-core walks into the widget's shadow root
    finally:
        if callback_id is not None:
            api_status(daemon, lead, "DELETE", f"/callbacks/{callback_id}")
        shop.close()


def test_the_guard_refuses_and_nothing_reaches_asterisk(
    instance: Instance, daemon: DaemonProcess, site: Site
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    before = log_size(instance)
    # A premium-rate number: refused by the number rule, with the reason.
    token = session_token(daemon, site.origin, "127.0.0.21")
    status, _h, body = post(
        daemon, "/callbacks", {"token": token, "number": "+78091234567"}, site.origin, "127.0.0.21"
    )
    assert status == 422, body
    assert body["error"]["id"] == "refused_number"
    assert "premium_rate" in body["error"]["message"]
    # A page of another origin gets no token, and no CORS answer to read it with.
    status, headers, body = post(daemon, "/session", {}, "https://evil.example", "127.0.0.22")
    assert status == 403
    assert body["error"]["id"] == "refused_origin"
    assert "Access-Control-Allow-Origin" not in headers
    # A token of the right origin, replayed from another one.
    token = session_token(daemon, site.origin, "127.0.0.22")
    status, _h, body = post(
        daemon, "/callbacks", {"token": token, "number": f"+{mobile()}"}, "https://evil.example"
    )
    assert status == 403
    assert body["error"]["id"] == "refused_origin"
    # An expired token (signed with the instance's key, 11 minutes ago).
    now = int(datetime.now(UTC).timestamp())
    expired = jwt.encode(
        {"sub": WIDGET, "aud": site.origin, "iat": now - 660, "exp": now - 60, "jti": "x1"},
        instance.secrets.widget_secret.encode(),
        algorithm="HS256",
    )
    status, _h, body = post(
        daemon, "/callbacks", {"token": expired, "number": f"+{mobile()}"}, site.origin
    )
    assert status == 403
    assert "expired" in body["error"]["message"]
    # A forged one (another key).
    forged = jwt.encode(
        {"sub": WIDGET, "aud": site.origin, "iat": now, "exp": now + 60, "jti": "x2"},
        b"not-the-key-not-the-key-not-the-key",
        algorithm="HS256",
    )
    status, _h, body = post(
        daemon, "/callbacks", {"token": forged, "number": f"+{mobile()}"}, site.origin
    )
    assert status == 403
    assert body["error"]["id"] == "refused_token"
    # A burst from one address: 5 pass the guard's per-client limit (all of them bad
    # numbers, so none dials), the 6th is refused with Retry-After.
    burst = []
    for _ in range(6):
        token = session_token(daemon, site.origin, "127.0.0.23")
        burst.append(
            post(
                daemon,
                "/callbacks",
                {"token": token, "number": "+19005550100"},
                site.origin,
                "127.0.0.23",
            )
        )
    assert [s for s, _h, _b in burst] == [422] * 5 + [429], [b for _s, _h, b in burst]
    assert burst[5][2]["error"]["id"] == "refused_per_client"
    assert int(burst[5][1]["Retry-After"]) > 0
    # Nothing of it reached Asterisk: no placeholder, no dial.
    assert originates_since(instance, before) == ""
    refused = api_call(daemon, lead, "GET", "/dial-guard/decisions?refused=true&limit=50")
    rules = {d["rule"] for d in refused["items"]}
    assert {"number", "origin", "token", "per_client"} <= rules
    summary = api_call(daemon, lead, "GET", "/dial-guard/summary")
    assert summary["refused"]["per_client"] >= 1
    assert summary["breaker_open"] is False


def test_a_chat_tickets_call_rings_the_agent_then_the_customer_on_that_ticket(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    chat = api_token(instance, Role.INTEGRATION)
    number = mobile()
    customer = api_call(
        daemon, chat, "POST", "/customers", {"name": "Anna", "phones": [f"+{number}"]}
    )
    ticket = api_call(
        daemon,
        chat,
        "POST",
        "/tickets",
        {"subject": "Order 5512 late", "customer_id": customer["id"], "channel": "chat"},
    )
    n = ticket["number"]
    api_call(
        daemon,
        chat,
        "POST",
        f"/tickets/{n}/interactions",
        {"kind": "chat_message", "direction": "inbound", "body": "Where is my order 5512?"},
    )
    # A number the customer never gave is refused: the call dials only theirs.
    status, body = api_status(
        daemon, chat, "POST", f"/tickets/{n}/call", {"number": "+79160000000"}
    )
    assert status == 422
    assert body["error"]["field"] == "number"
    agent, phone = agent_and_customer(instance, sipp, "ticket")
    status, call = api_status(daemon, chat, "POST", f"/tickets/{n}/call", {"queue": "callbacks"})
    assert status == 200, call  # api_status says 200 for any success
    assert call["ticket_number"] == n
    assert call["source"] == "ticket"
    agent.assert_ok(80)
    phone.assert_ok(30)
    # The agent's phone rang first: the customer's INVITE came after the agent answered.
    agent_answered = _first_line_time(agent.log.with_suffix(".messages"), "SIP/2.0 200 OK")
    customer_rang = _first_line_time(phone.log.with_suffix(".messages"), "INVITE sip:")
    assert agent_answered <= customer_rang
    lead = api_token(instance, Role.SUPERVISOR)
    until(
        lambda: api_call(daemon, lead, "GET", f"/callbacks/{call['id']}")["state"] == "completed",
        20,
        what="the ticket's call completed",
    )
    # The outcome note follows the callback's completion: wait for it on the ticket.
    until(
        lambda: any(
            i["kind"] == "callback" and "answered" in i["body"]
            for i in api_call(daemon, lead, "GET", f"/tickets/{n}")["timeline"]
        ),
        20,
        what="the answered call's note on the chat ticket",
    )


def _first_line_time(messages: Path, marker: str) -> str:
    """The timestamp SIPp wrote before the first message starting with ``marker``."""
    stamp = ""
    for line in messages.read_text(errors="replace").splitlines():
        if line.startswith("-----"):
            stamp = line.rsplit(" ", 1)[-1]  # ISO time: compares as text
        if line.startswith(marker):
            return stamp
    raise AssertionError(f"no {marker!r} in {messages}")


def test_the_widgets_page_shows_the_snippet_and_the_refusals_as_text(
    instance: Instance, daemon: DaemonProcess, site: Site, browser: Any
) -> None:
    hostile = "<img src=x onerror=window.__pwned=1>"
    d = daemon.instance.config.daemon
    conn = http.client.HTTPConnection(
        d.http_host, d.http_port, timeout=10, source_address=("127.0.0.31", 0)
    )
    try:
        token = session_token(daemon, site.origin, "127.0.0.31")
        conn.request(
            "POST",
            f"/api/v1/widgets/{WIDGET}/callbacks",
            json.dumps({"token": token, "number": "+442079460018"}),
            {"Content-Type": "application/json", "Origin": site.origin, "User-Agent": hostile},
        )
        assert conn.getresponse().status == 422
    finally:
        conn.close()
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/widgets")
    until(
        lambda: any(
            hostile in r.text for r in browser.find_elements(By.CSS_SELECTOR, "#decisions tbody tr")
        ),
        15,
        what="the refused request on the page",
    )
    snippets = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#widgets code")]
    assert any(f'data-widget="{WIDGET}"' in s for s in snippets)
    assert browser.execute_script("return window.__pwned") is None
    bars = browser.find_elements(By.CSS_SELECTOR, "#chart rect.g-refused")
    assert bars, "refusals are drawn"
