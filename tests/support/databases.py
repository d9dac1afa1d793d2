"""Real databases for tests and benchmarks: a SQLite file, or a fresh PostgreSQL database
on this machine's loopback server (dropped afterwards). Schemas come from the migrations."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

from callcenter.store.migrate import upgrade

PG_ADMIN = os.environ.get("CALLCENTER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class PostgresUnavailable(RuntimeError):
    pass


@contextlib.contextmanager
def postgres_database(prefix: str = "cc_test") -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailable(f"PostgreSQL at {PG_ADMIN}: {exc}") from exc
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'store.sqlite3'}"


def migrated(url: str) -> str:
    upgrade(url)
    return url


def empty_tables(engine: Engine) -> None:
    """Delete every row (between tests sharing one migrated database)."""
    from callcenter.store.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (our own table names)
