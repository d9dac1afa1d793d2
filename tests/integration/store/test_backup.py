"""The database out and back, on SQLite (its online backup API) and PostgreSQL
(pg_dump / pg_restore): the copy holds what was written, a restore refuses a database
that exists, and an unknown kind of database is named."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.tickets import NewCustomer
from callcenter.store.backup import BackupError, dump, kind_of, load
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.databases import migrated, postgres_database, sqlite_url


@contextlib.contextmanager
def two_databases(kind: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if kind == "sqlite":
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        yield migrated(sqlite_url(tmp_path / "a")), sqlite_url(tmp_path / "b")
        return
    with postgres_database() as source, postgres_database() as target:
        yield migrated(source), target


def _store(url: str) -> tuple[SqlTicketStore, object]:
    engine = make_engine(url)
    return SqlTicketStore(make_sessions(engine), "RU", timedelta(hours=72)), engine


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_the_database_goes_out_and_comes_back_whole(kind: str, tmp_path: Path) -> None:
    with two_databases(kind, tmp_path) as (source, target):
        store, engine = _store(source)
        anna = await store.create_customer(
            NewCustomer("Anna", (ContactPoint(ContactKind.PHONE, "+79161234567"),))
        )
        copy = tmp_path / "database"
        dump(source, copy)
        await store.create_customer(
            NewCustomer("After", (ContactPoint(ContactKind.PHONE, "+79161234568"),))
        )  # not in it
        engine.dispose()  # type: ignore[attr-defined]
        load(target, copy)
        restored, engine = _store(target)
        found = await restored.lookup(phone="+79161234567")
        assert found.customer is not None
        assert found.customer.id == anna.id
        assert (await restored.lookup(phone="+79161234568")).customer is None
        engine.dispose()  # type: ignore[attr-defined]
        if kind == "sqlite":
            with pytest.raises(BackupError, match="exists: restore into a fresh"):
                load(target, copy)


def test_only_sqlite_and_postgresql_are_backed_up() -> None:
    with pytest.raises(BackupError, match=r"database\.url: mysql"):
        kind_of("mysql://u@h/db")
