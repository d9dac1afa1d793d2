"""A carrier that wants registration, as most SIP providers do: a second Asterisk plays it
(tests.support.carrier). Our instance registers with digest credentials from secrets.json
(a wrong password is refused and shows), takes the carrier's calls to two of our numbers
each into its own flow and language, refuses a number that is not ours with 404 before
any flow, places a callback through the carrier — authenticated, with the queue's caller
id — after the first trunk answered 503, and registers again by itself when the carrier
comes back without our registration."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from callcenter.domain.calls import CallOutcome
from callcenter.domain.tickets import Role
from callcenter.secrets import set_trunk_password
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.event_log import SqlEventLog
from tests.support.axe import page_loaded, violations
from tests.support.calls import (
    call_on_ticket,
    call_record,
    ended_call,
    new_caller,
    path_nodes,
)
from tests.support.carrier import ACCOUNT, Carrier
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port
from tests.support.sipp import PHONE_IP, Sipp, SippRun
from tests.support.sipp_scenarios import answer_scenario, reject_scenario
from tests.support.staff import sign_in, speak
from tests.support.until import until

pytestmark = pytest.mark.asterisk

SUPPORT, RUSSIAN, NOT_OURS = "74951110001", "74951110002", "74951119999"
BUSY_IP = "127.0.0.7"  # the first trunk: a carrier that answers 503 to every call
QUEUE_CALLER_ID = "+74951110000"  # tests/integration/queues.yaml: callbacks.caller_id


@dataclasses.dataclass
class Lines:
    instance: Instance
    daemon: DaemonProcess
    carrier: Carrier
    busy: SippRun
    sipp: Sipp  # phones of our instance
    pstn: Sipp  # callers at the carrier


@pytest.fixture(scope="module")
def lines(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lines]:
    root = tmp_path_factory.mktemp("trunks")
    carrier = Carrier(instance.runtime, root / "carrier", password="right-Pa55word")
    carrier.start()
    state = root / "ours"
    set_trunk_password(state, "carrier", "wrong-password")  # fixed by the test
    busy_port = free_port()
    trunks = [
        {"name": "busy", "host": f"{BUSY_IP}:{busy_port}"},
        {
            "name": "carrier",
            "host": carrier.host,
            "register": True,
            "username": ACCOUNT,
            "expiration": 15,
            "retry_seconds": 2,
            "caller_id": "+74951119000",
        },
    ]
    numbers = [
        {"number": SUPPORT, "flow": "main", "name": "support line"},
        {"number": RUSSIAN, "flow": "linesru", "name": "Russian line"},
    ]
    ours = Instance.create(
        state, CALLCENTER_TRUNKS=json.dumps(trunks), CALLCENTER_NUMBERS=json.dumps(numbers)
    )
    ours.sandbox.up()
    daemon = DaemonProcess(ours, root / "daemon.log")
    work = root / "sipp"
    work.mkdir()
    sipp = Sipp(ours.runtime, work, ours.config.asterisk.sip_port)
    busy = sipp.start(
        "busy-carrier",
        reject_scenario("503 Service Unavailable"),
        port=busy_port,
        local_ip=BUSY_IP,
        timeout=300,
    )
    try:
        daemon.start(healthy=False)
        yield Lines(
            ours,
            daemon,
            carrier,
            busy,
            sipp,
            dataclasses.replace(sipp, sip_port=carrier.port, sip_host=carrier.host.split(":")[0]),
        )
    finally:
        busy.process.kill()
        busy.process.wait()
        daemon.stop()
        ours.sandbox.down()
        carrier.stop()


def trunk(lines: Lines, name: str) -> dict[str, object]:
    lead = api_token(lines.instance, Role.SUPERVISOR)
    listed = api_call(lines.daemon, lead, "GET", "/trunks")
    return next(t for t in listed["trunks"] if t["name"] == name)


def status(instance: Instance, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["trunks", *args], env=instance.env, catch_exceptions=False)
    return result.exit_code, result.output


def test_registration_needs_the_right_password_and_shows_everywhere(
    lines: Lines, browser: Any
) -> None:
    ours, daemon = lines.instance, lines.daemon
    until(lambda: trunk(lines, "carrier")["status"] == "rejected", 20, what="refused")
    code, body = daemon.health()
    assert (code, body["trunks"]) == (503, "down")
    # The board says it, in the supervisor's language.
    sign_in(browser, ours, daemon, Role.SUPERVISOR)
    speak(browser, ours, "ru")
    browser.get(f"{daemon.url}/supervisor")
    page_loaded(browser)
    line = until(
        lambda: browser.execute_script(
            "const b = document.getElementById('trunk-alarms');"
            " return !b.hidden && b.querySelector('[data-trunk=carrier]')?.textContent;"
        ),
        15,
        what="the trunk's line on the board",
    )
    assert "регистрация отклонена" in line
    assert violations(browser) == []
    code, out = status(ours, "status")
    assert code == 1, out
    assert "rejected" in out
    assert trunk(lines, "busy")["status"] == "by address"
    # The right password, through the command line: Asterisk takes it without a restart.
    result = CliRunner().invoke(
        main,
        ["trunks", "password", "carrier"],
        input=f"{lines.carrier.password}\n",
        env=ours.env,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "right-Pa55word" not in result.output
    until(lambda: trunk(lines, "carrier")["status"] == "registered", 20, what="registered")
    until(lambda: daemon.health()[0] == 200, 10, what="healthy")
    until(
        lambda: browser.execute_script("return document.getElementById('trunk-alarms').hidden"),
        10,
        what="the board's trunk line gone",
    )
    assert lines.carrier.registered()
    code, out = status(ours, "status")
    assert code == 0, out
    assert "registered" in out
    metrics = daemon_metrics(daemon)
    assert 'callcenter_trunk_up{trunk="carrier"} 1.0' in metrics


def daemon_metrics(daemon: DaemonProcess) -> str:
    with urllib.request.urlopen(f"{daemon.url}/metrics", timeout=5) as resp:  # noqa: S310
        return resp.read().decode()


def test_each_number_leads_to_its_flow_and_a_stranger_is_refused(lines: Lines) -> None:
    ours = lines.instance
    until(lines.carrier.registered, 30, what="registered at the carrier")
    first, second, third = new_caller("1999"), new_caller(), new_caller()
    calls = [
        lines.pstn.call(SUPPORT, first, bye_timeout=30),
        lines.pstn.call(RUSSIAN, second, bye_timeout=30),
    ]
    stranger = lines.pstn.call(NOT_OURS, third, bye_timeout=10)
    for call in calls:
        call.assert_ok(40)
    support, russian = ended_call(ours, first), ended_call(ours, second)
    assert (support.dialed, path_nodes(support)[0]) == (SUPPORT, "main.route")
    assert (russian.dialed, russian.flow.split("@")[0]) == (RUSSIAN, "linesru")
    on_ticket = until(lambda: call_on_ticket(ours, russian.call_id), 15, what="on its ticket")
    assert on_ticket["dialed"] == RUSSIAN  # the ticket says which line they called
    assert russian.outcome is CallOutcome.COMPLETED
    engine = make_engine(ours.config.database_url)
    try:
        log = SqlEventLog(make_sessions(engine))
        finished = [e for e in log.events_sync(russian.call_id) if e["kind"] == "ivr.finished"]
    finally:
        engine.dispose()
    assert finished[0]["data"]["language"] == "ru"
    stranger.wait(30)
    assert "404" in (stranger.output() + _messages(stranger))
    assert call_record(ours, third) is None  # never reached a flow
    lead = api_token(ours, Role.SUPERVISOR)
    listed = api_call(lines.daemon, lead, "GET", "/trunks")
    assert any(r["number"] == NOT_OURS for r in listed["refused"])
    assert {n["number"]: n["flow"] for n in listed["numbers"]}[RUSSIAN] == "linesru"


def _messages(run: SippRun) -> str:
    path = Path(str(run.log).replace(".log", ".messages"))
    return path.read_text(errors="replace") if path.exists() else ""


def test_a_callback_goes_out_through_the_next_trunk_authenticated_with_the_queue_caller_id(
    lines: Lines,
) -> None:
    ours = lines.instance
    until(lines.carrier.registered, 30, what="registered at the carrier")
    lead = api_token(ours, Role.SUPERVISOR)
    number = "7916" + new_caller()[-7:]
    port = lines.sipp.register_agent("1001", ours.secrets.agent_passwords["1001"])
    agent = lines.sipp.start(
        "agent-1001",
        answer_scenario(talk_until_bye=40),
        port=port,
        local_ip=PHONE_IP,
        timeout=90,
    )
    code, asked = api_status(
        lines.daemon, lead, "POST", "/callbacks", {"queue": "callbacks", "number": f"+{number}"}
    )
    assert code == 200, asked
    agent.assert_ok(80)
    done = until(
        lambda: (
            (c := api_call(lines.daemon, lead, "GET", f"/callbacks/{asked['id']}"))
            and c["state"] == "completed"
            and c
        ),
        30,
        what="the callback completed",
    )
    assert done["outcome"] == "ANSWER"
    # The carrier took it from our account (it authenticated), showing the queue's number.
    assert (f"+{number}", QUEUE_CALLER_ID, ACCOUNT) in lines.carrier.calls_in()
    assert trunk(lines, "busy")["failovers"] >= 1  # it answered 503 first
    lines.sipp.unregister_all()


def test_registration_comes_back_by_itself_after_the_carrier_lost_it(lines: Lines) -> None:
    ours = lines.instance
    until(lines.carrier.registered, 30, what="registered at the carrier")
    lines.carrier.stop()
    lines.carrier.start(forget=True)  # it knows nothing of us now
    assert not lines.carrier.registered()
    until(lines.carrier.registered, 30, what="registered again (expiration 15 s)")
    caller = new_caller("1999")
    lines.pstn.call(SUPPORT, caller, bye_timeout=30).assert_ok(40)
    assert ended_call(ours, caller).dialed == SUPPORT
