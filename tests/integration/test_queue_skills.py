"""Skills decide who answers: an agent logs in from the phone into the queues their skills
match, the billing caller reaches them and nobody else; a daemon restart puts back a member
Asterisk lost; a caller behind a busy agent hears our wait estimate, then overflows to the
flow's callback node — on the real Asterisk, with SIPp phones."""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner

from callcenter.app import ticket_store
from callcenter.cli import main
from callcenter.domain.calls import CallOutcome
from callcenter.domain.tickets import CallSummary, Role
from callcenter.secrets import load_or_create_secrets
from callcenter.store.db import make_engine, make_sessions
from tests.support.calls import (
    call_on_ticket,
    ended_call,
    new_caller,
    path_nodes,
    queue_call_on_ticket,
)
from tests.support.daemon_api import api_call, api_token, log_out
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def _agents(daemon: DaemonProcess, token: str) -> dict[str, Any]:
    return {a["agent"]: a for a in api_call(daemon, token, "GET", "/queues/live")["agents"]}


def _billing_members(daemon: DaemonProcess, token: str) -> list[str]:
    board = api_call(daemon, token, "GET", "/queues/live")
    billing = next(q for q in board["queues"] if q["queue"] == "billing")
    return [a["agent"] for a in billing["agents"]]


@pytest.fixture
def billing_agent(instance: Instance) -> Iterator[str]:
    """Agent 1088, skilled in billing, added as admins do; yields the SIP password."""
    cli = CliRunner()
    added = cli.invoke(
        main,
        ["agents", "add", "Bella Skill", "--ext", "1088", "--skills", "billing"],
        env=instance.env,
    )
    assert added.exit_code == 0, added.output
    yield load_or_create_secrets(instance.config.state_dir, ()).agent_passwords["1088"]
    cli.invoke(main, ["agents", "remove", "1088"], env=instance.env)


def test_skills_route_billing_calls_and_login_logout_work_from_the_phone(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, billing_agent: str
) -> None:
    password, supervisor = billing_agent, api_token(instance, Role.SUPERVISOR)
    # Added agents start logged out; the demo agents have no billing skill.
    assert _agents(daemon, supervisor)["1088"]["state"] == "logged_out"
    assert _billing_members(daemon, supervisor) == []

    sipp.call("*75", "1088", auth=("1088", password), bye_timeout=10).assert_ok(20)
    bella = _agents(daemon, supervisor)["1088"]
    assert bella["logged_in"] is True
    assert bella["queues"] == {"billing": 0, "callbacks": 0, "sales": 0, "support": 0}
    assert _billing_members(daemon, supervisor) == ["1088"]
    assert "agent 1088: logged_out → available (login)" in daemon.log()

    # Asterisk loses the member while the daemon is down: the resync at start restores it.
    daemon.stop()
    instance.asterisk_cli("queue remove member PJSIP/1088 from billing")
    daemon.start()  # healthy only once the members are resynced
    assert _billing_members(daemon, supervisor) == ["1088"]

    phone = sipp.agent_phone("1088", password, ring_for=1.0, talk_until_bye=20)
    caller = new_caller("1666")
    sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=5).assert_ok(40)
    phone.assert_ok(40)
    answered = queue_call_on_ticket(instance, caller, "answered")
    assert (answered["queue"], answered["agent"]) == ("billing", "1088")

    sipp.call("*76", "1088", auth=("1088", password), bye_timeout=10).assert_ok(20)
    assert _agents(daemon, supervisor)["1088"]["state"] == "logged_out"
    assert _billing_members(daemon, supervisor) == []


def _measured_billing_calls(instance: Instance, talk: float, count: int) -> None:
    """Answered billing calls in the store: the handle times the estimate learns from."""
    engine = make_engine(instance.config.database_url)
    store = ticket_store(instance.config, make_sessions(engine))
    now = datetime.now(UTC)
    try:
        for i in range(count):
            call_id = f"{time.time():.0f}.{9000 + i}"
            summary = CallSummary(call_id, call_id, new_caller(), "7000", now, now, "queue")
            asyncio.run(store.record_call(summary))
            changes = {"queue": "billing", "queue_outcome": "answered", "talk": talk, "wait": 3}
            asyncio.run(store.update_call(call_id, changes))
    finally:
        engine.dispose()


