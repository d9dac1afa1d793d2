"""Topics on SQLAlchemy: the tags put on tickets, read back for a window — for the trend,
the spikes, and the tickets behind a tag."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.topic_tags import TopicTag
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import TagRow, TagUseRow, TicketRow, TopicTagRow


class SqlTopics:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def uses(
        self, since: datetime, until: datetime, queue: str = "", channel: str = ""
    ) -> list[tuple[str, datetime]]:
        return await self._threads.run("topics.uses", self.uses_sync, since, until, queue, channel)

    def uses_sync(
        self, since: datetime, until: datetime, queue: str = "", channel: str = ""
    ) -> list[tuple[str, datetime]]:
        """(tag, when) of every tag put in (since, until], oldest first."""
        query = select(TagUseRow.tag, TagUseRow.at).where(
            TagUseRow.at > since, TagUseRow.at <= until
        )
        if queue:
            query = query.where(TagUseRow.queue == queue)
        if channel:
            query = query.where(TagUseRow.channel == channel)
        with self._sessions() as s:
            return [(tag, as_utc(at)) for tag, at in s.execute(query.order_by(TagUseRow.at))]

    async def tickets(
        self, tag: str, since: datetime, limit: int = 50
    ) -> list[tuple[int, str, datetime]]:
        return await self._threads.run("topics.tickets", self.tickets_sync, tag, since, limit)

    def tickets_sync(
        self, tag: str, since: datetime, limit: int = 50
    ) -> list[tuple[int, str, datetime]]:
        """The tickets ``tag`` was put on since ``since``: (number, subject, when), newest first."""
        query = (
            select(TicketRow.id, TicketRow.subject, TagUseRow.at)
            .join(TicketRow, TicketRow.id == TagUseRow.ticket_id)
            .where(TagUseRow.tag == tag, TagUseRow.at > since)
            .order_by(TagUseRow.at.desc())
            .limit(limit)
        )
        with self._sessions() as s:
            return [(number, subject, as_utc(at)) for number, subject, at in s.execute(query)]

    async def tag_list(self, since: datetime) -> list[TopicTag]:
        return await self._threads.run("topics.tag_list", self.tag_list_sync, since)

    def tag_list_sync(self, since: datetime) -> list[TopicTag]:
        """Every tag known (put on a ticket, or defined), with its definition and how often
        it was put since ``since``; the most used first."""
        with self._sessions() as s:
            uses = dict(
                s.execute(
                    select(TagUseRow.tag, func.count(TagUseRow.id))
                    .where(TagUseRow.at > since)
                    .group_by(TagUseRow.tag)
                ).all()
            )
            defined = {r.name: r for r in s.scalars(select(TopicTagRow))}
            names = set(s.scalars(select(TagRow.name))) | set(defined)
            out = [_tag(name, defined.get(name), int(uses.get(name, 0))) for name in names]
        return sorted(out, key=lambda t: (-t.uses, t.name))

    async def save_tag(self, tag: TopicTag, now: datetime) -> TopicTag:
        return await self._threads.run("topics.save_tag", self.save_tag_sync, tag, now)

    def save_tag_sync(self, tag: TopicTag, now: datetime) -> TopicTag:
        with self._sessions.begin() as s:
            row = s.get(TopicTagRow, tag.name) or TopicTagRow(name=tag.name)
            row.category, row.colour = tag.category, tag.colour
            row.merged_into, row.retired = tag.merged_into, tag.retired
            row.updated_at, row.updated_by = now, tag.updated_by
            s.add(row)
            return _tag(tag.name, row, 0)


def _tag(name: str, row: TopicTagRow | None, uses: int) -> TopicTag:
    if row is None:
        return TopicTag(name, uses=uses)
    return TopicTag(
        name,
        row.category,
        row.colour,
        row.merged_into,
        row.retired,
        as_utc(row.updated_at),
        row.updated_by,
        uses,
    )
