from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.store.db import make_sessions
from callcenter.store.ticket_store import SqlTicketStore


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db_engine: Engine, clock: Clock) -> SqlTicketStore:
    return SqlTicketStore(make_sessions(db_engine), "RU", timedelta(hours=72), now=clock)
