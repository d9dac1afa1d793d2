"""Phones outside the office: with [tls] on, `agents add` prints a TLS account with SRTP,
the Linphone provisioning document asks for SRTP, and a real softphone (baresip) with only
those settings registers over TLS — trusting the lab's self-signed certificate — and
answers a queue call with SRTP keys exchanged in its SDP (read off Asterisk's own SIP log,
the only place the encrypted signalling is in the clear)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.asterisk import tls_files
from callcenter.cli import main
from callcenter.domain.tickets import Role
from tests.support.baresip import printed_settings, start_softphone
from tests.support.calls import new_caller, queue_call_on_ticket
from tests.support.daemon_api import api_call, api_token, log_out
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT

pytestmark = pytest.mark.asterisk


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, DaemonProcess]]:
    state = tmp_path_factory.mktemp("tls")
    ours = Instance.create(state, CALLCENTER_TLS__PORT=str(free_port()))
    ours.sandbox.up()
    daemon = DaemonProcess(ours, state / "daemon.log")
    try:
        daemon.start()
        yield ours, daemon
    finally:
        daemon.stop()
        ours.sandbox.down()


def test_a_softphone_on_tls_answers_a_queue_call_with_srtp(
    secure: tuple[Instance, DaemonProcess], tmp_path: Path
) -> None:
    ours, daemon = secure
    cert, key = tls_files.paths(ours.config)
    assert key.stat().st_mode & 0o077 == 0o040  # Asterisk's group reads it, nobody else
    cli = CliRunner()
    added = cli.invoke(main, ["agents", "add", "Lena Sokolova", "--ext", "1055"], env=ours.env)
    assert added.exit_code == 0, added.output
    settings = printed_settings(added.output)
    assert (settings["transport"], settings["port"]) == ("TLS", str(ours.config.tls.port))
    assert settings["media"] == "SRTP"
    url = next(w for w in added.output.split() if "provisioning.xml" in w)
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (loopback)
        xml = resp.read().decode()
    assert "transport=tls" in xml
    assert '<entry name="media_encryption">srtp</entry>' in xml
    ours.asterisk_cli("pjsip set logger on")
    phone = start_softphone(ours.runtime, tmp_path / "baresip", settings, cafile=cert)
    supervisor = api_token(ours, Role.SUPERVISOR)
    sipp = Sipp(ours.runtime, tmp_path / "sipp", ours.config.asterisk.sip_port)
    (tmp_path / "sipp").mkdir()
    try:
        phone.wait_for("200 OK", 20)  # registered
        aor = ours.asterisk_cli("pjsip show aor 1055")
        assert "1055/sip:1055" in aor
        assert "transport=tls" in aor.lower(), aor
        api_call(daemon, supervisor, "POST", "/agents/1055/login")
        caller = new_caller()
        call = sipp.call(
            ours.config.dialplan.virtual_number, caller, digits=DEMO_TO_SUPPORT, hangup_after=8
        )
        call.assert_ok(40)
        answered = queue_call_on_ticket(ours, caller, "answered")
        assert (answered["queue"], answered["agent"]) == ("support", "1055")
        # Asterisk's log of the SIP it exchanged with the phone: the INVITE and the
        # phone's 200 OK carry SRTP keys.
        console = (ours.config.state_dir / "asterisk" / "log" / "console.log").read_text(
            errors="replace"
        )
        answers = [m for m in console.split("<--- ") if "Server: baresip" in m and "m=audio" in m]
        assert answers, "the phone's answer with its SDP"
        assert "a=crypto:" in answers[0], answers[0]
        assert "SRTP is Enabled" in phone.output()  # and the phone used it
    finally:
        log_out(daemon, supervisor, "1055")
        phone.stop()
        cli.invoke(main, ["agents", "remove", "1055"], env=ours.env)
