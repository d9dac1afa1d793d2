"""Two nodes on one PostgreSQL — each a real Asterisk with its daemon — and callbacks that
are dialled exactly once across them: daemon A is killed with -9 while it holds claimed
callbacks whose placeholders wait in A's Asterisk; B takes them over when A's lease
lapses; an agent answering A's left-behind placeholders dials nobody (the dial gate is
A's daemon, and it is gone); B's agent calls each customer once; A, restarted, has its
stale claims refused. SIPp plays the agents and the customers' carrier."""

from __future__ import annotations

import contextlib
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.domain.tickets import Role
from tests.integration.conftest import IN_CI
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.databases import PostgresUnavailable, postgres_database
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port
from tests.support.sipp import PHONE_IP, TRUNK_IP, Sipp, SippRun
from tests.support.sipp_scenarios import answer_scenario, busy_agent_scenario
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

LEASE = 3  # seconds: a lapsed node is taken over quickly here


class Node:
    def __init__(self, instance: Instance, daemon: DaemonProcess, work: Path) -> None:
        self.instance = instance
        self.daemon = daemon
        work.mkdir()
        self.sipp = Sipp(instance.runtime, work, instance.config.asterisk.sip_port)

    def agent(
        self, name: str, scenario: str, calls: int, timeout: float, ext: str = "1001"
    ) -> SippRun:
        port = self.sipp.register_agent(ext, self.instance.secrets.agent_passwords[ext])
        return self.sipp.start(
            name,
            scenario,
            port=port,
            local_ip=PHONE_IP,
            load=("-m", str(calls)),
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_database("cc_cluster"))
        except PostgresUnavailable as exc:
            if IN_CI:
                pytest.fail(f"CI needs PostgreSQL for the cluster: {exc}")
            pytest.skip(str(exc))
        carrier = f"127.0.0.2:{free_port()}"  # one customers' carrier for both nodes
        ports = sip_ports()
        nodes = [start_node(stack, tmp_path_factory, n, url, carrier, ports) for n in ports]
        yield nodes[0], nodes[1]


def sip_ports() -> dict[str, int]:
    """Where nodes a and b take SIP: fixed before they start, so each knows the other's."""
    return {"a": free_port(), "b": free_port()}


def start_node(
    stack: contextlib.ExitStack,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    url: str,
    carrier: str,
    ports: dict[str, int],
    **extra: str,
) -> Node:
    state = tmp_path_factory.mktemp(f"node-{name}")
    env = {
        # Two nodes: agents' pause and wrap-up are shared, a failed node's calls are taken
        # over (each probes the other's Asterisk), and the front sends partitions there.
        "CALLCENTER_CLUSTER__NODES": ",".join(f"{n}=127.0.0.1:{p}" for n, p in ports.items()),
        "CALLCENTER_ASTERISK__SIP_PORT": str(ports[name]),
        **extra,
        "CALLCENTER_DATABASE__URL": url,
        "CALLCENTER_CLUSTER__NODE": name,
        "CALLCENTER_CLUSTER__LEASE_SECONDS": str(LEASE),
        "CALLCENTER_CALLBACKS__SWEEP_SECONDS": "1",
        "CALLCENTER_CALLBACKS__TRUNK_CONTACT": carrier,
    }
    inst = Instance.create(state, **env)
    try:
        inst.sandbox.up()
    except (SandboxError, OSError) as exc:
        if IN_CI:
            pytest.fail(f"CI needs a real Asterisk and it could not start: {exc}")
        pytest.skip(f"no real Asterisk here: {exc}")
    stack.callback(inst.sandbox.down)
    node = Node(inst, DaemonProcess(inst, state / "daemon.log"), state / "sipp")
    stack.callback(node.sipp.unregister_all)
    stack.callback(node.daemon.stop)
    node.daemon.start()
    return node


def dialled(run: SippRun) -> list[str]:
    """The numbers a SIPp carrier was asked to call (each INVITE's request URI)."""
    text = run.log.with_suffix(".messages").read_text(errors="replace")
    return re.findall(r"^INVITE sip:\+?(\d+)@", text, re.M)


def cluster(node: Node, token: str) -> dict[str, Any]:
    return {n["node"]: n for n in api_call(node.daemon, token, "GET", "/cluster/nodes")["nodes"]}


def held_by(node: Node, token: str, ids: list[int]) -> list[str]:
    return [api_call(node.daemon, token, "GET", f"/callbacks/{i}")["node"] for i in ids]


