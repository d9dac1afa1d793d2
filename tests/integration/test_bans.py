"""Failed SIP logins ban the address in Asterisk itself: the right password then fails from
there, other addresses are unaffected, admins see and lift bans, bans end by themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By

from callcenter.cli import main
from callcenter.domain.tickets import Role
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.raw_sip import RawSip
from tests.support.sipp import OUTSIDE_IP, TRUNK_IP
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

ATTACKER, NEIGHBOUR = OUTSIDE_IP, "127.0.0.4"
BAN_AFTER, BAN_SECONDS = 5, 12


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, DaemonProcess]]:
    """An instance of its own that bans loopback addresses (the shared one never does)."""
    state = tmp_path_factory.mktemp("bans")
    instance = Instance.create(
        state,
        CALLCENTER_SECURITY__NEVER_BAN="",
        CALLCENTER_SECURITY__BAN_AFTER=str(BAN_AFTER),
        CALLCENTER_SECURITY__BAN_SECONDS=str(BAN_SECONDS),
    )
    instance.sandbox.up()
    daemon = DaemonProcess(instance, state / "daemon.log")
    daemon.start()
    yield instance, daemon
    daemon.stop()
    instance.sandbox.down()


def _register(instance: Instance, source: str, password: str) -> int:
    with RawSip(source, ("127.0.0.1", instance.config.asterisk.sip_port)) as sip:
        return sip.request("REGISTER", "1001", password=password, expires=0).status


def _guess_until_banned(instance: Instance, daemon: DaemonProcess, source: str) -> None:
    right = instance.secrets.agent_passwords["1001"]
    assert _register(instance, source, right) == 200  # not banned yet
    for n in range(BAN_AFTER):
        assert _register(instance, source, f"guess-{n}") == 401
    until(
        lambda: _register(instance, source, right) == 403,
        10,
        what=f"{source} banned ({daemon.log_path})",
    )


def test_failed_logins_ban_the_address_and_only_it(
    guarded: tuple[Instance, DaemonProcess],
) -> None:
    instance, daemon = guarded
    right = instance.secrets.agent_passwords["1001"]
    _guess_until_banned(instance, daemon, ATTACKER)
    # Banned: the right password fails, and so does everything else from there.
    with RawSip(ATTACKER, ("127.0.0.1", instance.config.asterisk.sip_port)) as sip:
        assert sip.request("OPTIONS", "anyone").status == 403
        assert sip.request("INVITE", "trunk", instance.config.dialplan.virtual_number).status == 403
    assert _register(instance, NEIGHBOUR, right) == 200  # another address is unaffected
    assert "SIP ban: 127.0.0.3" in daemon.log()

    # The ban ends by itself (a sweep after expires_at), and the address is let in again.
    until(lambda: _register(instance, ATTACKER, right) == 200, BAN_SECONDS + 15, what="expiry")


def test_the_trunk_networks_are_never_banned(guarded: tuple[Instance, DaemonProcess]) -> None:
    instance, _ = guarded
    with RawSip(TRUNK_IP, ("127.0.0.1", instance.config.asterisk.sip_port)) as sip:
        for n in range(BAN_AFTER * 2):
            sip.request("REGISTER", f"10{n:02d}", password="x")
        assert sip.request("OPTIONS", "anyone").status == 200  # still the trunk's answer


def test_admins_list_and_lift_bans_from_the_api_the_cli_and_the_page(
    guarded: tuple[Instance, DaemonProcess], browser: Any, tmp_path: Path
) -> None:
    instance, daemon = guarded
    right = instance.secrets.agent_passwords["1001"]
    _guess_until_banned(instance, daemon, ATTACKER)

    admin, supervisor = api_token(instance, Role.ADMIN), api_token(instance, Role.SUPERVISOR)
    status, _ = api_status(daemon, supervisor, "GET", "/security/bans")
    assert status == 403
    body = api_call(daemon, admin, "GET", "/security/bans")
    assert [b["address"] for b in body["active"]] == [ATTACKER]
    assert body["active"][0]["failures"] >= BAN_AFTER

    listed = CliRunner().invoke(main, ["bans", "list"], env=instance.env)
    assert listed.exit_code == 0, listed.output
    assert ATTACKER in listed.output

    # The page shows it; its Lift button lifts it, and Asterisk lets the address in at once.
    sign_in(browser, instance, daemon, Role.ADMIN)
    browser.get(f"{daemon.url}/security")
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, f'#active tr[data-address="{ATTACKER}"]'),
        10,
        what="the ban on the page",
    )
    browser.find_element(By.CSS_SELECTOR, f'#active tr[data-address="{ATTACKER}"] button').click()
    until(lambda: _register(instance, ATTACKER, right) == 200, 10, what="the lift applied")
    until(
        lambda: "by token" in browser.find_element(By.ID, "recent").text,
        10,
        what="the lift in the page's history",
    )

    # Banned again, lifted with the CLI: the running daemon applies it within a sweep.
    _guess_until_banned(instance, daemon, ATTACKER)
    lifted = CliRunner().invoke(main, ["bans", "lift", ATTACKER], env=instance.env)
    assert lifted.exit_code == 0, lifted.output
    until(lambda: _register(instance, ATTACKER, right) == 200, 15, what="the CLI lift applied")
    refused = CliRunner().invoke(main, ["bans", "lift", "not-an-address"], env=instance.env)
    assert refused.exit_code == 2
    assert "not an IP address" in refused.output
    status, body = api_status(daemon, admin, "DELETE", "/security/bans/1.2.3.4")
    assert status == 404
    assert body["error"]["message"] == "address: '1.2.3.4' is not banned"
