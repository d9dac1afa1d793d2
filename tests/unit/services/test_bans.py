from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from callcenter.domain.bans import AuthFailure, BanPolicy, SipBan
from callcenter.services.bans import SipBans
from callcenter.services.ports import TelephonyError

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class MemoryBans:
    def __init__(self) -> None:
        self.bans: list[SipBan] = []

    async def add_ban(self, ban: SipBan) -> SipBan:
        current = [b for b in self.bans if b.address == ban.address and b.active(ban.banned_at)]
        if current:
            return current[0]
        self.bans.append(ban)
        return ban

    async def active_bans(self, now: datetime) -> list[SipBan]:
        return [b for b in self.bans if b.active(now)]

    async def recent_bans(self, limit: int) -> list[SipBan]:
        return self.bans[::-1][:limit]

    async def lift_ban(self, address: str, now: datetime, by: str) -> SipBan | None:
        for i, b in enumerate(self.bans):
            if b.address == address and b.active(now):
                self.bans[i] = dataclasses.replace(b, lifted_at=now, lifted_by=by)
                return self.bans[i]
        return None


class Firewall:
    def __init__(self) -> None:
        self.applied: list[list[str]] = []
        self.down = False

    async def deny(self, addresses: Sequence[str]) -> None:
        if self.down:
            raise TelephonyError("ARI is not connected")
        self.applied.append(list(addresses))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _bans(after: int = 3) -> tuple[SipBans, MemoryBans, Firewall, Clock]:
    store, firewall, clock = MemoryBans(), Firewall(), Clock()
    policy = BanPolicy.with_exempt(["127.0.0.2/32"], after=after, window=60, duration=600)
    return SipBans(store, firewall, policy, clock), store, firewall, clock


def _fail(address: str, clock: Clock) -> AuthFailure:
    return AuthFailure(address, "1001", "ChallengeResponseFailed", clock.now)


async def test_the_threshold_bans_and_asterisk_gets_the_whole_set() -> None:
    bans, store, firewall, clock = _bans()
    for _ in range(2):
        assert await bans.failed(_fail("198.51.100.7", clock)) is None
    await bans.failed(_fail("203.0.113.1", clock))
    ban = await bans.failed(_fail("198.51.100.7", clock))
    assert ban is not None
    assert firewall.applied == [["198.51.100.7"]]
    for _ in range(3):
        await bans.failed(_fail("203.0.113.1", clock))
    assert firewall.applied[-1] == ["198.51.100.7", "203.0.113.1"]
    assert len(store.bans) == 2


async def test_exempt_addresses_are_not_even_counted() -> None:
    bans, store, firewall, clock = _bans(after=1)
    assert await bans.failed(_fail("127.0.0.2", clock)) is None
    assert store.bans == []
    assert firewall.applied == []


async def test_expiry_and_lifts_made_elsewhere_reach_asterisk_on_the_sweep() -> None:
    bans, store, firewall, clock = _bans(after=1)
    await bans.failed(_fail("198.51.100.7", clock))
    await bans.failed(_fail("203.0.113.1", clock))
    await store.lift_ban("203.0.113.1", clock.now, "cli")  # the CLI writes the store only
    await bans.apply()
    assert firewall.applied[-1] == ["198.51.100.7"]
    clock.now += timedelta(seconds=601)
    await bans.apply()
    assert firewall.applied[-1] == []
    calls = len(firewall.applied)
    await bans.apply()  # nothing changed: Asterisk is not bothered
    assert len(firewall.applied) == calls


async def test_a_firewall_that_is_down_is_retried_by_the_next_sweep() -> None:
    bans, _, firewall, clock = _bans(after=1)
    firewall.down = True
    await bans.failed(_fail("198.51.100.7", clock))  # recorded, not applied: logged
    firewall.down = False
    await bans.apply()
    assert firewall.applied == [["198.51.100.7"]]


async def test_lifting_applies_at_once_and_says_when_nothing_was_banned() -> None:
    bans, _, firewall, clock = _bans(after=1)
    await bans.failed(_fail("198.51.100.7", clock))
    lifted = await bans.lift("198.51.100.7", "token 1 (admin)")
    assert lifted is not None
    assert lifted.lifted_by == "token 1 (admin)"
    assert firewall.applied[-1] == []
    assert await bans.lift("198.51.100.7", "x") is None
