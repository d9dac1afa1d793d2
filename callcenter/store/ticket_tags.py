"""Tags put on tickets, inside the ticket store's transaction: the managed list applied
(a synonym puts the tag it was merged into, a retired tag is refused unless the ticket
already had it) and each tag newly put counted for the topics (tag_uses)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from callcenter.domain.tickets import TicketRuleError
from callcenter.store.models import TagRow, TagUseRow, TicketRow, TopicTagRow

# A tag: letters (of any script: a Russian or Chinese centre tags in its language) and
# digits, then those or _.:- (lower-cased; no spaces), at most 64.
TAG = re.compile(r"^[^\W_][\w.:-]{0,63}$")


def tag_rows(s: Session, names: Sequence[str], kept: Collection[str] = ()) -> list[TagRow]:
    """The rows of ``names`` as they are to be put: a synonym as the tag it was merged
    into; a retired tag refused unless ``kept`` (already on the ticket)."""
    wanted = list(dict.fromkeys(n.strip().lower() for n in names))
    for name in wanted:
        if not TAG.match(name):
            raise TicketRuleError(
                "tags", f"{name!r} is not a tag (letters and digits, then _.:-; no spaces)"
            )
    managed = {
        t.name: t for t in s.scalars(select(TopicTagRow).where(TopicTagRow.name.in_(wanted)))
    }
    rows = []
    for name in dict.fromkeys(managed[n].merged_into or n if n in managed else n for n in wanted):
        if name in managed and managed[name].retired and name not in kept:
            raise TicketRuleError("tags", f"{name!r} is retired (kept for history only)")
        row = s.scalar(select(TagRow).where(TagRow.name == name))
        if row is None:
            row = TagRow(name=name)
            s.add(row)
            s.flush()
        rows.append(row)
    return rows


def tags_put(s: Session, row: TicketRow, names: Sequence[str], now: datetime) -> None:
    """Each tag newly on the ticket, counted for the topics (its queue and channel)."""
    for name in names:
        s.add(TagUseRow(tag=name, ticket_id=row.id, queue=row.queue, channel=row.channel, at=now))
