"""Wiring of SIP bans: Asterisk's security events (AMI) feed the ban rules; bans reach
Asterisk as a PJSIP ACL reloaded through ARI; after every ARI connect the active bans are
applied again. (Composition root: it knows the AMI and ARI clients and the store.)"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ari import AriClient
from callcenter.asterisk.sip_firewall import PjsipBanFile
from callcenter.config import Config
from callcenter.config_trunks import trunk_addresses, trunks_in_use
from callcenter.domain.bans import AuthFailure, BanPolicy
from callcenter.http import api_bans
from callcenter.http.api_bans import BANS
from callcenter.services.bans import SipBans
from callcenter.store.bans import SqlSipBans
from callcenter.store.db_threads import DbThreads

log = logging.getLogger(__name__)


def ban_policy(config: Config) -> BanPolicy:
    s = config.security
    return BanPolicy.with_exempt(
        (*trunk_addresses(trunks_in_use(config)), *s.never_ban),
        after=s.ban_after,
        window=s.ban_window_seconds,
        duration=s.ban_seconds,
    )


class BansWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        ari: AriClient,
        etc_dir: Path,
        gid: int | None,
    ) -> None:
        self.store = SqlSipBans(sessions, threads)
        firewall = PjsipBanFile(etc_dir, ari.reload_pjsip, gid)
        self.bans = SipBans(self.store, firewall, ban_policy(config), lambda: datetime.now(UTC))
        self._tasks: set[asyncio.Task[object]] = set()

    def auth_failed(self, failure: AuthFailure, _received: float) -> None:
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


def _plug(parts: Parts, plug: Plug) -> None:
    config = parts[slots.CONFIG]
    etc_dir, gid = parts[slots.ASTERISK_ETC]
    bans = BansWiring(
        config, parts[slots.SESSIONS], parts[slots.DB_THREADS], parts[slots.ARI], etc_dir, gid
    )
    plug.on_ami(AuthFailure, bans.auth_failed)
    plug.after_ari_connect(bans.ari_connected)  # bans first: Asterisk may have restarted
    plug.run(bans.tasks)
    plug.serve(BANS, bans.bans)


FEATURE = Feature(
    "bans",
    needs=(slots.CONFIG, slots.ARI, slots.ASTERISK_ETC),
    provides=(),
    build=_plug,
    routes=tuple(api_bans.ROUTES),
)
