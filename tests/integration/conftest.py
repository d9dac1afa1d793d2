"""Integration fixtures: one real Asterisk per session, the daemon as a real process.

When Asterisk cannot be started, these tests fail under CI=true and skip elsewhere (with
the reason), so a CI run can never pass without having placed real calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcenter.asterisk.sandbox_root import SandboxError
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    state = tmp_path_factory.mktemp("instance")
    try:
        inst = Instance.create(state)
        inst.sandbox.up()
    except (SandboxError, OSError) as exc:
        if IN_CI:
            pytest.fail(f"CI needs a real Asterisk and it could not start: {exc}")
        pytest.skip(f"no real Asterisk here: {exc}")
    yield inst
    inst.sandbox.down()


@pytest.fixture(scope="session")
def daemon_process(
    instance: Instance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonProcess]:
    proc = DaemonProcess(instance, tmp_path_factory.mktemp("daemon") / "daemon.log")
    yield proc
    proc.stop()


@pytest.fixture
def daemon(daemon_process: DaemonProcess, instance: Instance) -> DaemonProcess:
    """The daemon, running and healthy, against a running Asterisk."""
    instance.sandbox.up()
    daemon_process.start()
    return daemon_process


@pytest.fixture
def sipp(instance: Instance, tmp_path: Path) -> Sipp:
    work = tmp_path / "sipp"
    work.mkdir()
    return Sipp(instance.runtime, work, instance.config.asterisk.sip_port)
