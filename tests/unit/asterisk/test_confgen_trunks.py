"""The carrier side of Asterisk's configuration: endpoints, auth and registration per
trunk, our numbers in from-trunk, and the outbound route that tries the trunks in order."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from callcenter.asterisk.confgen import render_all, template_values
from callcenter.asterisk.confgen_sections import TemplateError
from callcenter.asterisk.confgen_trunks import number_lines, outbound_lines, trunk_sections
from callcenter.config import ConfigError, load_config
from callcenter.config_trunks import NumberConfig, TrunkConfig
from callcenter.secrets import load_or_create_secrets
from tests.unit.asterisk.test_confgen import LAYOUT

CARRIER = TrunkConfig(
    name="carrier",
    host="sip.example.net:5060",
    register=True,
    username="7495000",
    expiration=300,
    retry_seconds=20,
    caller_id="+74950000000",
)
BACKUP = TrunkConfig(name="backup", host="203.0.113.9", codecs=("alaw",))


def test_a_registering_trunk_has_auth_registration_and_identification() -> None:
    text = trunk_sections([CARRIER], {"carrier": "s3cret"}, "; media")
    assert "[carrier]\ntype = endpoint\nidentify_by = ip\n" in text
    assert "outbound_auth = carrier-auth" in text
    assert "from_domain = sip.example.net" in text
    assert "[carrier-auth]\ntype = auth\nauth_type = userpass\nusername = 7495000\n" in text
    assert "password = s3cret" in text
    registration = text[text.index("type = registration") :]
    for line in (
        "server_uri = sip:sip.example.net:5060",
        "client_uri = sip:7495000@sip.example.net:5060",
        "expiration = 300",
        "retry_interval = 20",
        "forbidden_retry_interval = 20",
        "auth_rejection_permanent = no",
        "line = yes",
        "endpoint = carrier",
    ):
        assert line in registration
    assert "match = sip.example.net" in text  # the carrier's own address


def test_a_trunk_by_address_has_no_auth_and_its_codecs() -> None:
    text = trunk_sections([BACKUP], {}, "; media")
    assert "auth" not in text.replace("outbound_auth", "").replace("auth_", "x")
    assert "allow = alaw" in text
    assert "type = registration" not in text
    assert "match = 203.0.113.9" in text


def test_a_trunk_that_authenticates_without_a_password_names_where_to_set_it() -> None:
    with pytest.raises(TemplateError, match="CALLCENTER_TRUNK_PASSWORD_CARRIER"):
        trunk_sections([CARRIER], {}, "")


def test_a_password_cannot_add_a_line() -> None:
    with pytest.raises(TemplateError):
        trunk_sections([CARRIER], {"carrier": "x\n[evil]"}, "")


def test_calls_out_try_each_trunk_and_go_on_only_when_the_carrier_cannot_take_them() -> None:
    text = outbound_lines([CARRIER, BACKUP], "7000")
    first, second = text.index("PJSIP/carrier/"), text.index("PJSIP/backup/")
    assert first < second
    between = text[first:second]
    assert '"${DIALSTATUS}" = "CHANUNAVAIL"' in between
    assert '"${DIALSTATUS}" = "CONGESTION"' in between
    assert "UserEvent(CallcenterTrunk,Trunk: carrier,State: failover" in between
    # The queue's caller id (ARG2) first, else the trunk's, else the centre's number.
    assert "${ARG2}:+74950000000" in text[:first]
    assert "${ARG2}:7000" in text[first:]
    assert "Dial(PJSIP/backup/sip:${CC_NUMBER}@203.0.113.9,${ARG3})" in text


def test_a_trunk_that_takes_no_calls_out_is_not_dialled() -> None:
    inbound_only = dataclasses.replace(BACKUP, outbound=False)
    assert "backup" not in outbound_lines([CARRIER, inbound_only], "7000")


def test_our_numbers_lead_into_the_ivr_and_nothing_else_does() -> None:
    lines = number_lines([NumberConfig("74951110001", "main")], "7000")
    assert lines.splitlines() == [
        "exten => 7000,1,Goto(callcenter-inbound,${EXTEN},1)",
        "exten => 74951110001,1,Goto(callcenter-inbound,${EXTEN},1)",
    ]


def test_the_rendered_dialplan_refuses_other_numbers_with_404_and_says_so(tmp_path: Path) -> None:
    config = load_config(
        None,
        environ={
            "CALLCENTER_TRUNKS": json.dumps([dataclasses.asdict(BACKUP)]),
            "CALLCENTER_NUMBERS": json.dumps([{"number": "74951110001", "flow": "main"}]),
        },
    )
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    files = render_all(template_values(config, secrets, LAYOUT))
    dialplan = files["dialplan/callcenter.conf"]
    trunk = dialplan[dialplan.index("[from-trunk]") : dialplan.index("[callcenter-inbound]")]
    assert "exten => 74951110001,1,Goto(callcenter-inbound" in trunk
    refused = trunk[trunk.index("exten => _[0-9*#+a-zA-Z].") :]
    assert "UserEvent(CallcenterRefused" in refused
    assert "Hangup(1)" in refused  # unallocated: chan_pjsip answers 404
    assert "Stasis" not in trunk
    assert "[backup]\ntype = endpoint" in files["pjsip.conf"]
    assert "[trunk]" not in files["pjsip.conf"]  # the demo's trunk only without [[trunks]]


def test_behind_nat_the_transport_says_the_public_address_outside_the_local_nets(
    tmp_path: Path,
) -> None:
    config = load_config(
        None,
        environ={
            "CALLCENTER_ASTERISK__EXTERNAL_SIGNALING_ADDRESS": "198.51.100.20",
            "CALLCENTER_ASTERISK__LOCAL_NET": "192.168.1.0/24,10.0.0.0/8",
        },
    )
    files = render_all(template_values(config, load_or_create_secrets(tmp_path, ()), LAYOUT))
    transport = files["pjsip.conf"].split("[transport-udp]")[1].split("\n\n")[0]
    assert "external_signaling_address = 198.51.100.20" in transport
    assert "external_media_address = 198.51.100.20" in transport
    assert "local_net = 192.168.1.0/24\nlocal_net = 10.0.0.0/8" in transport


def test_a_bad_nat_address_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"asterisk\.local_net: 'home'"):
        load_config(None, environ={"CALLCENTER_ASTERISK__LOCAL_NET": "home"})


def test_tls_for_phones_adds_a_transport_and_srtp_on_the_phones_only(tmp_path: Path) -> None:
    config = load_config(
        None,
        environ={
            "CALLCENTER_TLS__PORT": "5061",
            "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path),
            "CALLCENTER_ASTERISK__SIP_BIND": "192.0.2.10",
        },
    )
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    pjsip = render_all(template_values(config, secrets, LAYOUT))["pjsip.conf"]
    tls = pjsip.split("[transport-tls]")[1].split("\n\n")[0]
    assert "protocol = tls\nbind = 192.0.2.10:5061" in tls
    assert f"cert_file = {tmp_path / 'asterisk/lib/keys/tls-cert.pem'}" in tls
    agent = pjsip.split("[1001]\ntype = endpoint")[1].split("\n\n")[0]
    assert "media_encryption = sdes\nmedia_encryption_optimistic = yes" in agent
    trunk = pjsip.split("[trunk]\ntype = endpoint")[1].split("\n\n")[0]
    assert "media_encryption" not in trunk


@pytest.mark.parametrize(
    ("env", "culprit"),
    [
        ({"CALLCENTER_TLS__PORT": "5060"}, "tls.port: 5060 is asterisk.sip_port"),
        ({"CALLCENTER_TLS__PORT": "5061", "CALLCENTER_TLS__CERT_FILE": "/x.pem"}, "go together"),
        (
            {"CALLCENTER_TLS__CERT_FILE": "/nonexistent.pem", "CALLCENTER_TLS__KEY_FILE": "/k"},
            "tls.cert_file: /nonexistent.pem is not a file",
        ),
    ],
)
def test_bad_tls_settings_name_the_key(env: dict[str, str], culprit: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(None, environ=env)
    assert culprit in str(raised.value)
