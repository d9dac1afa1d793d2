"""``callcenter cluster nodes`` on a real SQLite store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main
from callcenter.store.cluster import SqlNodes
from callcenter.store.db import make_engine, make_sessions


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
