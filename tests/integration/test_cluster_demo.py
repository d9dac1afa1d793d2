"""``callcenter cluster demo`` for real: two nodes (sandbox Asterisk + daemon each) and
the front on one PostgreSQL; a SIPp caller through the front is answered by node a's IVR;
SIGTERM stops every process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sip_probe import options_answered
from callcenter.config import load_config
from callcenter.secrets import load_or_create_secrets
from tests.integration.conftest import IN_CI
from tests.support.databases import PostgresUnavailable, postgres_database
from tests.support.instance import REPO
from tests.support.ports import free_port, free_udp_range
from tests.support.sipp import TRUNK_IP, Sipp
from tests.support.sipp_scenarios import caller_scenario
from tests.support.until import until

pytestmark = pytest.mark.asterisk


@pytest.fixture
def url() -> Iterator[str]:
    try:
        with postgres_database("cc_demo") as made:
            yield made
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI needs PostgreSQL for the cluster: {exc}")
        pytest.skip(str(exc))


def test_the_demo_runs_two_nodes_behind_the_front_and_stops_them(tmp_path: Path, url: str) -> None:
    front_port, rtp = free_port(), free_udp_range(400)
    env = {
        **os.environ,
        "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state"),
        "CALLCENTER_ASTERISK__SIP_BIND": "127.0.0.1",
        # The demo gives node b the ports after node a's (SIP: + 2): free those too.
        "CALLCENTER_ASTERISK__SIP_PORT": str(free_port(span=3)),
        "CALLCENTER_ASTERISK__AMI_PORT": str(free_port(span=2)),
        "CALLCENTER_ASTERISK__HTTP_PORT": str(free_port(span=2)),
        "CALLCENTER_ASTERISK__RTP_START": str(rtp),
        "CALLCENTER_ASTERISK__RTP_END": str(rtp + 399),
        "CALLCENTER_DAEMON__HTTP_PORT": str(free_port(span=2)),
        "CALLCENTER_CLUSTER__FRONT_PORT": str(front_port),
    }
    demo = subprocess.Popen(
        [sys.executable, "-m", "callcenter", "cluster", "demo", "--database", url],
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert demo.stdout is not None
        lines = []
        for raw in demo.stdout:
            lines.append(raw.decode(errors="replace"))
            if "Stop it with Ctrl-C." in lines[-1] or demo.poll() is not None:
                break
        banner = "".join(lines)
        assert "cluster demo is running" in banner, banner
        assert options_answered("127.0.0.2", front_port)
        runtime_root = tmp_path / "sipp"
        runtime_root.mkdir()
        config = load_config(None, environ=env)
        runtime = Sandbox(config, load_or_create_secrets(config.state_dir, ())).runtime()
        callers = Sipp(runtime, runtime_root, front_port, sip_host="127.0.0.2")
        callers.start(
            "caller",
            caller_scenario("14155550123", hangup_after=3, routed=True),
            service=config.dialplan.virtual_number,
            local_ip=TRUNK_IP,
        ).assert_ok(30)
    finally:
        demo.send_signal(signal.SIGTERM)
        code = demo.wait(60)
        if demo.stdout is not None:
            demo.stdout.close()
    assert code == 0
    until(lambda: not options_answered("127.0.0.2", front_port, 0.3), 10, what="front down")
    for node in ("a", "b"):
        assert not (tmp_path / "state" / "cluster-demo" / node / "sandbox.json").exists()
