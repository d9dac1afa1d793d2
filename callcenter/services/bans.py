"""SIP bans: failed authentications ban an address in Asterisk itself; admins list and
lift bans; bans end by themselves.

Contract:
* :meth:`SipBans.failed` counts one failure (from Asterisk's security events); the one
  that crosses the policy's threshold bans the address: recorded in the store first,
  then Asterisk is told the whole set of active bans.
* Asterisk always gets the whole set (never a diff), after every change, after every
  ARI connect (:meth:`resync`: an Asterisk restart forgets nothing) and whenever a sweep
  (:meth:`run`) finds the set changed — an expiry, or a lift made by the CLI.
* Exempt addresses (trunk networks, ``security.never_ban``) are never counted.
* A firewall that cannot be told (Asterisk down) is logged; the next resync applies it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from callcenter.domain.bans import (
    AuthFailure,
    BanPolicy,
    FailureCounter,
    SipBan,
    decide,
    parse_address,
)
from callcenter.services.ports import SipBanStore, SipFirewall, TelephonyError

log = logging.getLogger(__name__)


class SipBans:
    def __init__(
        self,
        store: SipBanStore,
        firewall: SipFirewall,
        policy: BanPolicy,
        now: Callable[[], datetime],
        sweep_every: float = 5.0,
    ) -> None:
        self._store = store
        self._firewall = firewall
        self._policy = policy
        self._now = now
        self._sweep_every = sweep_every
        self._counter = FailureCounter(policy)
        self._applied: frozenset[str] | None = None
        self._lock = asyncio.Lock()

    async def failed(self, failure: AuthFailure) -> SipBan | None:
        if self._policy.is_exempt(failure.address):
            return None
        ban = decide(self._policy, failure, self._counter.record(failure))
        if ban is None:
            return None
        self._counter.forget(failure.address)
        ban = await self._store.add_ban(ban)
        log.warning("SIP ban: %s until %s: %s", ban.address, ban.expires_at, ban.reason)
        await self.apply(force=True)
        return ban

    async def lift(self, address: str, by: str) -> SipBan | None:
        ban = await self._store.lift_ban(parse_address(address), self._now(), by)
        if ban is not None:
            log.warning("SIP ban of %s lifted by %s", ban.address, by)
            await self.apply(force=True)
        return ban

    async def active(self) -> list[SipBan]:
        return await self._store.active_bans(self._now())

    async def recent(self, limit: int = 200) -> list[SipBan]:
        return await self._store.recent_bans(limit)

    async def resync(self) -> None:
        """After a (re)connect: Asterisk gets the active set again."""
        await self.apply(force=True)

    async def apply(self, force: bool = False) -> None:
        async with self._lock:
            active = frozenset(b.address for b in await self._store.active_bans(self._now()))
            if not force and active == self._applied:
                return
            try:
                await self._firewall.deny(sorted(active))
            except TelephonyError as exc:
                self._applied = None  # unknown: the next sweep tries again
                log.warning("SIP bans not applied (%d active): %s", len(active), exc)
                return
            if active != self._applied:
                log.info("SIP bans in force: %s", ", ".join(sorted(active)) or "none")
            self._applied = active

    async def run(self) -> None:
        """Sweep: expiries and lifts made elsewhere reach Asterisk within a sweep."""
        while True:
            await asyncio.sleep(self._sweep_every)
            self._counter.prune(self._now())
            try:
                await self.apply()
            except Exception:
                log.exception("SIP ban sweep failed")
