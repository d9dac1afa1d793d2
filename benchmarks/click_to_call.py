"""Click-to-call on the real sandbox (its own Asterisk and daemon, loopback only).

1. **Call me back**: a widget request → the customer's phone ringing (the SIPp carrier
   gets the INVITE; an agent first answers the placeholder and hears "calling"), p50/p95.
2. **Call now**: the click in headless Chromium (fake microphone) → the agent's phone
   ringing (WebRTC through the daemon's SIP websocket into the queue), p50/p95.
3. **A burst** of ``--burst`` widget requests from 4 loopback addresses, each for a fresh
   valid number: how many pass (must equal 4 times guard.per_client exactly), how long a
   refusal takes (p50/p99) against GET /healthz in the same run (the baseline), and how
   many placeholders Asterisk ran (must equal the passes: no refused request dials).

    .venv/bin/python -m benchmarks.click_to_call [--callbacks 8 --calls 5 --burst 1000]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import re
import tempfile
import time
from pathlib import Path

from benchmarks.callback_load import agent_answers, customer_rings, messages
from benchmarks.stats import keep_or_remove, ms, percentile, ratio
from callcenter.domain.tickets import Role
from tests.support.browser import WEBRTC_FLAGS, headless_chromium
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp
from tests.support.sipp_scenarios import answer_scenario, busy_agent_scenario
from tests.support.until import until
from tests.support.widgets import WIDGET, Site, post, session_token

log = logging.getLogger("benchmarks.click_to_call")
ADDRESSES = ("127.0.0.41", "127.0.0.42", "127.0.0.43", "127.0.0.44")


def _widget_state(driver: object, key: str) -> str:
    return str(
        driver.execute_script(  # type: ignore[attr-defined]
            "const h = document.querySelector('[data-callcenter-widget]');"
            "return h ? (h.dataset[arguments[0]] || '') : '';",
            key,
        )
    )


def _placeholders(instance: Instance, offset: int) -> int:
    log_file = instance.sandbox.instance_dir / "log" / "messages.log"
    with log_file.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode(errors="replace")
    return text.count("@callcenter-callback-hold:1] NoOp")


def callbacks_phase(
    instance: Instance, daemon: DaemonProcess, site: Site, sipp: Sipp, n: int
) -> list[float]:
    """Seconds from the widget request to the customer's INVITE, per callback."""
    carrier = sipp.start(
        "carrier",
        answer_scenario(talk_until_bye=30),
        port=instance.customer_port,
        local_ip=TRUNK_IP,
        load=("-m", str(n)),
        timeout=60 + 20 * n,
    )
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"], expires=900)
    agent = sipp.start(
        "agent",
        busy_agent_scenario(1.0),
        port=port,
        local_ip=PHONE_IP,
        load=("-m", str(n)),
        timeout=60 + 20 * n,
    )
    asked: dict[str, float] = {}
    for i in range(n):
        number = f"7916{int(time.time() * 1000) % 10_000_000:07d}"
        started = time.time()
        source = f"127.0.1.{i + 1}"  # a visitor each: not the per-address limit
        token = session_token(daemon, site.origin, source)
        status, _h, body = post(
            daemon,
            "/callbacks",
            {"token": token, "number": f"+{number}"},
            site.origin,
            source,
        )
        assert status == 201, body
        asked[number] = started
        until(
            lambda num=number: num in customer_rings(carrier.log.with_suffix(".messages")),
            60,
            what=f"callback {i + 1} ringing",
        )
    agent.wait(60 + 20 * n)
    carrier.wait(60)
    rings = customer_rings(carrier.log.with_suffix(".messages"))
    answered = agent_answers(agent.log.with_suffix(".messages"))
    log.info("agent answered %d placeholders", len(answered))
    return [rings[num][0] - at for num, at in asked.items() if num in rings]


def calls_phase(instance: Instance, site: Site, sipp: Sipp, n: int) -> list[float]:
    """Seconds from the click on "call now" to the agent's INVITE, per call (one agent
    phone run per call: it answers, echoes 2 s of audio and hangs up)."""
    # The same agent as the callbacks phase, on a fresh port (its old contact is replaced).
    port = sipp.register_agent("1001", instance.secrets.agent_passwords["1001"], expires=900)
    took: list[float] = []
    with headless_chromium(WEBRTC_FLAGS) as driver:
        for i in range(n):
            agent = sipp.start(
                f"web-agent-{i + 1}",
                busy_agent_scenario(2.0),
                port=port,
                local_ip=PHONE_IP,
                load=("-m", "1", "-rtp_echo"),
                timeout=90,
            )
            driver.get(site.origin + "/")
            until(lambda: _widget_state(driver, "state") == "open", 15, what="widget open")
            click = time.time()
            driver.execute_script(
                "document.querySelector('[data-callcenter-widget]').shadowRoot"
                ".querySelector('#call-now').click()"
            )
            agent.wait(90)
            until(lambda: _widget_state(driver, "call") == "ended", 30, what=f"web call {i + 1}")
            invites = [
                at
                for at, body in messages(agent.log.with_suffix(".messages"))
                if re.search(r"^INVITE ", body, re.M)
            ]
            took.append(invites[0] - click)
    return took


