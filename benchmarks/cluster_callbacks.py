"""Exactly once across daemons: due callbacks worked off by two daemon processes on one
PostgreSQL, one of them killed (``kill -9``) or frozen past its lease (``SIGSTOP``, then
``SIGCONT``: a node cut off that comes back) at a random moment.

Each worker is a real process running what the daemon runs for callbacks — the
membership (lease, heartbeat, epoch), the callbacks service, its sweeper and the store
with its fenced claims. Only Asterisk is played by the worker itself, behind the
placeholder port: a placed placeholder is "taken by an agent" a few ms later, which asks
the dial gate (``Callbacks.take``, as the dialplan does through func_curl); a granted take
is a dial, written to ``bench_dials`` in its own transaction before the call "ends"
(``Callbacks.dialed``). A killed worker is restarted as an operator would (a new epoch).

Counted from the database after each run: dials per (callback, attempt) above one
(double dials, target 0), callbacks not completed by
the deadline (lost, target 0), and dials that died with the killed node (interrupted:
the customer's call was cut, so the callback is tried again — counted apart).

    .venv/bin/python -m benchmarks.cluster_callbacks [--runs 20 --callbacks 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from benchmarks.stats import percentile
from callcenter.domain.callbacks import Callback, NewCallback
from callcenter.domain.cluster import LeasePolicy
from callcenter.domain.promises import ALWAYS_OPEN
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.services.callback_ports import CallbackPolicy
from callcenter.services.callback_sweeper import CallbackSweeper
from callcenter.services.callbacks import Callbacks
from callcenter.services.cluster import Membership
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.cluster import SqlNodes
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.migrate import upgrade
from tests.support.databases import postgres_database

LEASE = 1.5  # seconds
DIALS = "CREATE TABLE IF NOT EXISTS bench_dials (callback_id int, attempt int, node text)"


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class _Tickets:
    async def call_ticket(self, call_id: str) -> int | None:
        return None

    async def append_interaction(self, number: int, new: Any) -> Any:
        return None


class _Work:
    async def for_position(self, queue: str, snapshot: QueueSnapshot, position: int) -> float:
        return 60.0


class _Asterisk:
    """The node's Asterisk and its agents: a placeholder is taken 1-20 ms after it is
    placed; the dialplan asks the gate, dials if told to, and reports the outcome."""

    def __init__(self, node: str, engine: Any) -> None:
        self.node = node
        self.engine = engine
        self.callbacks: Callbacks | None = None
        self.live: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def place(self, callback: Callback, position: int) -> None:
        self.live.add(callback.placeholder)
        task = asyncio.create_task(self._agent_takes(callback))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _agent_takes(self, cb: Callback) -> None:
        assert self.callbacks is not None
        await asyncio.sleep(random.uniform(0.001, 0.02))
        self.live.discard(cb.placeholder)
        if not await self.callbacks.take(cb.id, cb.attempts, "bench"):
            return  # "an error has occurred": nobody dialled
        await asyncio.to_thread(self._dial, cb)
        await asyncio.sleep(random.uniform(0.001, 0.01))
        await self.callbacks.dialed(cb.id, cb.attempts, "ANSWER", 1.0)

    def _dial(self, cb: Callback) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO bench_dials VALUES (:c, :a, :n)"),
                {"c": cb.id, "a": cb.attempts, "n": self.node},
            )

    async def withdraw(self, callback: Callback) -> None:
        self.live.discard(callback.placeholder)

    async def alive(self, callback: Callback) -> bool:
        return callback.placeholder in self.live

    async def status(self, queue: str = "") -> list[QueueSnapshot]:
        return [QueueSnapshot(queue or "support", (), ())]


async def worker(node: str, url: str) -> None:
    """One daemon: join, reconcile (its own claims after a restart), sweep every 0.2 s."""
    sessions = make_sessions(make_engine(url))
    threads = DbThreads(4)
    membership = Membership(
        SqlNodes(sessions, threads), node, (), LeasePolicy(timedelta(seconds=LEASE)), _Clock()
    )
    store = SqlCallbacks(sessions, threads, membership.current)
    asterisk = _Asterisk(node, make_engine(url))
    policy = CallbackPolicy(
        queues=frozenset({"support"}), retry=timedelta(seconds=0.3), max_attempts=9
    )
    service = Callbacks(
        store,
        asterisk,
        _Tickets(),
        _Work(),
        lambda _q: ALWAYS_OPEN,
        policy,
        _Clock(),
        me=lambda: node,
    )
    asterisk.callbacks = service
    sweeper = CallbackSweeper(service, store, asterisk, _Clock())
    owner = await membership.join()
    await store.adopt(owner)
    await sweeper.reconcile(set())  # a new process: no placeholder of the old one lives
    heartbeat = asyncio.create_task(membership.run())
    try:
        # Claims every 0.2 s; the promises' projection (a write per open promise) every 2 s,
        # as a daemon with callbacks.sweep_seconds = 2 would, so it does not set the pace.
        for n in itertools.count():
            await sweeper.claim()
            if n % 10 == 0:
                await service.projection.project()
            await asyncio.sleep(0.2)
    finally:
        heartbeat.cancel()


def _seed(url: str, count: int) -> None:
    """``count`` callbacks due now (scheduled: a retry with no attempt yet)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(DIALS))
    store = SqlCallbacks(make_sessions(engine))
    now = datetime.now(UTC)
    for n in range(count):
        store.request_sync(
            NewCallback(
                queue="support",
                number=f"+7916{n:07d}",
                requested_at=now,
                joined_at=now,
                due_at=now + timedelta(hours=1),
                max_attempts=9,
                first_attempt_at=now,
            )
        )
    engine.dispose()


