from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.bans import (
    AuthFailure,
    BanError,
    BanPolicy,
    FailureCounter,
    decide,
    parse_address,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _fail(address: str, seconds: float) -> AuthFailure:
    return AuthFailure(address, "1001", "ChallengeResponseFailed", T0 + timedelta(seconds=seconds))


def test_the_nth_failure_in_the_window_bans() -> None:
    policy = BanPolicy(after=3, window=60, duration=900)
    counter = FailureCounter(policy)
    counts = [counter.record(_fail("203.0.113.9", s)) for s in (0, 10, 20)]
    assert counts == [1, 2, 3]
    ban = decide(policy, _fail("203.0.113.9", 20), 3)
    assert ban is not None
    assert ban.expires_at == T0 + timedelta(seconds=920)
    assert "3 failed SIP authentications in 60s" in ban.reason
    assert decide(policy, _fail("203.0.113.9", 10), 2) is None


def test_failures_older_than_the_window_do_not_count() -> None:
    counter = FailureCounter(BanPolicy(after=3, window=60))
    counter.record(_fail("203.0.113.9", 0))
    counter.record(_fail("203.0.113.9", 30))
    assert counter.record(_fail("203.0.113.9", 95)) == 1  # 0 and 30 fell out
    counter.prune(T0 + timedelta(seconds=200))
    assert counter.record(_fail("203.0.113.9", 200)) == 1


def test_exempt_networks_are_never_banned() -> None:
    policy = BanPolicy.with_exempt(["127.0.0.2/32", "10.0.0.0/8"], after=1)
    assert decide(policy, _fail("10.1.2.3", 0), 50) is None
    assert decide(policy, _fail("127.0.0.2", 0), 50) is None
    assert decide(policy, _fail("127.0.0.3", 0), 1) is not None


def test_addresses_are_parsed_before_they_go_anywhere() -> None:
    assert parse_address(" ::ffff:192.0.2.1 ") == "192.0.2.1"
    assert parse_address("2001:db8::1") == "2001:db8::1"
    with pytest.raises(BanError, match=re.escape("'1.2.3.4/32; deny'")):
        parse_address("1.2.3.4/32; deny")
    with pytest.raises(BanError, match=re.escape("security.never_ban: 'nope'")):
        BanPolicy.with_exempt(["nope"])
    with pytest.raises(BanError, match="ban_after"):
        BanPolicy(after=0)