def burst_phase(
    instance: Instance, daemon: DaemonProcess, site: Site, total: int
) -> tuple[int, list[float], list[float], int]:
    """(passed, refusal seconds, healthz seconds, placeholders Asterisk ran)."""
    offset = (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size
    d = instance.config.daemon
    passed, refusals, baseline = 0, [], []
    for i in range(total):
        source = ADDRESSES[i % len(ADDRESSES)]
        token = session_token(daemon, site.origin, source)
        number = f"+7916{(5_000_000 + i):07d}"
        started = time.perf_counter()
        status, _h, _body = post(
            daemon, "/callbacks", {"token": token, "number": number}, site.origin, source
        )
        took = time.perf_counter() - started
        if status == 201:
            passed += 1
        else:
            assert status == 429, (status, _body)
            refusals.append(took)
        if i % 10 == 0:
            conn = http.client.HTTPConnection(d.http_host, d.http_port, timeout=5)
            started = time.perf_counter()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            baseline.append(time.perf_counter() - started)
            conn.close()
    time.sleep(3)  # the placeholders of the passing requests reach Asterisk's log
    return passed, refusals, baseline, _placeholders(instance, offset)


def run(state: Path, callbacks: int, calls: int, burst: int) -> str:
    instance = Instance.create(
        state,
        CALLCENTER_DAEMON__LOG_LEVEL="INFO",
        CALLCENTER_GUARD__BUDGET_HOUR="100000",
        CALLCENTER_GUARD__PER_WIDGET_HOUR="100000",
    )
    instance.sandbox.up()
    daemon = DaemonProcess(instance, state / "daemon.log")
    daemon.start()
    site = Site(daemon.url)
    (state / "sipp").mkdir(exist_ok=True)
    sipp = Sipp(instance.runtime, state / "sipp", instance.config.asterisk.sip_port)
    try:
        admin = api_token(instance, Role.ADMIN)
        api_call(
            daemon,
            admin,
            "POST",
            "/widgets",
            {"id": WIDGET, "queue": "callbacks", "origins": [site.origin]},
        )
        rings = callbacks_phase(instance, daemon, site, sipp, callbacks)
        agent_rings = calls_phase(instance, site, sipp, calls)
        per_client = instance.config.guard.per_client
        passed, refusals, baseline, placeholders = burst_phase(instance, daemon, site, burst)
    finally:
        site.close()
        daemon.stop()
        instance.sandbox.down()
    expected = per_client * len(ADDRESSES)
    r50, r99 = percentile(refusals, 50), percentile(refusals, 99)
    b50, b99 = percentile(baseline, 50), percentile(baseline, 99)
    return "\n".join(
        [
            "| what | n | p50 | p95 / p99 |",
            "|---|---|---|---|",
            f"| call me back: request → customer's phone rings | {len(rings)} | "
            f"{ms(percentile(rings, 50))} | p95 {ms(percentile(rings, 95))} |",
            f"| call now: click → agent's phone rings | {len(agent_rings)} | "
            f"{ms(percentile(agent_rings, 50))} | p95 {ms(percentile(agent_rings, 95))} |",
            f"| burst: a refusal (429) | {len(refusals)} | {ms(r50)} | p99 {ms(r99)} |",
            f"| baseline: GET /healthz, same run | {len(baseline)} | {ms(b50)} | p99 {ms(b99)} |",
            "",
            f"Burst of {burst} from {len(ADDRESSES)} addresses: {passed} passed (limits allow"
            f" exactly {expected}: {'match' if passed == expected else 'MISMATCH'}),"
            f" {len(refusals)} refused; placeholders Asterisk ran: {placeholders}"
            f" ({'none for a refused request' if placeholders == passed else 'MISMATCH'}).",
            f"Refusal p99 / healthz p99: {ratio(r99, b99)}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--callbacks", type=int, default=8)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep the state directory")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    state = Path(tempfile.mkdtemp(prefix="cc-bench-c2c-"))
    try:
        print(run(state, args.callbacks, args.calls, args.burst))
    finally:
        keep_or_remove(state, args.keep)


if __name__ == "__main__":
    main()
