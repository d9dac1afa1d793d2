"""The widgets a site embeds, on SQLAlchemy (one row each, keyed by the widget id)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.widgets import Widget, WidgetError
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import WidgetRow


class SqlWidgets:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def get(self, widget_id: str) -> Widget | None:
        return await self._threads.run("widgets.get", self.get_sync, widget_id)

    def get_sync(self, widget_id: str) -> Widget | None:
        with self._sessions() as s:
            row = s.get(WidgetRow, widget_id)
            return _widget(row) if row is not None else None

    async def all(self) -> list[Widget]:
        return await self._threads.run("widgets.all", self.all_sync)

    def all_sync(self) -> list[Widget]:
        with self._sessions() as s:
            return [_widget(r) for r in s.scalars(select(WidgetRow).order_by(WidgetRow.id))]

    async def save(self, widget: Widget, now: datetime, create: bool) -> Widget:
        return await self._threads.run("widgets.save", self.save_sync, widget, now, create)

    def save_sync(self, widget: Widget, now: datetime, create: bool) -> Widget:
        """Create (``create``: WidgetError if the id exists) or replace ``widget``."""
        with self._sessions.begin() as s:
            row = s.get(WidgetRow, widget.id)
            if create and row is not None:
                raise WidgetError(f"id: widget {widget.id!r} exists already")
            if not create and row is None:
                raise LookupError(f"widget {widget.id!r}: no such widget")
            if row is None:
                row = WidgetRow(id=widget.id, created_at=now)
                s.add(row)
            row.name, row.queue, row.origins = widget.name, widget.queue, list(widget.origins)
            row.call_now, row.flow, row.enabled = widget.call_now, widget.flow, widget.enabled
            s.flush()
            return _widget(row)

    async def remove(self, widget_id: str) -> bool:
        return await self._threads.run("widgets.remove", self.remove_sync, widget_id)

    def remove_sync(self, widget_id: str) -> bool:
        with self._sessions.begin() as s:
            row = s.get(WidgetRow, widget_id)
            if row is None:
                return False
            s.delete(row)
            return True


def _widget(row: WidgetRow) -> Widget:
    return Widget(
        id=row.id,
        queue=row.queue,
        origins=tuple(row.origins),
        name=row.name,
        call_now=row.call_now,
        flow=row.flow,
        enabled=row.enabled,
        created_at=as_utc(row.created_at),
    )
