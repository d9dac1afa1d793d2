"""Topics: tags counted over time, and the spikes that raise the targets' alerts.

Contract: :meth:`Topics.trend` counts each tag per hour (or day) for a window, for a queue
or channel; :meth:`Topics.spikes` looks at the last hour against each tag's own history
(:func:`callcenter.domain.topics.spikes`); :meth:`Topics.breaches` is the alerts' look
(rule ``tag_spike``, subject the tag: the board's banner, ``alert.raised`` webhook);
:meth:`Topics.tickets` lists the tickets behind a tag."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.suggest import stems
from callcenter.domain.topic_tags import TopicTag, check_tag
from callcenter.domain.topics import HOUR, WEEK, Spike, SpikePolicy, hourly, spikes
from callcenter.services.ports import Clock


class TopicStore(Protocol):
    async def uses(
        self, since: datetime, until: datetime, queue: str = "", channel: str = ""
    ) -> list[tuple[str, datetime]]: ...

    async def tickets(
        self, tag: str, since: datetime, limit: int = 50
    ) -> list[tuple[int, str, datetime]]: ...

    async def tag_list(self, since: datetime) -> list[TopicTag]: ...

    async def save_tag(self, tag: TopicTag, now: datetime) -> TopicTag: ...


class Topics:
    def __init__(self, store: TopicStore, clock: Clock, policy: SpikePolicy | None = None) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy or SpikePolicy()

    async def trend(
        self,
        since: datetime,
        until: datetime,
        queue: str = "",
        channel: str = "",
        daily: bool = False,
    ) -> dict[str, list[int]]:
        counts = hourly(await self._store.uses(since, until, queue, channel), since)
        if not daily:
            return counts
        return {
            tag: [sum(c[d : d + 24]) for d in range(0, len(c), 24)] for tag, c in counts.items()
        }

    async def spikes(self) -> list[Spike]:
        now = self._clock.now()
        since = now - HOUR - self.policy.weeks * WEEK
        return spikes(await self._store.uses(since, now), now, self.policy)

    async def breaches(self) -> dict[tuple[str, str], tuple[float, float]]:
        return {
            ("tag_spike", s.tag): (float(s.count), float(s.threshold)) for s in await self.spikes()
        }

    async def tags(self, days: int = 30) -> list[TopicTag]:
        """Every tag: its category, colour, synonym or retirement, and uses in ``days``."""
        return await self._store.tag_list(self._clock.now() - timedelta(days=days))

    async def define_tag(self, tag: TopicTag, by: str) -> TopicTag:
        """Keep a tag's definition; TopicTagError naming the field."""
        known = {t.name: t for t in await self.tags()}
        checked = check_tag(dataclasses.replace(tag, updated_by=by), known)
        return await self._store.save_tag(checked, self._clock.now())

    async def suggest_tags(self, text: str, limit: int = 5) -> list[TopicTag]:
        """Tags the words of ``text`` (a call's transcript) name — every word of a tag's
        name said, a synonym standing for the tag it means; retired ones never — the most
        used first: what the agent is offered to accept in wrap-up."""
        said = set(stems(text))
        known = await self.tags()
        by_name = {t.name: t for t in known}
        out: dict[str, TopicTag] = {}
        for tag in known:
            words = stems(tag.name.replace("_", " ").replace("-", " ").replace(".", " "))
            if tag.retired or not words or not set(words) <= said:
                continue
            meant = by_name.get(tag.merged_into or "", tag) if tag.merged_into else tag
            if not meant.retired:
                out.setdefault(meant.name, meant)
        return sorted(out.values(), key=lambda t: (-t.uses, t.name))[:limit]

    async def tickets(self, tag: str, hours: int = 24) -> list[tuple[int, str, datetime]]:
        return await self._store.tickets(tag.lower(), self._clock.now() - timedelta(hours=hours))
