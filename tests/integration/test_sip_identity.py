"""Who may call in without an account, and what a scanner can learn: probed with raw SIP
from the trunk network and from outside it, against the real Asterisk."""

from __future__ import annotations

import pytest

from tests.support.calls import call_record
from tests.support.instance import DaemonProcess, Instance
from tests.support.raw_sip import Answer, RawSip
from tests.support.sipp import OUTSIDE_IP, PHONE_IP, TRUNK_IP

pytestmark = pytest.mark.asterisk

# Agents that exist (the demo's), the trunk endpoint's own name, and names that exist nowhere.
AGENTS = ("1001", "1002")
NAMES = (*AGENTS, "trunk", "1003", "1999", "100", "7000", "admin", "asterisk", "fallback")


def _server(instance: Instance) -> tuple[str, int]:
    return ("127.0.0.1", instance.config.asterisk.sip_port)


def _scan(instance: Instance, source: str, method: str, target: str = "") -> dict[str, Answer]:
    with RawSip(source, _server(instance)) as sip:
        return {name: sip.request(method, name, target) for name in NAMES}


@pytest.mark.parametrize("source", [OUTSIDE_IP, TRUNK_IP])
@pytest.mark.parametrize(
    ("method", "target"), [("REGISTER", ""), ("OPTIONS", ""), ("INVITE", "9999")]
)
def test_no_answer_tells_which_users_exist(
    instance: Instance, daemon: DaemonProcess, source: str, method: str, target: str
) -> None:
    answers = _scan(instance, source, method, target)
    assert all(a.status >= 200 for a in answers.values()), answers
    distinct = {str(a) for a in answers.values()}
    assert len(distinct) == 1, f"{method} from {source} tells users apart: " + ", ".join(
        f"{name}: {a}" for name, a in answers.items()
    )


def test_outside_every_user_is_challenged_alike(instance: Instance, daemon: DaemonProcess) -> None:
    """From outside the trunk networks the one answer is a digest challenge (agents must
    authenticate, and nobody else is let in); inside, the trunk's answer, never one."""
    outside = _scan(instance, OUTSIDE_IP, "REGISTER")["trunk"]
    assert outside.status == 401
    assert "Digest" in outside.challenge
    inside = _scan(instance, TRUNK_IP, "REGISTER")["1001"]
    assert inside.status == 403  # the trunk registers nowhere, whoever it names


def test_naming_the_trunk_from_outside_reaches_nothing(
    instance: Instance, daemon: DaemonProcess
) -> None:
    number = instance.config.dialplan.virtual_number
    with RawSip(OUTSIDE_IP, _server(instance)) as sip:
        answer = sip.request("INVITE", "trunk", number)
        again = sip.request("INVITE", "trunk", number, password="")  # any password at all
    assert answer.status == 401, answer
    assert again.status in (401, 403), again
    assert call_record(instance, "trunk") is None
    log = (instance.config.state_dir / "asterisk" / "log" / "messages.log").read_text()
    assert "callcenter inbound from trunk" not in log


def test_agents_still_register_from_their_phones(instance: Instance, daemon: DaemonProcess) -> None:
    password = instance.secrets.agent_passwords["1001"]
    with RawSip(PHONE_IP, _server(instance)) as sip:
        assert sip.request("REGISTER", "1001", password=password).status == 200
        assert sip.request("REGISTER", "1001", password="wrong").status == 401
        # Remove the contact again: no phone answers behind it.
        assert sip.request("REGISTER", "1001", password=password, expires=0).status == 200
