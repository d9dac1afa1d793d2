"""The cluster's SIP front on real parts: Kamailio (Debian's, in the sandbox root) before
two nodes — each a real Asterisk with its daemon, one PostgreSQL. The virtual number's
partition has node A at home and B standing by: callers through the front reach A's
IVR; A's Asterisk killed with -9 under load, every new call is answered on B (the ones
sent to A while probing had not yet marked it down fail over after one timer), and the
calls that were on A are counted as lost. SIPp plays the callers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.app.front import front_registrations, prepare_front
from callcenter.asterisk.kamailio import Front, FrontError
from callcenter.config import load_config
from callcenter.domain.tickets import Role
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.models import CallbackRow, CallRow, InteractionRow
from tests.integration.conftest import IN_CI
from tests.integration.test_cluster import Node, sip_ports, start_node
from tests.support.calls import call_record, new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.databases import PostgresUnavailable, postgres_database
from tests.support.ports import free_port
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import (
    DEMO_TO_SUPPORT,
    answer_scenario,
    caller_scenario,
    register_scenario,
)
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

SECOND = "7001"  # the second partition's number: home B, standby A


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Front, Node, Node, Sipp]]:
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_database("cc_front"))
        except PostgresUnavailable as exc:
            if IN_CI:
                pytest.fail(f"CI needs PostgreSQL for the cluster: {exc}")
            pytest.skip(str(exc))
        carrier, port, ports = f"127.0.0.2:{free_port()}", free_port(), sip_ports()
        # Agents register at the front: every node's agent contact is sip:EXT@front.
        at_front = {
            "CALLCENTER_CLUSTER__AGENTS_AT_FRONT": "true",
            "CALLCENTER_CLUSTER__FRONT_PORT": str(port),
            # Both nodes know both partitions (each is the other's standby).
            "CALLCENTER_CLUSTER__PARTITIONS": f"7000=a/b,{SECOND}=b/a",
            # Callers lost in the IVR are called back from support (sales holds one).
            "CALLCENTER_CLUSTER__LOST_CALLS_QUEUE": "support",
        }
        a, b = (
            start_node(stack, tmp_path_factory, n, url, carrier, ports, **at_front) for n in "ab"
        )
        config = load_config(None, environ=a.instance.env)
        kamailio = prepare_front(config, a.instance.runtime, a.instance.secrets.agent_passwords)
        try:
            kamailio.up()
        except FrontError as exc:
            pytest.fail(f"the front must come up here: {exc}")
        stack.callback(kamailio.down)
        work = tmp_path_factory.mktemp("front-sipp")
        callers = Sipp(a.instance.runtime, work, config.cluster.front_port, sip_host="127.0.0.2")
        yield kamailio, a, b, callers


def node_of(node: Node, caller: str) -> str:
    """The node whose Asterisk took the call: its Uniqueid carries the node id."""
    record = until(lambda: call_record(node.instance, caller), 15, what=f"{caller}'s call")
    return record.call_id.partition("-")[0]


def front_log(front: Front) -> str:
    return (front.dir / "log" / "kamailio.log").read_text(errors="replace")


def test_a_caller_through_the_front_reaches_the_home_node(front: Any) -> None:
    kamailio, a, _b, callers = front
    caller = new_caller()
    number = a.instance.config.dialplan.virtual_number
    callers.start(
        f"call-{caller}",
        caller_scenario(caller, hangup_after=3, routed=True),
        service=number,
        local_ip=TRUNK_IP,
    ).assert_ok(30)
    assert node_of(a, caller) == "a"
    assert kamailio.state() is not None


def test_when_no_node_takes_the_call_the_carrier_gets_503_with_retry_after(front: Any) -> None:
    """Both nodes refuse at admission (mode "refuse", the door closed): the front answers
    503 with Retry-After ([admission] retry_after), so a carrier overflows elsewhere."""
    _kamailio, a, b, callers = front
    for node in (a, b):
        node.instance.asterisk_cli("dialplan set global ADMIT_MODE refuse")
        node.instance.asterisk_cli("dialplan set global ADMIT_CLOSED_UNTIL 4102444800")
    try:
        call = callers.start(
            "call-refused",
            caller_scenario(new_caller(), hangup_after=3, routed=True),
            service=a.instance.config.dialplan.virtual_number,
            local_ip=TRUNK_IP,
        )
        call.wait(30)
        answer = call.output() + _messages(call)
        assert re.search(r"SIP/2.0 503 .*\n(?:.*\n)*?Retry-After: 60", answer), answer[-2000:]
    finally:
        for node in (a, b):
            node.instance.asterisk_cli("dialplan set global ADMIT_MODE callback")
            node.instance.asterisk_cli("dialplan set global ADMIT_CLOSED_UNTIL 0")


def _messages(run: SippRun) -> str:
    path = run.log.with_suffix(".messages")
    return path.read_text(errors="replace") if path.exists() else ""


def test_a_restarted_front_still_knows_the_phones_registered_there(front: Any) -> None:
    kamailio, a, _b, callers = front
    port = callers.register_agent("1001", kamailio.passwords["1001"])
    assert "1001" in [r.agent for r in front_registrations(a.instance.config)]
    kamailio.down()
    kamailio.up()  # a new Kamailio: its registrar is PostgreSQL, not its memory
    agent = callers.start(
        "agent-1001-after-restart",
        answer_scenario(talk_until_bye=20, routed=True),
        port=port,  # the phone never registered again
        local_ip=PHONE_IP,
        timeout=60,
    )
    caller = new_caller()  # the demo's menus to support: no wrap-up for the next test
    callers.start(
        f"call-{caller}",
        caller_scenario(
            caller, digits=DEMO_TO_SUPPORT, hangup_after=4, bye_timeout=30, routed=True
        ),
        service=a.instance.config.dialplan.virtual_number,
        local_ip=TRUNK_IP,
        timeout=40,
    ).assert_ok(40)
    agent.assert_ok(30)
    assert "lock set not initialized" not in front_log(kamailio)  # lock(agent) is real


def agent_at_front(front: Any, calls: int = 1, talk: float = 20) -> SippRun:
    """Agent 1001's phone, registered at the front; it answers ``calls`` calls, each until
    the other side hangs up (``talk`` seconds at most)."""
    kamailio, _a, _b, callers = front
    ext = "1001"
    port = callers.register_agent(ext, kamailio.passwords[ext])
    return callers.start(
        "agent-1001",
        answer_scenario(talk_until_bye=talk, routed=True),
        port=port,
        local_ip=PHONE_IP,
        load=("-m", str(calls)),
        timeout=60,
    )


def queue_call(front: Any, caller: str, number: str = "7000", talk: float = 4) -> SippRun:
    _kamailio, _a, _b, callers = front
    return callers.start(
        f"call-{caller}",
        caller_scenario(caller, hangup_after=talk, bye_timeout=30, routed=True),
        service=number,
        local_ip=TRUNK_IP,
        timeout=40,
    )


def test_an_agent_registered_at_the_front_answers_the_home_nodes_queue_call(front: Any) -> None:
    _kamailio, a, _b, callers = front
    refused = callers.start(
        "register-wrong",
        register_scenario("1001", "not-the-password"),
        local_ip=PHONE_IP,
        timeout=10,
    )
    assert refused.wait(15) != 0  # the front checks the agent's password
    agent = agent_at_front(front)
    caller = "1555" + new_caller()[-7:]  # the test router sends 1555… to sales
    queue_call(front, caller).assert_ok(40)
    agent.assert_ok(30)
    assert node_of(a, caller) == "a"


def test_an_agent_on_a_call_through_one_node_is_not_rung_by_the_other(front: Any) -> None:
    kamailio, a, b, _callers = front
    agent = agent_at_front(front, calls=2)
    first, second = ("1555" + new_caller()[-7:] for _ in range(2))
    on_a = queue_call(front, first, talk=8)
    rang = agent.log.with_suffix(".messages")
    until(lambda: rang.exists() and "INVITE sip:" in rang.read_text(), 20, what="1001 rung on A")
    # B's sales queue rings 1001 while they talk on A: refused at the front until A's
    # call ends; then B reaches them (the caller hangs up 18 s after B answered).
    waits_on_b = queue_call(front, second, SECOND, talk=18)
    on_a.assert_ok(30)
    waits_on_b.assert_ok(40)
    agent.assert_ok(40)
    assert (node_of(a, first), node_of(b, second)) == ("a", "b")
    log = front_log(kamailio)
    assert "agent 1001 busy on another call: refused" in log  # B tried while A had them
    invites = agent.log.with_suffix(".messages").read_text().count("INVITE sip:")
    assert invites == 2  # the phone never rang while it was busy


def active_calls(node: Node) -> int:
    found = re.search(r"(\d+) active call", node.instance.asterisk_cli("core show channels count"))
    return int(found[1]) if found else 0


def calls_on(node: Node, caller: str) -> dict[str, int]:
    """How many of ``caller``'s calls each node's Asterisk took (the shared call log)."""
    engine = make_engine(node.instance.config.database_url)
    try:
        records = asyncio.run(SqlCallLog(make_sessions(engine)).recent(500))
    finally:
        engine.dispose()
    return dict(Counter(r.call_id.partition("-")[0] for r in records if r.caller == caller))


@contextlib.contextmanager
def shared_db(node: Node) -> Iterator[Session]:
    """A session on the cluster's shared database, as ``node`` is configured."""
    engine = make_engine(node.instance.config.database_url)
    try:
        with make_sessions(engine)() as s:
            yield s
    finally:
        engine.dispose()


