"""SIP bans: who failed to authenticate how often, and when that bans their address.

Pure rules (no clock of their own, no I/O): the service feeds failures and the time.
An address is banned once it has failed ``after`` times within ``window`` seconds, for
``duration`` seconds; addresses in the exempt networks (the trunk networks and the
configured allowlist) are never counted, so never banned.
"""

from __future__ import annotations

import collections
import dataclasses
import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BanError(ValueError):
    """A bad address or policy; the message names it."""


def parse_address(text: str, what: str = "address") -> str:
    """``text`` as a canonical IP address (``::ffff:1.2.3.4`` → ``1.2.3.4``); BanError
    naming ``what`` otherwise. No address ever reaches a config file unparsed."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise BanError(f"{what}: {text!r} is not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


@dataclasses.dataclass(frozen=True)
class BanPolicy:
    after: int = 10  # failures …
    window: float = 60.0  # … within this many seconds
    duration: float = 900.0  # ban for this long
    exempt: tuple[Network, ...] = ()

    def __post_init__(self) -> None:
        if self.after < 1:
            raise BanError(f"security.ban_after must be at least 1, got {self.after}")
        if self.window <= 0 or self.duration <= 0:
            raise BanError("security.ban_window_seconds and ban_seconds must be above 0")

    @classmethod
    def with_exempt(cls, networks: Iterable[str], **kwargs: float) -> BanPolicy:
        exempt = []
        for net in networks:
            try:
                exempt.append(ipaddress.ip_network(net, strict=False))
            except ValueError:
                raise BanError(f"security.never_ban: {net!r} is not a network") from None
        return cls(exempt=tuple(exempt), **kwargs)  # type: ignore[arg-type]

    def is_exempt(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in net for net in self.exempt)


@dataclasses.dataclass(frozen=True)
class AuthFailure:
    address: str  # canonical IP
    account: str  # the user it tried ("<unknown>" when Asterisk could not tell)
    reason: str  # Asterisk's security event: ChallengeResponseFailed, InvalidAccountID, …
    at: datetime


@dataclasses.dataclass(frozen=True)
class SipBan:
    address: str
    reason: str
    failures: int
    banned_at: datetime
    expires_at: datetime
    lifted_at: datetime | None = None
    lifted_by: str = ""

    def active(self, now: datetime) -> bool:
        return self.lifted_at is None and now < self.expires_at


class FailureCounter:
    """Failures per address within the policy's window (a sliding window)."""

    def __init__(self, policy: BanPolicy) -> None:
        self._policy = policy
        self._seen: dict[str, collections.deque[datetime]] = {}

    def record(self, failure: AuthFailure) -> int:
        """Count ``failure``; returns the address's failures within the window."""
        times = self._seen.setdefault(failure.address, collections.deque())
        times.append(failure.at)
        oldest = failure.at - timedelta(seconds=self._policy.window)
        while times and times[0] < oldest:
            times.popleft()
        return len(times)

    def forget(self, address: str) -> None:
        self._seen.pop(address, None)

    def prune(self, now: datetime) -> None:
        """Drop addresses with nothing left in the window (bounded memory under a scan)."""
        oldest = now - timedelta(seconds=self._policy.window)
        for address in [a for a, t in self._seen.items() if not t or t[-1] < oldest]:
            del self._seen[address]


def decide(policy: BanPolicy, failure: AuthFailure, count: int) -> SipBan | None:
    """The ban ``failure`` earns, being the ``count``-th in the window; None if none."""
    if policy.is_exempt(failure.address) or count < policy.after:
        return None
    return SipBan(
        address=failure.address,
        reason=f"{count} failed SIP authentications in {policy.window:g}s "
        f"(last: {failure.reason} for {failure.account!r})",
        failures=count,
        banned_at=failure.at,
        expires_at=failure.at + timedelta(seconds=policy.duration),
    )
