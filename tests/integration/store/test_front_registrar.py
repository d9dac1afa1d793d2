"""The front's registrar rows on SQLite and PostgreSQL: the agents' digests are exactly the
agents given (HA1s, never a password), and only live registrations are listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from callcenter.store.db import make_sessions
from callcenter.store.front_registrar import SqlFrontRegistrar, sip_ha1
from callcenter.store.models import FrontLocationRow, FrontSubscriberRow


def test_the_front_checks_exactly_the_agents_given_by_digest(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)
    registrar = SqlFrontRegistrar(sessions)
    assert registrar.set_agents({"1001": "one", "1002": "two"}, "r") == 2
    registrar.set_agents({"1001": "uno", "1003": "three"}, "r")  # 1002 left, 1001 changed
    with sessions() as s:
        rows = {r.username: (r.ha1, r.password) for r in s.scalars(select(FrontSubscriberRow))}
    assert rows == {
        "1001": (sip_ha1("1001", "r", "uno"), ""),
        "1003": (sip_ha1("1003", "r", "three"), ""),
    }


def test_only_live_registrations_are_listed(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    with sessions.begin() as s:
        for user, expires in (
            ("1001", now + timedelta(minutes=5)),
            ("1002", now - timedelta(seconds=1)),
        ):
            s.add(
                FrontLocationRow(
                    ruid=f"uloc-{user}",
                    username=user,
                    contact=f"sip:{user}@10.0.0.9:5062",
                    expires=expires,
                    user_agent="Linphone",
                )
            )
    phones = SqlFrontRegistrar(sessions).registrations()
    assert [(p.agent, p.contact, p.user_agent) for p in phones] == [
        ("1001", "sip:1001@10.0.0.9:5062", "Linphone")
    ]
