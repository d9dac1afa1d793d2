"""``callcenter agents`` without a running Asterisk (the integration test reloads a real one)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from callcenter.config import load_config
from callcenter.domain.softphones import SoftphoneAccount, linphone_xml
from callcenter.secrets import SECRETS_FILE
from callcenter.softphone_accounts import SoftphoneAccounts


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}


def _passwords(env: dict[str, str]) -> dict[str, str]:
    data = json.loads((Path(env["CALLCENTER_INSTANCE__STATE_DIR"]) / SECRETS_FILE).read_text())
    return dict(data["agent_passwords"])


def test_add_prints_softphone_settings_provisioning_url_and_qr(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        [
            "agents",
            "add",
            "Olga Ivanova",
            "--ext",
            "1005",
            "--skills",
            "billing,Tech",
            "--team",
            "support",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "Asterisk is not running" in result.output
    password = _passwords(env)["1005"]
    assert f"password  {password}" in result.output
    assert "user      1005" in result.output
    assert "/agents/1005/provisioning.xml?token=" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code
    listed = CliRunner().invoke(main, ["agents", "list"], env=env)
    assert "Olga Ivanova" in listed.output
    assert "billing,tech" in listed.output
    assert "SIP account" in listed.output


def test_reset_password_changes_it_and_the_provisioning_url(env: dict[str, str]) -> None:
    CliRunner().invoke(main, ["agents", "add", "Olga", "--ext", "1005"], env=env)
    cfg = load_config(None, environ=env)
    before, url_before = _passwords(env)["1005"], SoftphoneAccounts(cfg).provisioning_url("1005")
    result = CliRunner().invoke(main, ["agents", "reset-password", "1005"], env=env)
    assert result.exit_code == 0, result.output
    assert _passwords(env)["1005"] != before
    token_before = url_before.rpartition("=")[2]
    assert SoftphoneAccounts(cfg).account("1005", token_before) is None
    token_now = SoftphoneAccounts(cfg).provisioning_url("1005").rpartition("=")[2]
    account = SoftphoneAccounts(cfg).account("1005", token_now)
    assert account is not None
    assert account.password == _passwords(env)["1005"]


def test_remove_takes_the_sip_account_but_not_configured_agents(env: dict[str, str]) -> None:
    CliRunner().invoke(main, ["agents", "add", "Olga", "--ext", "1005"], env=env)
    assert CliRunner().invoke(main, ["agents", "remove", "1005"], env=env).exit_code == 0
    assert "1005" not in _passwords(env)
    kept = CliRunner().invoke(main, ["agents", "remove", "1001"], env=env)
    assert kept.exit_code != 0
    assert "dialplan.agents" in kept.output
    missing = CliRunner().invoke(main, ["agents", "remove", "4242"], env=env)
    assert "no agent with extension 4242" in missing.output


@pytest.mark.parametrize(
    ("args", "culprit"),
    [
        (["Olga", "--ext", "12a"], "--ext"),
        (["Olga", "--ext", "7000"], "virtual number"),
        (["Olga", "--ext", "1005", "--skills", "bad skill"], "--skills"),
    ],
)
def test_bad_input_names_the_culprit(env: dict[str, str], args: list[str], culprit: str) -> None:
    result = CliRunner().invoke(main, ["agents", "add", *args], env=env)
    assert result.exit_code != 0
    assert culprit in result.output


def test_linphone_document_is_xml_with_the_account() -> None:
    doc = linphone_xml(SoftphoneAccount("10.0.0.5", 5060, "1005", "p<&>w", "Olga"))
    root = ET.fromstring(doc)  # noqa: S314 (our own document)
    ns = {"lp": "http://www.linphone.org/xsds/lpconfig.xsd"}
    entries = {e.get("name"): e.text for e in root.iterfind(".//lp:entry", ns)}
    assert entries["reg_proxy"] == "<sip:10.0.0.5:5060;transport=udp>"
    assert entries["username"] == "1005"
    assert entries["passwd"] == "p<&>w"
    assert "media_encryption" not in entries  # plain UDP: no keys in the clear


def test_on_tls_the_phone_is_asked_for_srtp_and_the_settings_say_so() -> None:
    account = SoftphoneAccount("10.0.0.5", 5061, "1005", "pw", "Olga", "tls", srtp=True)
    root = ET.fromstring(linphone_xml(account))  # noqa: S314 (our own document)
    ns = {"lp": "http://www.linphone.org/xsds/lpconfig.xsd"}
    entries = {e.get("name"): e.text for e in root.iterfind(".//lp:entry", ns)}
    assert entries["reg_proxy"] == "<sip:10.0.0.5:5061;transport=tls>"
    assert entries["media_encryption"] == "srtp"
    assert "media     SRTP (SDES)" in account.lines()
    assert "transport TLS" in account.lines()