def lost_on(node: Node, failed: str) -> dict[str, str]:
    """Calls of node ``failed`` recorded lost, by Uniqueid: why (the shared call log)."""
    with shared_db(node) as s:
        rows = s.execute(select(CallRow.call_id, CallRow.lost).where(CallRow.lost != ""))
        return {call_id: why for call_id, why in rows if call_id.startswith(f"{failed}-")}


def callbacks_for(node: Node, call_ids: set[str]) -> dict[int, tuple[str, str, str]]:
    """Every callback offered for ``call_ids``: its id → (queue, number, owning node)."""
    with shared_db(node) as s:
        c = CallbackRow
        query = select(c.id, c.queue, c.number, c.owner_node).where(c.call_id.in_(call_ids))
        return {i: (q, n, o) for i, q, n, o in s.execute(query)}


def tickets_of(node: Node, call_ids: set[str]) -> set[int]:
    """The tickets the interactions of ``call_ids`` are on."""
    with shared_db(node) as s:
        i = InteractionRow
        query = select(i.ticket_id).where(i.source == "asterisk", i.source_id.in_(call_ids))
        return set(s.scalars(query))


def page_text(browser: Any) -> str:
    return str(browser.find_element(By.TAG_NAME, "body").text)


def answered(run: SippRun) -> bool:
    messages = run.log.with_suffix(".messages")
    return messages.exists() and "ACK sip:" in messages.read_text(errors="replace")


