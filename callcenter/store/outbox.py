"""The webhooks outbox written inside another use case's transaction: one delivery per
active subscription that wants the event's type, all sharing one event id. A store calls
:func:`write_events` before it commits, so the change and its events land together or not
at all (the delivery loop posts them afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.domain.webhooks import Announce, DeliveryState, Event, jsonable

__all__ = ["Announce", "write_events"]
from callcenter.domain.event_log import LoggedEvent
from callcenter.store.event_log import log_events
from callcenter.store.models import WebhookDeliveryRow, WebhookSubscriptionRow


def write_events(s: Session, events: Iterable[Event], at: datetime | None = None) -> list[str]:
    """Queue ``events`` for every subscription wanting them; returns their ids."""
    events = list(events)
    if not events:
        return []
    at = at or datetime.now(UTC)
    wanting = list(
        s.scalars(select(WebhookSubscriptionRow).where(WebhookSubscriptionRow.active.is_(True)))
    )
    ids = []
    logged = []
    for event in events:
        event_id = str(uuid.uuid4())
        payload = jsonable(dict(event.data))
        call_id = payload.get("call_id")
        logged.append(
            LoggedEvent(
                event.kind,
                at,
                call_id if isinstance(call_id, str) else "",
                data=payload,
                key=f"{event.kind}:{event_id}",
            )
        )
        for sub in wanting:
            if event.kind in sub.events:
                s.add(
                    WebhookDeliveryRow(
                        event_id=event_id,
                        subscription_id=sub.id,
                        type=event.kind,
                        payload=payload,
                        created_at=at,
                        state=DeliveryState.PENDING.value,
                        attempts=0,
                        next_attempt_at=at,
                    )
                )
        ids.append(event_id)
    log_events(s, logged)  # the event log keeps every announced change too
    return ids