def test_a_caller_behind_a_busy_agent_hears_our_estimate_then_overflows_to_a_flow_node(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, billing_agent: str
) -> None:
    supervisor = api_token(instance, Role.SUPERVISOR)
    asterisk_log = instance.sandbox.instance_dir / "log" / "messages.log"
    heard_from = asterisk_log.stat().st_size  # earlier tests' announcements do not count
    _measured_billing_calls(instance, talk=100, count=3)  # handle time 100 s, no wrap-up
    assert api_call(daemon, supervisor, "POST", "/agents/1088/login")["queues"]["billing"] == 0
    try:
        phone = sipp.agent_phone("1088", billing_agent, talk_until_bye=40)
        number = instance.config.dialplan.virtual_number
        # 1088 answers after the last look that found them not yet on the call.
        not_yet = [time.monotonic()]
        first = sipp.call(number, new_caller("1666"), hangup_after=32)

        def on_call() -> bool:
            looked = time.monotonic()
            answered = _agents(daemon, supervisor)["1088"]["state"] == "on_call"
            if not answered:
                not_yet.append(looked)
            return answered

        until(on_call, 20, what="1088 on the first billing call")
        log_from = len(daemon.log())
        second = new_caller("1666")
        # 1088 is busy: about the rest of a handle time, said on entry and whispered 15 s
        # in; then billing's 18 s max_wait sends the caller back to the callback node.
        second_call = sipp.call(number, second, bye_timeout=60)
        # The second caller's estimate is made on entry: 1088 had talked at most this long.
        talked_at_most = until(
            lambda: (
                "(0 waiting, 1 serving, 1 busy" in daemon.log()[log_from:]
                and time.monotonic() - not_yet[-1]
            ),
            30,
            what="the second caller's wait estimate",
        )
        second_call.assert_ok(70)
        first.assert_ok(40)
        phone.assert_ok(40)
    finally:
        log_out(daemon, supervisor, "1088")
    # The measured handle time (100 s, less when earlier tests' short calls count) less
    # what 1088 has already talked (since the answer the daemon saw).
    estimate = re.search(
        r"wait estimate for billing position 1: (\d+) s \(0 waiting, 1 serving, 1 busy, "
        r"AHT (\d+) s, talked (\d+) s\)",
        daemon.log()[log_from:],
    )
    assert estimate is not None
    seconds, handle, talked = int(estimate[1]), int(estimate[2]), int(estimate[3])
    assert 50 <= handle <= 100
    assert talked <= talked_at_most + 1
    assert abs(seconds - (handle - talked)) <= 1
    minutes = math.ceil(seconds / 60)
    with asterisk_log.open("rb") as log:
        log.seek(heard_from)
        heard = log.read().decode(errors="replace")
    # "The estimated hold time is currently [less than] N minute(s)."
    assert '"queue-holdtime")' in heard
    assert 'SayNumber("PJSIP/trunk-' in heard
    assert f'"{minutes}") in new stack' in heard
    # On the caller's own channel (not the whisper's): "less than" only for one minute.
    less_than = re.search(r'ExecIf\("PJSIP/trunk-[^"]+", "(\d)\?Playback\(queue-less-than', heard)
    assert less_than is not None
    assert less_than[1] == str(int(minutes == 1))
    # …and 15 s into the queue, over the music: position 1, "you are next", and the wait (cut
    # short when the caller's 18 s are up while it is still being said).
    told = re.search(r"told caller \S+ in billing: position 1, about (\d+) min", daemon.log())
    assert told is not None
    assert f"Attaching spy channel Local/1-{told[1]}@callcenter-whisper" in heard
    assert '"queue-youarenext")' in heard
    # The words are recorded apart (MixMonitor cannot hear a whisper on the caller's own
    # channel) and added to what the caller hears in their recording; nothing is left over.
    assert re.search(
        r'MixMonitor\("Local/1-\d+@callcenter-whisper-[^"]+", "[^"]+-side-\d+-R\.raw', heard
    )

    record = ended_call(instance, second, timeout=30)
    recordings = instance.sandbox.instance_dir / "recordings"
    until(
        lambda: (
            list(recordings.rglob(f"{record.call_id}.wav"))
            and not list(recordings.rglob(f"{record.call_id}-side-*"))
        ),
        30,
        what="the whisper added to the caller's recording",
    )
    assert path_nodes(record)[-2:] == ["billingq.billing", "billingq.call_back"]
    # The callback node asked for a number to call back (1666… is no number a callback may
    # dial) and, with none keyed in, promised nothing: no callback was made.
    assert record.outcome is CallOutcome.COMPLETED
    assert "caller id not usable for a callback" in daemon.log()
    data = until(
        lambda: (d := call_on_ticket(instance, record.call_id)).get("outcome") == "completed" and d,
        15,
        what="the call's outcome on the caller's ticket",
    )
    # The queue leg is on the ticket too: billing, timed out after its 18 s.
    assert (data["queue"], data["queue_outcome"], data["left_queue"]) == (
        "billing",
        "timeout",
        "billing",
    )
    assert 17 <= data["wait"] <= 20
