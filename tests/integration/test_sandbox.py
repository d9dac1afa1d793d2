"""The sandbox as an operator meets it: idempotent up, named port conflicts, isolation."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from callcenter.asterisk.sandbox_root import SandboxError
from tests.support.instance import Instance

pytestmark = pytest.mark.asterisk


def test_second_up_reports_the_running_instance(instance: Instance) -> None:
    state, _ = instance.sandbox.up()
    again, started_again = instance.sandbox.up()
    assert not started_again
    assert again.pid == state.pid
    assert "Asterisk running" in again.describe()


def test_a_port_in_use_is_named_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        other = Instance.create(tmp_path / "busy", CALLCENTER_ASTERISK__AMI_PORT=str(port))
        with pytest.raises(SandboxError, match=rf"port {port}/tcp \(asterisk\.ami_port\)"):
            other.sandbox.up()
    assert other.sandbox.state() is None


def test_two_instances_run_side_by_side_and_stop_independently(
    instance: Instance, tmp_path: Path
) -> None:
    second = Instance.create(tmp_path / "second")
    state, started = second.sandbox.up()
    try:
        assert started
        assert "Endpoint:  1001" in second.asterisk_cli("pjsip show endpoints")
        assert state.pid != instance.sandbox.state().pid  # type: ignore[union-attr]
    finally:
        second.sandbox.down()
    assert second.sandbox.state() is None
    assert instance.sandbox.state() is not None  # the first one was not touched
    assert "Endpoint:  1001" in instance.asterisk_cli("pjsip show endpoints")
