"""Wiring of SIP bans: Asterisk's security events (AMI) feed the ban rules; bans reach
Asterisk as a PJSIP ACL reloaded through ARI; after every ARI connect the active bans are
applied again. (Composition root: it knows the AMI and ARI clients and the store.)"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.security_events import FAILURE_EVENTS, auth_failure
from callcenter.asterisk.sip_firewall import PjsipBanFile
from callcenter.config import Config
from callcenter.domain.sip_bans import BanPolicy
from callcenter.services.sip_bans import SipBans
from callcenter.store.db_threads import DbThreads
from callcenter.store.sip_bans import SqlSipBans

log = logging.getLogger(__name__)


def ban_policy(config: Config) -> BanPolicy:
    s = config.security
    return BanPolicy.with_exempt(
        (*config.dialplan.trunk_networks, *s.never_ban),
        after=s.ban_after,
        window=s.ban_window_seconds,
        duration=s.ban_seconds,
    )


class Security:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ami: AmiClient,
        ari: AriClient,
        etc_dir: Path,
        gid: int | None,
    ) -> None:
        self.store = SqlSipBans(sessions, threads)
        firewall = PjsipBanFile(etc_dir, ari.reload_pjsip, gid)
        self.bans = SipBans(self.store, firewall, ban_policy(config), lambda: datetime.now(UTC))
        self._tasks: set[asyncio.Task[object]] = set()
        for name in FAILURE_EVENTS:
            ami.on_event(name, self._security_event)

    def _security_event(self, _manager: object, message: Mapping[str, str]) -> None:
        failure = auth_failure(dict(message), datetime.now(UTC))
        if failure is None:
            return
        log.info(
            "SIP auth failure from %s (%s, %r)", failure.address, failure.reason, failure.account
        )
        task = asyncio.create_task(self.bans.failed(failure))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def ari_connected(self) -> None:
        try:
            await self.bans.resync()
        except Exception:  # the store is down: the sweep applies them when it is back
            log.exception("SIP bans not resynced after the ARI connect")

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self.bans.run(), name="sip-bans-sweep")]
