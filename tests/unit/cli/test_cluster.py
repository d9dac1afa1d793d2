"""``callcenter cluster nodes`` and ``cluster lost`` on a real SQLite store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main
from callcenter.domain.calls import CallRecord
from callcenter.store.call_log import SqlCallLog
from callcenter.store.cluster import SqlNodes
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.lost_calls import SqlLostCalls


def test_the_nodes_are_listed_with_their_lease(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    runner = CliRunner()
    empty = runner.invoke(main, ["cluster", "nodes"], env=env)
    assert empty.exit_code == 0, empty.output
    assert "no node has joined yet" in empty.output
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'callcenter.sqlite3'}")
    nodes = SqlNodes(make_sessions(engine))
    now = datetime.now(UTC)
    nodes.join_sync("a", ("sales",), now, now + timedelta(seconds=30))
    nodes.join_sync("b", (), now - timedelta(minutes=5), now - timedelta(minutes=4))
    engine.dispose()
    listed = runner.invoke(main, ["cluster", "nodes"], env=env)
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line for line in listed.output.splitlines()[1:]}
    assert lines["a"].split()[1:3] == ["live", "1"]
    assert lines["a"].endswith("sales")
    assert lines["b"].split()[1] == "lapsed"
    assert lines["b"].endswith("every queue")


def test_the_front_shows_each_partitions_nodes_home_first(tmp_path: Path) -> None:
    env = {
        "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state"),
        "CALLCENTER_CLUSTER__NODES": "a=127.0.0.1:5060,b=127.0.0.1:5062",
        "CALLCENTER_CLUSTER__PARTITIONS": "7000=a/b,7001=b/a",
    }
    shown = CliRunner().invoke(main, ["cluster", "front", "show"], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[1:] == [
        "1 sip:127.0.0.1:5060 0 100 node=a",
        "1 sip:127.0.0.1:5062 0 99 node=b",
        "2 sip:127.0.0.1:5062 0 100 node=b",
        "2 sip:127.0.0.1:5060 0 99 node=a",
    ]
    bad = CliRunner().invoke(
        main,
        ["cluster", "front", "show"],
        env={**env, "CALLCENTER_CLUSTER__PARTITIONS": "7000=a/c"},
    )
    assert bad.exit_code != 0
    assert "'7000=a/c' names 'c', not a node" in bad.output


def test_the_calls_a_failed_node_lost_are_listed_with_their_offer(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    runner = CliRunner()
    none = runner.invoke(main, ["cluster", "lost", "a"], env=env)
    assert none.exit_code == 0, none.output
    assert "no call of node 'a' was lost" in none.output
    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'callcenter.sqlite3'}")
    calls = SqlCallLog(make_sessions(engine), node="a")
    started = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    for call_id in ("a-1", "a-2"):
        asyncio.run(
            calls.call_started(CallRecord(call_id, call_id, "79160000001", "7000", started))
        )
    lost = SqlLostCalls(make_sessions(engine))
    asyncio.run(lost.lose("a-1", started, "node failure (a)"))
    engine.dispose()
    listed = runner.invoke(main, ["cluster", "lost", "a"], env=env)
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        "a-1                      2026-12-07 10:00:00  79160000001      node failure (a); "
        "no callback of its own"
    ]
