"""Wiring of canned answers: the store, the service that fills them from the ticket store
and the callbacks' open promises, the API and the page. (Composition root.)"""

from __future__ import annotations

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.http import api_answers
from callcenter.http.answers_page import ANSWERS_PAGE
from callcenter.http.api_answers import ANSWERS
from callcenter.services.answers import Answers
from callcenter.store.answers import SqlAnswers


def _plug(parts: Parts, plug: Plug) -> None:
    config = parts[slots.CONFIG]
    service = Answers(
        SqlAnswers(parts[slots.SESSIONS], parts[slots.DB_THREADS]),
        parts[slots.TICKETS],
        parts[slots.CALLBACKS].store.open_promises,
        SystemClock(),
        config.staff.timezone,
    )
    plug.serve(ANSWERS, service)


FEATURE = Feature(
    "answers",
    needs=(slots.SESSIONS, slots.DB_THREADS, slots.TICKETS, slots.CALLBACKS),
    provides=(),
    build=_plug,
    routes=tuple(api_answers.ROUTES),
    pages=(ANSWERS_PAGE,),
)
