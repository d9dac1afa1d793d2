"""Wiring of outgoing webhooks: the outbox in the store (the features' stores write their
events into it in their own transactions), the aiohttp sender, and the loop that delivers —
woken by ``wake`` when an event was just written, else every ``sweep_seconds``.
(Composition root: it knows the store and the HTTP client.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app.assembly import SystemClock
from callcenter.config import Config
from callcenter.http.webhook_client import AiohttpWebhookSender
from callcenter.services.webhooks import Webhooks
from callcenter.store.db_threads import DbThreads
from callcenter.store.webhooks import SqlWebhooks

log = logging.getLogger(__name__)


class WebhooksWiring:
    def __init__(self, config: Config, sessions: sessionmaker[Session], threads: DbThreads) -> None:
        self._every = config.webhooks.sweep_seconds
        self.may_work: Callable[[], bool] = lambda: True  # set by the cluster's wiring
        self._sender = AiohttpWebhookSender()
        self.service = Webhooks(
            SqlWebhooks(sessions, threads),
            self._sender,
            SystemClock(),
            retry=config.webhooks.retry_seconds,
        )
        self._wake = asyncio.Event()

    def wake(self, _kind: str = "", _data: Mapping[str, Any] | None = None) -> None:
        """An event was written: deliver now, not at the next tick."""
        self._wake.set()

    async def _deliver_forever(self) -> None:
        while True:
            self._wake.clear()  # before: an event written while delivering wakes us again
            try:
                if self.may_work():  # a node without its lease delivers nothing new
                    await self.service.deliver_due()
            except Exception:
                log.exception("webhook delivery failed; next try in %.0f s", self._every)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._deliver_forever(), name="webhooks-deliver")]

    async def close(self) -> None:
        await self._sender.close()
