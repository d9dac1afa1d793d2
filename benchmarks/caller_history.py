"""Caller-history lookup (the data behind the screen pop) on a large store.

Loads N customers (one mobile number each, one ticket each, a fifth of them open) and M
interactions into a fresh SQLite file and a fresh PostgreSQL database, both built by the
migrations, then looks up random callers by phone — half in national format — straight
from the repository and through the HTTP API, and prints p50/p95/p99.

    .venv/bin/python -m benchmarks.caller_history [--customers 1000000 --interactions 5000000]

Targets (issue 4): p99 under 5 ms from the repository, under 20 ms through the API.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import psycopg
from aiohttp import web

from benchmarks.stats import ms, percentile
from callcenter.app.features import api_routes
from callcenter.domain.tickets import Role
from callcenter.http.api_auth import KEYS
from callcenter.http.api_routes import STORE
from callcenter.http.server import build_app
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.databases import postgres_database
from tests.support.ports import free_port

FIRST = 9160000000  # +7 916 ...: Moscow mobile numbers, all valid
EPOCH = datetime(2025, 11, 23, tzinfo=UTC)
STATUSES = [
    "new",
    "open",
    "pending",
    "solved",
    "solved",
    "closed",
    "closed",
    "closed",
    "solved",
    "closed",
]
BATCH = 50_000

CUSTOMER_COLS = "customers (id, name, created_at)"
CONTACT_COLS = "contact_points (id, customer_id, kind, value, national)"
TICKET_COLS = (
    "tickets (id, subject, status, priority, channel, customer_id, queue, created_at,"
    " updated_at, caller_ambiguous)"
)
INTERACTION_COLS = (
    "interactions (id, ticket_id, customer_id, kind, direction, occurred_at, body, author,"
    " source, source_id, linked_id, data)"
)


def _stamp(seconds: float) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


def customers(n: int) -> Iterator[tuple[int, str, str, str]]:
    for i in range(1, n + 1):
        yield i, f"Customer {i}", f"+7{FIRST + i}", str(FIRST + i)


def interactions(n: int, n_customers: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for i in range(1, n + 1):
        c = rng.randint(1, n_customers)
        kind = "call" if i % 2 else "chat_message"
        yield (
            i,
            c,
            c,
            kind,
            "inbound",
            _stamp(rng.uniform(0, 365 * 86400)),
            f"b{i}" if kind == "call" else None,
        )


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format


def load_sqlite(path: Path, n_customers: int, n_interactions: int, seed: int) -> None:
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    created = _sqlite_time(EPOCH)
    with db:
        for batch in _batches(customers(n_customers)):  # type: ignore[arg-type]
            db.executemany(
                f"INSERT INTO {CUSTOMER_COLS} VALUES (?, ?, ?)",
                [(i, name, created) for i, name, _, _ in batch],  # type: ignore[misc]
            )
            db.executemany(
                f"INSERT INTO {CONTACT_COLS} VALUES (?, ?, 'phone', ?, ?)",
                [(i, i, phone, national) for i, _, phone, national in batch],  # type: ignore[misc]
            )
            db.executemany(
                f"INSERT INTO {TICKET_COLS}"
                " VALUES (?, 'Order question', ?, 'normal', 'phone', ?, 'support', ?, ?, 0)",
                [(i, STATUSES[i % 10], i, created, created) for i, *_ in batch],
            )
        for batch in _batches(interactions(n_interactions, n_customers, rng)):
            db.executemany(
                f"INSERT INTO {INTERACTION_COLS}"
                " VALUES (?, ?, ?, ?, ?, ?, '', '', 'bench', ?, '', '{}')",
                [(*row[:5], _sqlite_time(row[5]), row[6]) for row in batch],  # type: ignore[arg-type]
            )
    db.execute("ANALYZE")
    db.close()


def load_postgres(url: str, n_customers: int, n_interactions: int, seed: int) -> None:
    rng = random.Random(seed)
    with (
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn,
        conn.cursor() as cur,
    ):
        with cur.copy(f"COPY {CUSTOMER_COLS} FROM STDIN") as copy:
            for i, name, _, _ in customers(n_customers):
                copy.write_row((i, name, EPOCH))
        with cur.copy(f"COPY {CONTACT_COLS} FROM STDIN") as copy:
            for i, _, phone, national in customers(n_customers):
                copy.write_row((i, i, "phone", phone, national))
        with cur.copy(f"COPY {TICKET_COLS} FROM STDIN") as copy:
            for i in range(1, n_customers + 1):
                copy.write_row(
                    (
                        i,
                        "Order question",
                        STATUSES[i % 10],
                        "normal",
                        "phone",
                        i,
                        "support",
                        EPOCH,
                        EPOCH,
                        False,
                    )
                )
        with cur.copy(f"COPY {INTERACTION_COLS} FROM STDIN") as copy:
            for row in interactions(n_interactions, n_customers, rng):
                copy.write_row((*row[:6], "", "", "bench", row[6], "", "{}"))
        for table in ("customers", "contact_points", "tickets", "interactions"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")


def sample_phones(n_customers: int, count: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    out = []
    for k in range(count):
        national = FIRST + rng.randint(1, n_customers)
        out.append(f"8{national}" if k % 2 else f"+7{national}")  # both formats callers send
    return out


def time_repository(store: SqlTicketStore, phones: list[str]) -> list[float]:
    for phone in phones[:50]:
        store.history_sync(phone)  # warm caches and the connection pool
    samples = []
    for phone in phones:
        t0 = time.perf_counter()
        history = store.history_sync(phone)
        samples.append(time.perf_counter() - t0)
        assert history.customer is not None, phone
    return samples


async def time_api(store: SqlTicketStore, keys: SqlApiKeys, phones: list[str]) -> list[float]:
    async def health() -> dict[str, bool]:
        return {}

    _, token = keys.create_token("bench", Role.AGENT)
    runner = web.AppRunner(
        build_app(health, {STORE: store, KEYS: keys}, api_routes()), access_log=None
    )
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    samples = []
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}", headers=headers) as http:
            for n, phone in enumerate([*phones[:50], *phones]):
                t0 = time.perf_counter()
                async with http.get("/api/v1/customers/lookup", params={"phone": phone}) as resp:
                    body = await resp.json()
                elapsed = time.perf_counter() - t0
                assert resp.status == 200, (phone, body)
                assert body["customer"] is not None, (phone, body)
                if n >= 50:
                    samples.append(elapsed)
    finally:
        await runner.cleanup()
    return samples


def measure(name: str, url: str, phones: list[str]) -> list[str]:
    engine = make_engine(url, pool_size=4)
    sessions = make_sessions(engine)
    store = SqlTicketStore(sessions, "RU")
    repo = time_repository(store, phones)
    api = asyncio.run(time_api(store, SqlApiKeys(sessions), phones))
    engine.dispose()
    return [_row(name, "repository", repo), _row(name, "HTTP API", api)]


def _row(store: str, path: str, samples: list[float]) -> str:
    figures = " ".join(f"{ms(percentile(samples, q)):>6}" for q in (50, 95, 99))
    return f"{store:<10} {path:<10} {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=5_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    phones = sample_phones(args.customers, args.lookups, args.seed)
    lines = [
        f"{args.customers:,} customers, {args.interactions:,} interactions, "
        f"{args.lookups} lookups (ms)",
        "store      path         p50    p95    p99",
    ]
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="cc-bench-store-", dir="/var/tmp") as tmp:
            url = f"sqlite:///{tmp}/store.sqlite3"
            upgrade(url)
            t0 = time.perf_counter()
            load_sqlite(Path(tmp) / "store.sqlite3", args.customers, args.interactions, args.seed)
            print(f"sqlite loaded in {time.perf_counter() - t0:.0f} s", flush=True)
            lines += measure("sqlite", url, phones)
    if args.only in (None, "postgresql"):
        with postgres_database("cc_bench") as url:
            upgrade(url)
            t0 = time.perf_counter()
            load_postgres(url, args.customers, args.interactions, args.seed)
            print(f"postgresql loaded in {time.perf_counter() - t0:.0f} s", flush=True)
            lines += measure("postgresql", url, phones)
    print("\n".join(lines))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
