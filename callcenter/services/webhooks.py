"""Outgoing webhooks: the durable outbox and its sender.

Contract: the features' stores write their events into the outbox inside the transaction
of the change they tell about (``Announce``: one delivery per subscription that wants the
type), so a crash never loses an event nor sends one for a change that did not commit;
:meth:`Webhooks.publish` writes one on its own (never raises — an event that cannot be
written is logged). :meth:`deliver_due` posts due
deliveries (claimed in the store, so two daemons never post one at once), signed; a 2xx
settles it, anything else (or no answer) tries again with backoff, for about two days.
The event's id is the same on every retry: receivers dedupe on it.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from callcenter.domain.webhooks import (
    Delivery,
    Subscription,
    check_subscription,
    envelope,
    jsonable,
    next_attempt,
    sign,
)
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)


class WebhookStore(Protocol):
    async def subscribe(
        self, url: str, events: frozenset[str], secret: str, by: str, at: datetime
    ) -> Subscription: ...
    async def subscriptions(self) -> list[Subscription]: ...
    async def unsubscribe(self, subscription_id: int) -> bool: ...
    async def enqueue(self, kind: str, payload: Mapping[str, Any], at: datetime) -> str: ...
    async def claim_due(
        self, now: datetime, limit: int = 50
    ) -> list[tuple[Delivery, Subscription]]: ...
    async def settle(
        self,
        delivery_id: int,
        delivered_at: datetime | None,
        next_attempt_at: datetime | None,
        error: str,
    ) -> None: ...
    async def deliveries(self, subscription_id: int, limit: int = 100) -> list[Delivery]: ...


class WebhookSender(Protocol):
    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The receiver's HTTP status; OSError (or TimeoutError) when there was none."""
        ...


class Webhooks:
    def __init__(
        self, store: WebhookStore, sender: WebhookSender, clock: Clock, retry: float = 5.0
    ) -> None:
        self._store = store
        self._sender = sender
        self._clock = clock
        self._retry = retry  # seconds before the first retry (doubled each time)

    async def subscribe(self, url: str, events: list[str], by: str) -> Subscription:
        """A new subscription with a generated secret (shown once); WebhookError names
        what is wrong with ``url`` or ``events``."""
        url, wanted = check_subscription(url, events)
        sub = await self._store.subscribe(
            url, wanted, secrets.token_urlsafe(32), by, self._clock.now()
        )
        log.info("webhook %d: %s wants %s (by %s)", sub.id, url, ", ".join(sorted(wanted)), by)
        return sub

    async def subscriptions(self) -> list[Subscription]:
        return await self._store.subscriptions()

    async def unsubscribe(self, subscription_id: int) -> bool:
        return await self._store.unsubscribe(subscription_id)

    async def deliveries(self, subscription_id: int) -> list[Delivery]:
        return await self._store.deliveries(subscription_id)

    async def publish(self, kind: str, data: Mapping[str, Any]) -> str | None:
        try:
            event_id = await self._store.enqueue(kind, jsonable(data), self._clock.now())
        except Exception:
            log.exception("event %s not written to the outbox", kind)
            return None
        log.debug("event %s %s in the outbox", kind, event_id)
        return event_id

    async def deliver_due(self) -> int:
        """Post what is due; returns how many were delivered."""
        delivered = 0
        for delivery, sub in await self._store.claim_due(self._clock.now()):
            body = json.dumps(envelope(delivery), separators=(",", ":"), sort_keys=True).encode()
            now = self._clock.now()
            headers = {
                "Content-Type": "application/json",
                "Webhook-Id": delivery.event_id,
                "Webhook-Type": delivery.type,
                "Webhook-Signature": sign(sub.secret, int(now.timestamp()), body),
            }
            try:
                status = await self._sender.post(sub.url, body, headers)
                error = "" if 200 <= status < 300 else f"HTTP {status}"
            except (OSError, TimeoutError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:300]
            if not error:
                await self._store.settle(delivery.id, now, None, "")
                delivered += 1
                continue
            retry = next_attempt(delivery.attempts + 1, now, self._retry)
            await self._store.settle(delivery.id, None, retry, error)
            if retry is None:
                log.error(
                    "webhook %d: event %s %s failed for good after %d tries: %s",
                    sub.id,
                    delivery.type,
                    delivery.event_id,
                    delivery.attempts + 1,
                    error,
                )
            else:
                log.info(
                    "webhook %d: event %s not delivered (%s); again at %s",
                    sub.id,
                    delivery.event_id,
                    error,
                    retry.isoformat(timespec="seconds"),
                )
        return delivered