def gate(node: Node, callback: int, attempt: int) -> str:
    inst = node.instance
    request = urllib.request.Request(  # noqa: S310 (the node's own loopback gate)
        f"{node.daemon.url}/internal/callbacks/{callback}/{attempt}/take",
        data=f"node={inst.config.cluster.node}".encode(),
        headers={"X-CC-Gate": inst.secrets.dial_gate_secret},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310
        return resp.read().decode()


def test_a_killed_daemons_callbacks_are_taken_over_and_dialled_exactly_once(
    pair: tuple[Node, Node], browser: Any
) -> None:
    a, b = pair
    lead = api_token(a.instance, Role.SUPERVISOR)  # one database: valid on both nodes
    numbers = ["7916" + new_caller()[-7:] for _ in range(3)]
    ids = []
    for number in numbers:
        made = api_call(
            a.daemon, lead, "POST", "/callbacks", {"queue": "support", "number": f"+{number}"}
        )
        ids.append(made["id"])
    assert held_by(a, lead, ids) == ["a", "a", "a"]  # A's placeholders wait in A's queue
    carrier = b.sipp.start(
        "carrier",
        answer_scenario(talk_until_bye=30, ring_for=1),
        port=int(b.instance.config.callbacks.trunk_contact.rpartition(":")[2]),
        local_ip=TRUNK_IP,
        load=("-m", "3"),
        timeout=120,
    )

    a.daemon.kill()
    until(lambda: not cluster(b, lead)["a"]["live"], LEASE + 5, what="node a's lease lapsed")
    until(lambda: held_by(b, lead, ids) == ["b", "b", "b"], 15, what="b took the callbacks over")
    sign_in(browser, b.instance, b.daemon, Role.SUPERVISOR)
    browser.get(f"{b.daemon.url}/cluster")
    row = until(lambda: browser.find_elements(By.CSS_SELECTOR, "#nodes tr[data-node='a']"), 10)[0]
    assert "lapsed" in row.text
    assert "took over 3 callback(s)" in browser.find_element(By.ID, "me").text
    # An agent on A answers A's left-behind placeholders: the gate is A's dead daemon,
    # so nobody is dialled (each ends with an error prompt for the agent).
    left_behind = a.agent("agent-a", answer_scenario(talk_until_bye=20), 3, 90)
    left_behind.assert_ok(80)
    # B's agent takes B's placeholders: each customer is called once.
    served = b.agent("agent-b", busy_agent_scenario(4), 3, 90)
    served.assert_ok(80)
    carrier.assert_ok(40)
    assert sorted(dialled(carrier)) == sorted(numbers)  # each once: no double dial
    done = until(
        lambda: all(
            api_call(b.daemon, lead, "GET", f"/callbacks/{i}")["state"] == "completed" for i in ids
        ),
        20,
        what="every callback completed",
    )
    assert done

    a.daemon.start()  # A comes back: a new epoch, and nothing of its old claims
    nodes = until(lambda: (n := cluster(b, lead)) and n["a"]["live"] and n, 15)
    assert nodes["a"]["epoch"] == 2
    assert (nodes["a"]["waiting"], nodes["a"]["dialing"]) == (0, 0)
    assert gate(a, ids[0], 1) == "no"  # what A's old placeholder would have asked
    a.sipp.unregister_all()  # no phone of this test stays registered for the next
    b.sipp.unregister_all()


def paused_in(node: Node, queue: str, agent: str) -> bool:
    """Whether ``agent`` is paused in ``queue`` of this node's app_queue."""
    shown = node.instance.asterisk_cli(f"queue show {queue}")
    return any(f"PJSIP/{agent}" in line and "paused" in line for line in shown.splitlines())


def test_a_login_a_pause_and_a_wrap_up_on_one_node_hold_on_the_other(
    pair: tuple[Node, Node],
) -> None:
    a, b = pair
    lead = api_token(a.instance, Role.SUPERVISOR)
    api_call(a.daemon, lead, "POST", "/agents/1002/logout")  # on A: B follows at once
    until(lambda: "PJSIP/1002" not in b.instance.asterisk_cli("queue show support"), 10)
    api_call(b.daemon, lead, "POST", "/agents/1002/login")  # on B: A follows
    until(lambda: "PJSIP/1002" in a.instance.asterisk_cli("queue show support"), 10)
    api_call(a.daemon, lead, "POST", "/agents/1002/pause", {"reason": "lunch"})
    until(lambda: paused_in(b, "support", "1002"), 10, what="1002 paused on B too")
    api_call(b.daemon, lead, "POST", "/agents/1002/unpause")
    until(lambda: not paused_in(a, "support", "1002"), 10, what="1002 back on A too")
    # 1002 takes a sales call on A (sales: 4 s of wrap-up); B holds them while it lasts.
    caller = "1555" + new_caller()[-7:]
    agent = a.agent("agent-1002-a", busy_agent_scenario(2), 1, 40, ext="1002")
    call = a.sipp.call(a.instance.config.dialplan.virtual_number, caller, bye_timeout=30)
    agent.assert_ok(30)
    until(lambda: paused_in(b, "support", "1002"), 5, what="1002 wrapping up, held on B")
    until(lambda: not paused_in(b, "support", "1002"), 10, what="the wrap-up over on B")
    call.assert_ok(30)
