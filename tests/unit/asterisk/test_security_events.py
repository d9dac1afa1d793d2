from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.asterisk.security_events import auth_failure, remote_address
from callcenter.asterisk.sip_firewall import PjsipBanFile, render_bans
from callcenter.domain.bans import BanError

AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_failed_challenges_and_unknown_accounts_are_failures() -> None:
    event = {
        "Event": "ChallengeResponseFailed",
        "Service": "PJSIP",
        "AccountID": "1001",
        "RemoteAddress": "IPV4/UDP/127.0.0.3/45764",
    }
    failure = auth_failure(event, AT)
    assert failure is not None
    assert (failure.address, failure.account, failure.reason) == (
        "127.0.0.3",
        "1001",
        "ChallengeResponseFailed",
    )
    unknown = auth_failure({**event, "Event": "InvalidAccountID", "AccountID": "1999"}, AT)
    assert unknown is not None
    assert unknown.reason == "InvalidAccountID"


@pytest.mark.parametrize(
    "event",
    [
        {"Event": "SuccessfulAuth", "Service": "PJSIP", "RemoteAddress": "IPV4/UDP/1.2.3.4/5"},
        {"Event": "ChallengeSent", "Service": "PJSIP", "RemoteAddress": "IPV4/UDP/1.2.3.4/5"},
        {"Event": "InvalidPassword", "Service": "AMI", "RemoteAddress": "IPV4/TCP/1.2.3.4/5"},
        {"Event": "InvalidAccountID", "Service": "PJSIP", "RemoteAddress": "garbage"},
    ],
)
def test_everything_else_is_not(event: dict[str, str]) -> None:
    assert auth_failure(event, AT) is None


def test_remote_addresses_of_both_families() -> None:
    assert remote_address("IPV6/UDP/2001:db8::7/5060") == "2001:db8::7"
    assert remote_address("IPV4/TLS/198.51.100.1/5061") == "198.51.100.1"
    assert remote_address("IPV4/UDP/not-an-ip/5060") is None


def test_the_ban_file_denies_exactly_the_banned(tmp_path: object) -> None:
    text = render_bans(["198.51.100.7", "2001:db8::7"])
    assert "[callcenter-bans]\ntype = acl\n" in text
    assert "deny = 198.51.100.7/32\n" in text
    assert "deny = 2001:db8::7/128\n" in text
    assert "[callcenter-bans]" not in render_bans([])  # no ACL at all: nothing denied
    with pytest.raises(BanError):
        render_bans(["1.2.3.4\ndeny = 0.0.0.0/0"])


async def test_writing_then_reloading(tmp_path: object) -> None:
    from pathlib import Path

    reloads: list[int] = []

    async def reload() -> None:
        reloads.append(1)

    file = PjsipBanFile(Path(str(tmp_path)), reload, gid=None)
    await file.deny(["198.51.100.7"])
    assert "deny = 198.51.100.7/32" in (Path(str(tmp_path)) / "pjsip_bans.conf").read_text()
    assert file.write(["198.51.100.7"]) is False  # unchanged
    await file.deny([])
    assert reloads == [1, 1]
