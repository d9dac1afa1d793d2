"""Reports on a large event log: a day's and a month's queue report from the legs (ours)
against the raw scan of the event log itself (the same figures folded from every event of
the range), on SQLite and PostgreSQL, each built by the migrations.

A year of calls (answered 75 %, abandoned 20 %, overflowed 5 %, 3.5 events a call, one
agent-state change in ten events) is loaded straight into ``event_log`` and ``queue_legs``
with their indexes; then random days and months are reported, each ``--repeat`` times.

    .venv/bin/python -m benchmarks.reports [--events 1000000,10000000] [--only sqlite]

Targets (issue 29): p95 ≤ 200 ms for a day, ≤ 1 s for a month.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, select

from benchmarks.stats import ms, percentile, ratio
from callcenter.domain.event_log import LEG_KINDS, Leg, LoggedEvent, leg_after
from callcenter.domain.reports import GroupBy, Interval, Tally, Targets, slot_of, tally
from callcenter.services.reports import Reports
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.models import EventLogRow
from callcenter.store.reports import SqlReports
from tests.support.databases import postgres_database

FIRST = date(2025, 12, 1)
DAYS = 365
QUEUES = ("support", "sales", "billing", "vip")
AGENTS = [str(1000 + i) for i in range(40)]
EVENT_COLS = "event_log (id, at, kind, call_id, queue, agent, data, source, key)"
LEG_COLS = (
    "queue_legs (id, call_id, queue, entered_at, day, slot, outcome, caller, position, wait,"
    " talk, wrap_up, agent, ended_by, source)"
)


def calls(n_events: int, seed: int) -> Iterator[tuple[list[tuple], tuple]]:
    """(event rows, leg row) per call, in time order over the year."""
    rng = random.Random(seed)
    n_calls = int(n_events / 3.9)
    span = DAYS * 86400
    start = datetime.combine(FIRST, datetime.min.time(), UTC)
    eid = 0
    for i in range(n_calls):
        at = start + timedelta(seconds=span * i / n_calls)
        cid, queue, agent = f"{1_700_000_000 + i}.{i % 97}", rng.choice(QUEUES), rng.choice(AGENTS)
        wait = rng.expovariate(1 / 25)
        roll = rng.random()
        outcome = "answered" if roll < 0.75 else ("abandoned" if roll < 0.95 else "timeout")
        talk = rng.lognormvariate(5.3, 0.6) if outcome == "answered" else 0.0
        kinds = [("call.queued", 0.0, "", {"position": 1})]
        if outcome == "answered":
            kinds += [
                ("agent.rung", wait - 3, agent, {}),
                ("call.answered", wait, agent, {"wait": wait}),
                ("call.completed", wait + talk, agent, {"wait": wait, "talk": talk}),
            ]
        else:
            kind = "call.abandoned" if outcome == "abandoned" else "call.overflowed"
            kinds.append((kind, wait, "", {"wait": wait, "status": outcome}))
        rows = []
        for kind, offset, who, data in kinds:
            eid += 1
            when = at + timedelta(seconds=max(0.0, offset))
            rows.append(
                (eid, when, kind, cid, queue, who, json.dumps(data), "daemon", f"{kind}:{cid}")
            )
        if rng.random() < 0.35:  # an agent's state change, about one event in ten
            eid += 1
            rows.append(
                (eid, at, "agent.state", "", "", agent, '{"to": "available"}', "daemon", f"s{eid}")
            )
        day, slot = slot_of(at)
        leg = (
            i + 1,
            cid,
            queue,
            at,
            day.isoformat(),
            slot,
            outcome,
            "+79160000000",
            1,
            wait,
            talk,
            0.0,
            agent if outcome == "answered" else "",
            "",
            "daemon",
        )
        yield rows, leg


def _sqlite_time(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def load_sqlite(path: Path, n_events: int, seed: int) -> int:
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    events = 0
    with db:
        batch_e: list[tuple] = []
        batch_l: list[tuple] = []
        for rows, leg in calls(n_events, seed):
            batch_e += [(r[0], _sqlite_time(r[1]), *r[2:]) for r in rows]
            batch_l.append((*leg[:3], _sqlite_time(leg[3]), *leg[4:]))
            if len(batch_e) > 50_000:
                events += len(batch_e)
                db.executemany(f"INSERT INTO {EVENT_COLS} VALUES (?,?,?,?,?,?,?,?,?)", batch_e)
                db.executemany(f"INSERT INTO {LEG_COLS} VALUES ({','.join('?' * 15)})", batch_l)
                batch_e, batch_l = [], []
        events += len(batch_e)
        db.executemany(f"INSERT INTO {EVENT_COLS} VALUES (?,?,?,?,?,?,?,?,?)", batch_e)
        db.executemany(f"INSERT INTO {LEG_COLS} VALUES ({','.join('?' * 15)})", batch_l)
    db.execute("ANALYZE")
    db.close()
    return events


def load_postgres(url: str, n_events: int, seed: int) -> int:
    events = 0
    with (
        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn,
        conn.cursor() as cur,
    ):
        legs = []
        with cur.copy(f"COPY {EVENT_COLS} FROM STDIN") as copy:
            for rows, leg in calls(n_events, seed):
                for r in rows:
                    copy.write_row(r)
                events += len(rows)
                legs.append(leg)
        with cur.copy(f"COPY {LEG_COLS} FROM STDIN") as copy:
            for leg in legs:
                copy.write_row(leg)
        cur.execute("ANALYZE")
    return events


async def _no_teams() -> dict[str, str]:
    return {}


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 12, 1, tzinfo=UTC)


def raw_scan(engine: Engine, start: datetime, end: datetime) -> dict[str, Tally]:
    """The baseline: every leg event of the range read from the log and folded."""
    with make_sessions(engine)() as s:
        rows = s.execute(
            select(
                EventLogRow.kind,
                EventLogRow.call_id,
                EventLogRow.queue,
                EventLogRow.at,
                EventLogRow.data,
            )
            .where(
                EventLogRow.at >= start,
                EventLogRow.at < end,
                EventLogRow.kind.in_(sorted(LEG_KINDS)),
            )
            .order_by(EventLogRow.id)
        )
        legs: dict[tuple[str, str], Leg] = {}
        for kind, cid, queue, at, data in rows:
            after = leg_after(legs.get((cid, queue)), LoggedEvent(kind, at, cid, queue, data=data))
            if after is not None:
                legs[cid, queue] = after
    out: dict[str, list[tuple[str, float, float, float, str]]] = {}
    for leg in legs.values():
        out.setdefault(leg.queue, []).append((leg.outcome, leg.wait, leg.talk, leg.wrap_up, ""))
    return {q: tally(v, Targets()) for q, v in out.items()}


def measure(name: str, url: str, events: int, repeat: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    engine = make_engine(url)
    reports = Reports(SqlReports(make_sessions(engine)), {}, Targets(), _no_teams, UTC, _Clock())
    lines = []
    for scope in ("day", "month"):
        ours, raw = [], []
        for _ in range(repeat):
            if scope == "day":
                first = FIRST + timedelta(days=rng.randrange(DAYS))
                days, interval = (first, first), Interval.HOUR
            else:
                first = FIRST + timedelta(days=rng.randrange(DAYS - 31))
                first = first.replace(day=1)
                nxt = (first + timedelta(days=32)).replace(day=1)
                days, interval = (first, nxt - timedelta(days=1)), Interval.DAY
            t0 = time.perf_counter()
            asyncio.run(reports.queue_report(days, interval, GroupBy.QUEUE))
            ours.append(time.perf_counter() - t0)
            start, end = reports.bounds(days)
            t0 = time.perf_counter()
            raw_scan(engine, start, end)
            raw.append(time.perf_counter() - t0)
        o95, r95 = percentile(ours, 95), percentile(raw, 95)
        lines.append(
            f"{name:<10} {events:>10,} {scope:<5}  ours p50 {ms(percentile(ours, 50)):>7} "
            f"p95 {ms(o95):>7} ms   raw scan p50 {ms(percentile(raw, 50)):>8} p95 {ms(r95):>8} ms"
            f"   raw/ours {ratio(r95, o95)}x"
        )
        print(lines[-1], flush=True)
    engine.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="1000000,10000000")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    lines = []
    for n in (int(x) for x in args.events.split(",")):
        if args.only in (None, "sqlite"):
            with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
                url = f"sqlite:///{tmp}/reports.sqlite3"
                upgrade(url)
                t0 = time.perf_counter()
                events = load_sqlite(Path(tmp) / "reports.sqlite3", n, args.seed)
                print(
                    f"sqlite: {events:,} events loaded in {time.perf_counter() - t0:.0f} s",
                    flush=True,
                )
                lines += measure("sqlite", url, events, args.repeat, args.seed)
        if args.only in (None, "postgresql"):
            with postgres_database("cc_bench") as url:
                upgrade(url)
                t0 = time.perf_counter()
                events = load_postgres(url, n, args.seed)
                print(
                    f"postgresql: {events:,} events loaded in {time.perf_counter() - t0:.0f} s",
                    flush=True,
                )
                lines += measure("postgresql", url, events, args.repeat, args.seed)
    print("\n".join(["", "targets: a day p95 ≤ 200 ms, a month p95 ≤ 1 s", *lines]))


if __name__ == "__main__":
    main()
