"""Agents added at run time register from a real SIP phone; a reload drops no call."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from callcenter.domain.tickets import Role
from callcenter.secrets import load_or_create_secrets
from callcenter.softphone_accounts import SoftphoneAccounts
from tests.support.baresip import printed_settings, start_softphone
from tests.support.calls import new_caller, queue_call_on_ticket
from tests.support.daemon_api import api_call, api_token, log_out
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import PHONE_IP, Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT, register_scenario

pytestmark = pytest.mark.asterisk


def test_an_added_agent_registers_and_a_live_call_survives_the_reload(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    # A call in the IVR while the agent is added: the reload must not drop it.
    live = sipp.call(instance.config.dialplan.virtual_number, "14155550900", hangup_after=9)

    result = CliRunner().invoke(
        main,
        ["agents", "add", "Olga Ivanova", "--ext", "1077", "--skills", "billing"],
        env=instance.env,
    )
    assert result.exit_code == 0, result.output
    assert "Asterisk reloaded PJSIP and queues" in result.output
    password = load_or_create_secrets(instance.config.state_dir, ()).agent_passwords["1077"]
    sipp.register_agent("1077", password)  # digest auth with the printed credentials
    endpoints = instance.asterisk_cli("pjsip show endpoint 1077")
    assert "Avail" in endpoints or "Not in use" in endpoints

    live.assert_ok(40)  # the caller hung up themselves, 9 s in: never dropped

    # The phone's provisioning document comes from the daemon with the agent's token only.
    url = SoftphoneAccounts(instance.config).provisioning_url("1077")
    url = url.replace(url.split("/agents/")[0], daemon.url)
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310
        body = resp.read().decode()
    assert f'<entry name="passwd">{password}</entry>' in body
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url[:-4] + "0000", timeout=5)  # noqa: S310
    caught.value.close()
    assert caught.value.code == 404

    # Removed: the same credentials no longer register.
    assert CliRunner().invoke(main, ["agents", "remove", "1077"], env=instance.env).exit_code == 0
    refused = sipp.start(
        "register-removed", register_scenario("1077", password), timeout=10, local_ip=PHONE_IP
    )
    assert refused.wait(20) != 0
    assert json.dumps("1077") not in json.dumps(
        load_or_create_secrets(instance.config.state_dir, ()).agent_passwords
    )


def test_a_real_softphone_with_only_the_printed_settings_registers_and_answers_a_queue_call(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path
) -> None:
    cli = CliRunner()
    added = cli.invoke(main, ["agents", "add", "Pavel Orlov", "--ext", "1066"], env=instance.env)
    assert added.exit_code == 0, added.output
    settings = printed_settings(added.output)
    assert set(settings) == {"server", "port", "transport", "user", "password"}
    phone = start_softphone(instance.runtime, tmp_path / "baresip", settings)
    supervisor = api_token(instance, Role.SUPERVISOR)
    try:
        phone.wait_for("200 OK", 15)  # registered: baresip prints the REGISTER's answer
        contacts = instance.asterisk_cli("pjsip show contacts")
        assert "1066/sip:1066" in contacts
        api_call(daemon, supervisor, "POST", "/agents/1066/login")
        caller = new_caller()
        call = sipp.call(
            instance.config.dialplan.virtual_number,
            caller,
            digits=DEMO_TO_SUPPORT,
            hangup_after=8,
        )
        call.assert_ok(40)
        answered = queue_call_on_ticket(instance, caller, "answered")
        assert (answered["queue"], answered["agent"]) == ("support", "1066")
        assert answered["talk"] >= 1  # baresip answered by itself and talked
    finally:
        log_out(daemon, supervisor, "1066")
        phone.stop()
        cli.invoke(main, ["agents", "remove", "1066"], env=instance.env)
