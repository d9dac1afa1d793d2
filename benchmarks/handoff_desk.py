"""The desk between calls and the shift change, on a store of realistic size.

A team of agents, each with their open tickets (every ticket with its timeline), among
many other customers' tickets, in a fresh SQLite file and a fresh PostgreSQL database
(both built by the migrations). Then, through the service the daemon runs:

* an agent's desk (``workspace``: their and their team's tickets with the latest
  interaction and handoff note, what to read, what to note),
* a logout handing an agent's open tickets to the team,
* an incoming agent's login (what to read), and reading them all,

each against the caller-history lookup behind every screen pop, measured in the same run
on the same store: p50/p95/p99 and the ratio of medians.

    .venv/bin/python -m benchmarks.handoff_desk [--agents 10 --tickets 40 --others 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.stats import ms, percentile, ratio
from callcenter.domain.contacts import ContactKind, ContactPoint
from callcenter.domain.handoffs import ShiftPolicy
from callcenter.domain.tickets import (
    Agent,
    Direction,
    InteractionKind,
    NewCustomer,
    NewInteraction,
    NewTicket,
)
from callcenter.services.handoffs import Handoffs
from callcenter.store.customer_repo import CustomerRepo
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.handoffs import SqlHandoffs
from callcenter.store.migrate import upgrade
from callcenter.store.ticket_repo import TicketRepo
from callcenter.store.ticket_store import SqlTicketStore
from tests.support.databases import postgres_database

TEAM = "night"
KINDS = (InteractionKind.CALL, InteractionKind.CHAT_MESSAGE, InteractionKind.EMAIL)


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class _Queues:
    async def pause(self, agent: str, paused: bool, reason: str = "") -> None:
        pass  # app_queue is not what is measured here


def _phone(i: int) -> str:
    return f"+7916{i:07d}"


def _fill(store: SqlTicketStore, agents: int, tickets: int, others: int) -> None:
    """Customers with one ticket each: ``agents * tickets`` assigned to the team, the
    others to nobody; every ticket with 8 interactions."""

    def batch(start: int, end: int, assign: bool) -> Callable[[CustomerRepo, TicketRepo], None]:
        def work(c: CustomerRepo, t: TicketRepo) -> None:
            now = datetime.now(UTC) - timedelta(hours=2)
            for i in range(start, end):
                customer = c.create(
                    NewCustomer(f"C{i}", (ContactPoint(ContactKind.PHONE, _phone(i)),)), now
                )
                ext = f"{2000 + i % agents}" if assign else ""
                row = t.create(NewTicket(f"Ticket {i}", customer.id, assignee=ext), now)
                for k in range(8):
                    kind = KINDS[k % len(KINDS)]
                    at = now + timedelta(minutes=k)
                    body = f"message {k} about order {i}"
                    t.append(
                        row.id, NewInteraction(kind, Direction.INBOUND, body, occurred_at=at), at
                    )

        return work

    mine = agents * tickets
    for start in range(0, mine, 200):
        store.transaction(batch(start, min(mine, start + 200), True))
    for start in range(mine, mine + others, 500):
        store.transaction(batch(start, min(mine + others, start + 500), False))


async def _timed(n: int, work: Callable[[int], Awaitable[Any]]) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        await work(i)
        out.append(time.perf_counter() - started)
    return out


def _line(name: str, values: list[float], base: list[float]) -> str:
    p50, base50 = percentile(values, 50), percentile(base, 50)
    return (
        f"  {name:<34} p50 {ms(p50):>7} p95 {ms(percentile(values, 95)):>7}"
        f" p99 {ms(percentile(values, 99)):>7} ms   vs pop lookup x{ratio(p50, base50)}"
    )


async def _measure(url: str, agents: int, tickets: int, others: int, rounds: int) -> str:
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    store = SqlTicketStore(sessions, "RU", timedelta(hours=72))
    for a in range(agents):
        await store.save_agent(Agent(0, f"Agent {a}", f"{2000 + a}", ("support",), TEAM))
    started = time.perf_counter()
    _fill(store, agents, tickets, others)
    filled = time.perf_counter() - started
    shifts = Handoffs(SqlHandoffs(sessions), ShiftPolicy(frozenset({TEAM})), _Clock(), _Queues())
    total = agents * tickets + others
    pop = await _timed(rounds, lambda i: store.lookup(phone=_phone(i * 7 % total)))
    desk = await _timed(rounds, lambda i: shifts.workspace(f"{2000 + i % agents}"))
    reader = await shifts.agent(f"{2000 + agents - 1}")
    assert reader is not None
    await shifts.on_logout(reader)  # the incoming agent went home before the others
    outgoing = [await shifts.agent(f"{2000 + a}") for a in range(agents - 1)]
    logouts = await _timed(len(outgoing), lambda i: shifts.on_logout(outgoing[i]))  # type: ignore[arg-type]
    login = await _timed(1, lambda _i: shifts.on_login(reader))
    held_desk = await _timed(rounds, lambda _i: shifts.workspace(reader.extension))
    to_read = len((await shifts.workspace(reader.extension)).to_read)
    read_all = await _timed(1, lambda _i: shifts.acknowledge(reader.extension, None))
    engine.dispose()
    return "\n".join(
        [
            f"{url.split(':', 1)[0]}: {total} tickets ({agents} agents x {tickets} of the team),"
            f" {total * 8} interactions, loaded in {filled:.0f} s",
            _line("screen-pop lookup (baseline)", pop, pop),
            _line(f"desk ({tickets} mine + team's)", desk, pop),
            _line(f"logout handing {tickets} tickets over", logouts, pop),
            _line(f"login of the reader ({to_read} to read)", login, pop),
            _line(f"desk while held ({to_read} to read)", held_desk, pop),
            _line(f"reading all {to_read}", read_all, pop),
        ]
    )


@contextlib.contextmanager
def _databases(sqlite_dir: Path) -> Iterator[list[str]]:
    urls = [f"sqlite:///{sqlite_dir / 'desk.sqlite3'}"]
    with contextlib.ExitStack() as stack:
        try:
            urls.append(stack.enter_context(postgres_database("cc_bench_desk")))
        except Exception as exc:
            print(f"PostgreSQL skipped: {exc}")
        yield urls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--tickets", type=int, default=40, help="open tickets per agent")
    parser.add_argument("--others", type=int, default=3000, help="other customers' tickets")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _databases(Path(tmp)) as urls:
        for url in urls:
            report = asyncio.run(_measure(url, args.agents, args.tickets, args.others, args.rounds))
            print(report)


if __name__ == "__main__":
    main()