def test_killing_the_home_nodes_asterisk_sends_every_new_call_to_the_standby(
    front: Any, browser: Any
) -> None:
    kamailio, a, b, callers = front
    number = a.instance.config.dialplan.virtual_number
    port = a.instance.config.asterisk.sip_port
    # When A dies: agent 1001 (registered at the front) talks with a queue caller on A,
    # and four callers are in A's IVR. Lost with A — and ended for both parties (a BYE
    # from the front once its in-dialog keepalive to A fails), not left in silence.
    agent = agent_at_front(front, talk=70)
    talking = "7916" + new_caller()[-7:]  # the test router sends 7916… to a queue
    in_queue = callers.start(
        f"call-{talking}",
        caller_scenario(talking, bye_timeout=70, routed=True),
        service=number,
        local_ip=TRUNK_IP,
        timeout=120,
    )
    until(lambda: answered(agent), 30, what="1001 talks")
    in_ivr = ["7999" + new_caller()[-7:] for _ in range(4)]
    on_a = [
        callers.start(
            f"on-a-{n}",
            caller_scenario(n, bye_timeout=70, routed=True),
            service=number,
            local_ip=TRUNK_IP,
            timeout=120,
        )
        for n in in_ivr
    ]
    # Each answered (a call still being set up when A dies waits out SIP's timers instead).
    until(lambda: all(map(answered, on_a)), 20, what="4 callers in A's IVR")
    assert active_calls(a) >= 5
    asterisk = a.instance.sandbox.state()
    assert asterisk is not None
    os.kill(asterisk.pid, signal.SIGKILL)
    killed = time.monotonic()
    # New calls at 5 per second from the moment of the kill: every one is answered.
    new_calls = callers.start(
        "new-calls",
        caller_scenario("79990000002", hangup_after=2, routed=True),
        service=number,
        local_ip=TRUNK_IP,
        load=("-r", "5", "-m", "40"),
        timeout=90,
    )
    until(lambda: f"node down: sip:127.0.0.1:{port}" in front_log(kamailio), 10, what="A down")
    detected = time.monotonic() - killed
    # B records A's five calls lost — only those: A's earlier calls hung up — once each,
    # and offers each caller one callback, in the call's queue or the default one.
    lost = until(lambda: (found := lost_on(b, "a")) and len(found) >= 5 and found, 30)
    recorded = time.monotonic() - killed
    assert set(lost.values()) == {"node failure (a)"}
    assert len(lost) == 5, lost
    offered = callbacks_for(b, set(lost))
    assert sorted(n for _q, n, _o in offered.values()) == sorted(
        f"+{n}" for n in [talking, *in_ivr]
    )
    assert sorted({q for q, _n, _o in offered.values()}) == ["callbacks", "support"]
    assert {o for *_r, o in offered.values()} == {"b"}  # placed by the survivor
    lead = api_token(b.instance, Role.SUPERVISOR)
    view = api_call(b.daemon, lead, "GET", "/cluster/nodes")
    assert view["lost_calls"] == 5
    assert not next(n for n in view["nodes"] if n["node"] == "a")["live"]  # A gave up its lease
    # Each lost call is on its caller's ticket, with why and what was offered.
    sign_in(browser, b.instance, b.daemon, Role.SUPERVISOR)
    for ticket in tickets_of(b, set(lost)):
        browser.get(f"{b.daemon.url}/tickets/{ticket}")
        until(lambda: "lost: node failure (a) — callback" in page_text(browser), 10)
    for callback in offered:  # nobody waits for these customers here: cancelled
        api_call(b.daemon, lead, "DELETE", f"/callbacks/{callback}")
    new_calls.assert_ok(80)  # SIPp exits 0 only when no call failed
    landed = until(lambda: (n := calls_on(b, "79990000002")) and sum(n.values()) == 40 and n, 20)
    assert landed == {"b": 40}
    for run in (*on_a, in_queue, agent):
        run.assert_ok(80)  # each got its BYE: keepalive (30 s) + the dialog's last 10 s
    ended = time.monotonic() - killed
    assert ended < 55, f"the calls on A ended {ended:.0f} s after it died"
    assert detected < 5, f"the front took {detected:.1f} s to mark A down"
    assert recorded < 15, f"B recorded A's calls lost {recorded:.0f} s after it died"


def test_after_the_failover_the_same_agent_answers_the_standbys_queue_call(front: Any) -> None:
    _kamailio, _a, b, _callers = front
    agent = agent_at_front(front)
    caller = "1555" + new_caller()[-7:]
    queue_call(front, caller).assert_ok(40)
    agent.assert_ok(30)
    assert node_of(b, caller) == "b"  # A is down: its partition is on B, and so is the call
