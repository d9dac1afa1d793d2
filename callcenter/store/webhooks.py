"""The WebhookStore port on SQLAlchemy: subscriptions and the durable outbox of
deliveries. One transaction per use case; a due delivery is claimed by pushing its next
attempt out (compare-and-set), so two senders never post it at once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.webhooks import Delivery, DeliveryState, Event, Subscription
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import WebhookDeliveryRow, WebhookSubscriptionRow
from callcenter.store.outbox import write_events

CLAIM_FOR = timedelta(seconds=60)  # a claimed delivery not settled by then is due again


class SqlWebhooks:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    # -- subscriptions --------------------------------------------------------------
    async def subscribe(
        self, url: str, events: frozenset[str], secret: str, by: str, at: datetime
    ) -> Subscription:
        return await self._threads.run(
            "webhooks.subscribe", self.subscribe_sync, url, events, secret, by, at
        )

    def subscribe_sync(
        self, url: str, events: frozenset[str], secret: str, by: str, at: datetime
    ) -> Subscription:
        with self._sessions.begin() as s:
            row = WebhookSubscriptionRow(
                url=url,
                events=sorted(events),
                secret=secret,
                active=True,
                created_at=at,
                created_by=by[:120],
            )
            s.add(row)
            s.flush()
            return _subscription(row)

    async def subscriptions(self) -> list[Subscription]:
        return await self._threads.run("webhooks.subscriptions", self.subscriptions_sync)

    def subscriptions_sync(self) -> list[Subscription]:
        with self._sessions() as s:
            rows = s.scalars(
                select(WebhookSubscriptionRow)
                .where(WebhookSubscriptionRow.active.is_(True))
                .order_by(WebhookSubscriptionRow.id)
            )
            return [_subscription(r) for r in rows]

    async def unsubscribe(self, subscription_id: int) -> bool:
        return await self._threads.run(
            "webhooks.unsubscribe", self.unsubscribe_sync, subscription_id
        )

    def unsubscribe_sync(self, subscription_id: int) -> bool:
        """Deactivate (its deliveries stay, as history); False if there was none."""
        with self._sessions.begin() as s:
            row = s.get(WebhookSubscriptionRow, subscription_id)
            if row is None or not row.active:
                return False
            row.active = False
            return True

    # -- the outbox -------------------------------------------------------------------
    async def enqueue(self, kind: str, payload: Mapping[str, Any], at: datetime) -> str:
        """One delivery per active subscription wanting ``kind``; returns the event id."""
        return await self._threads.run("webhooks.enqueue", self._enqueue, kind, payload, at)

    def _enqueue(self, kind: str, payload: Mapping[str, Any], at: datetime) -> str:
        with self._sessions.begin() as s:
            return write_events(s, [Event(kind, payload)], at)[0]

    async def claim_due(
        self, now: datetime, limit: int = 50
    ) -> list[tuple[Delivery, Subscription]]:
        return await self._threads.run("webhooks.claim_due", self._claim_due, now, limit)

    def _claim_due(self, now: datetime, limit: int) -> list[tuple[Delivery, Subscription]]:
        with self._sessions.begin() as s:
            due = s.execute(
                select(WebhookDeliveryRow.id, WebhookDeliveryRow.next_attempt_at)
                .where(
                    WebhookDeliveryRow.state == DeliveryState.PENDING.value,
                    WebhookDeliveryRow.next_attempt_at <= now,
                )
                .order_by(WebhookDeliveryRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = []
            for delivery_id, next_at in due:
                done = s.execute(
                    update(WebhookDeliveryRow)
                    .where(
                        WebhookDeliveryRow.id == delivery_id,
                        WebhookDeliveryRow.next_attempt_at == next_at,
                    )
                    .values(next_attempt_at=now + CLAIM_FOR)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(delivery_id)
            out = []
            for row in s.scalars(
                select(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.id.in_(claimed))
                .order_by(WebhookDeliveryRow.id)
            ):
                sub = s.get_one(WebhookSubscriptionRow, row.subscription_id)
                out.append((_delivery(row), _subscription(sub)))
            return out

    async def settle(
        self,
        delivery_id: int,
        delivered_at: datetime | None,
        next_attempt_at: datetime | None,
        error: str,
    ) -> None:
        """Delivered (``delivered_at``), or another try at ``next_attempt_at``, or failed
        for good (neither)."""
        await self._threads.run(
            "webhooks.settle", self._settle, delivery_id, delivered_at, next_attempt_at, error
        )

    def _settle(
        self,
        delivery_id: int,
        delivered_at: datetime | None,
        next_attempt_at: datetime | None,
        error: str,
    ) -> None:
        with self._sessions.begin() as s:
            row = s.get_one(WebhookDeliveryRow, delivery_id, with_for_update=True)
            row.attempts += 1
            row.last_error = error[:300]
            if delivered_at is not None:
                row.state, row.delivered_at, row.next_attempt_at = (
                    DeliveryState.DELIVERED.value,
                    delivered_at,
                    None,
                )
            elif next_attempt_at is None:
                row.state, row.next_attempt_at = DeliveryState.FAILED.value, None
            else:
                row.next_attempt_at = next_attempt_at

    async def deliveries(self, subscription_id: int, limit: int = 100) -> list[Delivery]:
        return await self._threads.run(
            "webhooks.deliveries", self.deliveries_sync, subscription_id, limit
        )

    def deliveries_sync(self, subscription_id: int, limit: int = 100) -> list[Delivery]:
        with self._sessions() as s:
            rows = s.scalars(
                select(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.subscription_id == subscription_id)
                .order_by(WebhookDeliveryRow.id.desc())
                .limit(limit)
            )
            return [_delivery(r) for r in rows]


def _subscription(row: WebhookSubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        url=row.url,
        events=frozenset(row.events),
        secret=row.secret,
        active=row.active,
        created_by=row.created_by,
    )


def _delivery(row: WebhookDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        event_id=row.event_id,
        subscription_id=row.subscription_id,
        type=row.type,
        payload=row.payload,
        created_at=as_utc(row.created_at),
        state=DeliveryState(row.state),
        attempts=row.attempts,
        next_attempt_at=as_utc(row.next_attempt_at) if row.next_attempt_at else None,
        last_error=row.last_error,
        delivered_at=as_utc(row.delivered_at) if row.delivered_at else None,
    )
