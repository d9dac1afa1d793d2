"""A system Asterisk (asterisk.mode = system): one we do not start. `callcenter asterisk
config` renders its configuration directory; the test then starts Asterisk from a root of
its own the way a distribution's service would (asterisk -f -U asterisk -C …), and the
daemon drives it through a real queue call — answered, recorded, on its ticket. `sandbox
up` starts nothing in this mode; a reload goes through ARI."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.asterisk import system_asterisk
from callcenter.cli import main
from callcenter.domain.calls import CallOutcome
from callcenter.domain.tickets import Role
from tests.support.calls import call_on_ticket
from tests.support.daemon_api import api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.recordings import recorded_queue_call
from tests.support.sipp import Sipp
from tests.support.until import until

pytestmark = pytest.mark.asterisk


@pytest.fixture(scope="module")
def system(
    instance: Instance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Instance, DaemonProcess, Sipp]]:
    root = tmp_path_factory.mktemp("system")
    state, etc = root / "state", root / "state" / "etc-asterisk"
    runtime = instance.runtime  # the "distribution": the cached root's Asterisk
    ours = Instance.create(
        state,
        runtime,
        CALLCENTER_ASTERISK__MODE="system",
        CALLCENTER_ASTERISK__CONFIG_DIR=str(etc),
        CALLCENTER_ASTERISK__MODULES_DIR=runtime.layout(state).mod_dir,
    )
    rendered = CliRunner().invoke(
        main,
        ["asterisk", "config", "--owner", f"{runtime.uid}:{runtime.gid}"],
        env=ours.env,
        catch_exceptions=False,
    )
    assert rendered.exit_code == 0, rendered.output
    assert (etc / "pjsip.conf").stat().st_mode & 0o777 == 0o640
    # Started by "the service manager", not by callcenter.
    argv = ["asterisk", "-f", "-U", "asterisk", "-G", "asterisk", "-C", f"{etc}/asterisk.conf"]
    with open(root / "asterisk.console", "wb") as console:
        process = subprocess.Popen(
            runtime.command(argv, shared=[state]),
            stdin=subprocess.DEVNULL,
            stdout=console,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    daemon = DaemonProcess(ours, root / "daemon.log")
    work = root / "sipp"
    work.mkdir()
    try:
        until(
            lambda: system_asterisk.answering(ours.config, ours.secrets),
            30,
            what=f"the system Asterisk ({root / 'asterisk.console'})",
        )
        daemon.start()
        yield ours, daemon, Sipp(runtime, work, ours.config.asterisk.sip_port)
    finally:
        daemon.stop()
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(15)
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_sandbox_up_starts_nothing_and_says_whose_asterisk_it_is(
    system: tuple[Instance, DaemonProcess, Sipp],
) -> None:
    ours, _, _ = system
    result = CliRunner().invoke(main, ["sandbox", "up"], env=ours.env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "system Asterisk" in result.output
    assert not (ours.config.state_dir / "sandbox.json").exists()
    assert ours.sandbox.reload()  # re-rendered and reloaded through ARI


def test_a_queue_call_through_a_system_asterisk_is_answered_recorded_and_on_its_ticket(
    system: tuple[Instance, DaemonProcess, Sipp],
) -> None:
    ours, daemon, sipp = system
    lead = api_token(ours, Role.SUPERVISOR)
    record, done = recorded_queue_call(ours, daemon, sipp, lead)
    assert record.outcome is CallOutcome.QUEUE
    assert Path(ours.config.state_dir / "asterisk" / "recordings").is_dir()
    assert done["duration"] > 3
    on_ticket = until(lambda: call_on_ticket(ours, record.call_id), 15, what="on its ticket")
    assert on_ticket["queue"] == "support"
    sipp.unregister_all()
