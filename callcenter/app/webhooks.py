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

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.config import Config
from callcenter.http import api_webhooks
from callcenter.http.api_webhooks import WEBHOOKS
from callcenter.http.webhook_client import AiohttpWebhookSender
from callcenter.http.webhooks_page import WEBHOOKS_PAGE
from callcenter.services.webhooks import Webhooks
from callcenter.store.db_threads import DbThreads
from callcenter.store.webhooks import SqlWebhooks

log = logging.getLogger(__name__)


class WebhooksWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        may_work: Callable[[], bool] = lambda: True,
    ) -> None:
        """``may_work``: whether this node holds its lease (the cluster's membership)."""
        self._every = config.webhooks.sweep_seconds
        self.may_work = may_work
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


def _plug(parts: Parts, plug: Plug) -> None:
    webhooks = WebhooksWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.MEMBERSHIP].holds_lease,  # a node without its lease delivers nothing
    )
    plug.listen_all(webhooks.wake)  # woken by every event: deliver now
    plug.serve(WEBHOOKS, webhooks.service)
    plug.run(webhooks.tasks)
    plug.on_close(webhooks.close)


FEATURE = Feature(
    "webhooks",
    needs=(slots.MEMBERSHIP,),
    provides=(),
    build=_plug,
    routes=tuple(api_webhooks.ROUTES),
    pages=(WEBHOOKS_PAGE,),
)