def _spawn(node: str, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.cluster_callbacks", "--worker", node, "--url", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        one = conn.execute
        result = {
            "completed": one(text("SELECT count(*) FROM callbacks WHERE state='completed'")),
            "double_dials": one(
                text(
                    "SELECT count(*) FROM (SELECT 1 FROM bench_dials GROUP BY callback_id,"
                    " attempt HAVING count(*) > 1) d"
                )
            ),
            "dials": one(text("SELECT count(*) FROM bench_dials")),
        }
        counts = {k: int(v.scalar() or 0) for k, v in result.items()}
    engine.dispose()
    return counts


def run_once(count: int, mode: str, rng: random.Random) -> dict[str, Any]:
    with postgres_database("cc_bench_cluster") as url:
        upgrade(url)
        _seed(url, count)
        procs = {n: _spawn(n, url) for n in ("a", "b")}
        started = time.monotonic()
        at = rng.uniform(0.5, count / 50)  # somewhere while the work is being done
        time.sleep(at)
        victim = rng.choice(("a", "b"))
        if mode == "kill":
            procs[victim].send_signal(signal.SIGKILL)
            procs[victim].wait()
            procs[victim] = _spawn(victim, url)  # restarted: a new epoch
        else:
            procs[victim].send_signal(signal.SIGSTOP)
            time.sleep(LEASE * 2.5)  # cut off well past its lease; the other takes over
            procs[victim].send_signal(signal.SIGCONT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            counts = _counts(url)
            if counts["completed"] == count:
                break
            time.sleep(0.2)
        took = time.monotonic() - started
        for proc in procs.values():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        counts = _counts(url)
        # A dial whose attempt never completed died with the node (or with its freeze).
        counts["interrupted"] = counts["dials"] - count
        counts["lost"] = count - counts["completed"]
        return {"mode": mode, "victim": victim, "at": at, "seconds": took, **counts}


def runs(total: int, count: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    for n in range(total):
        yield run_once(count, "kill" if n % 2 == 0 else "freeze", rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--callbacks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--worker", default="")
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker(args.worker, args.url))
        return
    results = []
    print(f"{args.runs} runs of {args.callbacks} due callbacks over 2 daemons (lease {LEASE} s)")
    print(
        f"{'run':>3} {'fault':<6} {'node':<4} {'at s':>5} {'done s':>6} {'dials':>5} "
        f"{'double':>6} {'lost':>4} {'interrupted':>11}",
        flush=True,
    )
    for n, r in enumerate(runs(args.runs, args.callbacks, args.seed), 1):
        results.append(r)
        print(
            f"{n:>3} {r['mode']:<6} {r['victim']:<4} {r['at']:>5.1f} {r['seconds']:>6.1f}"
            f" {r['dials']:>5} {r['double_dials']:>6} {r['lost']:>4}"
            f" {r['interrupted']:>11}",
            flush=True,
        )
    doubles = sum(r["double_dials"] for r in results)
    lost = sum(r["lost"] for r in results)
    took = sorted(r["seconds"] for r in results)
    print(
        f"\ndouble dials {doubles}, lost {lost} (targets 0 and 0); interrupted dials"
        f" {sum(r['interrupted'] for r in results)} (counted apart, tried again);"
        f" time to complete p50 {percentile(took, 50):.1f} s, max {took[-1]:.1f} s"
        f" (pid {os.getpid()})"
    )


if __name__ == "__main__":
    main()
