"""Wiring of topics: tags counted from the tickets (the ticket store writes each use), the
spikes among the targets' alerts (board banner, ``alert.raised``), the API and the page.
(Composition root.)"""

from __future__ import annotations

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.http import api_topics
from callcenter.http.api_topics import TOPICS
from callcenter.http.topics_page import TOPICS_PAGE
from callcenter.services.topics import Topics
from callcenter.store.topics import SqlTopics


def _plug(parts: Parts, plug: Plug) -> None:
    topics = Topics(SqlTopics(parts[slots.SESSIONS], parts[slots.DB_THREADS]), SystemClock())
    plug.serve(TOPICS, topics)
    parts[slots.ALERTS].watch(topics.breaches)  # a tag spiking: rule tag_spike


FEATURE = Feature(
    "topics",
    needs=(slots.SESSIONS, slots.DB_THREADS, slots.ALERTS),
    provides=(),
    build=_plug,
    routes=tuple(api_topics.ROUTES),
    pages=(TOPICS_PAGE,),
)
