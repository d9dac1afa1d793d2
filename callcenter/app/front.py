"""Bringing up the cluster's SIP front (composition root): the agents' digests written to
the shared database — what the front checks phones against — then Kamailio."""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.asterisk.kamailio import REALM, Front, kamailio_db_url
from callcenter.asterisk.runtime import Runtime
from callcenter.config import Config
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.front_registrar import Registration, SqlFrontRegistrar


def prepare_front(config: Config, runtime: Runtime, passwords: Mapping[str, str]) -> Front:
    """The front of ``config``'s cluster, its agents' digests (from ``passwords``) stored;
    :meth:`Front.up` starts it. Raises FrontError when the database is not PostgreSQL."""
    kamailio_db_url(config.database_url)  # names the problem before anything is written
    engine = make_engine(config.database_url)
    try:
        SqlFrontRegistrar(make_sessions(engine)).set_agents(dict(passwords), REALM)
    finally:
        engine.dispose()
    return Front(config, runtime, passwords)


def front_registrations(config: Config) -> list[Registration]:
    """The phones registered at the front now (the shared database's usrloc rows)."""
    engine = make_engine(config.database_url)
    try:
        return SqlFrontRegistrar(make_sessions(engine)).registrations()
    finally:
        engine.dispose()
