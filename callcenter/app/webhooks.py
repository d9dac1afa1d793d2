"""Wiring of outgoing webhooks: the outbox in the store, the aiohttp sender, the loop that
delivers, and ``emit`` — what the other features call to publish an event without
waiting for the database. (Composition root: it knows the store and the HTTP client.)"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
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
        self._sender = AiohttpWebhookSender()
        self.service = Webhooks(
            SqlWebhooks(sessions, threads),
            self._sender,
            SystemClock(),
            retry=config.webhooks.retry_seconds,
        )
        self._pending: set[asyncio.Task[Any]] = set()
        self._wake = asyncio.Event()

    def emit(self, kind: str, data: Mapping[str, Any]) -> None:
        """Publish ``kind`` in the background (the outbox write must not hold up a call)."""
        task = asyncio.get_running_loop().create_task(self._emit(kind, data))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _emit(self, kind: str, data: Mapping[str, Any]) -> None:
        if await self.service.publish(kind, data) is not None:
            self._wake.set()  # deliver now, not at the next tick

    async def _deliver_forever(self) -> None:
        while True:
            try:
                await self.service.deliver_due()
            except Exception:
                log.exception("webhook delivery failed; next try in %.0f s", self._every)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._every)

    def tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._deliver_forever(), name="webhooks-deliver")]

    async def close(self) -> None:
        if self._pending:
            await asyncio.wait(self._pending, timeout=5)
        await self._sender.close()
