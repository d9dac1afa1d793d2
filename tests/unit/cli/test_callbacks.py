"""``callcenter callbacks`` and ``callcenter promises`` against a real SQLite store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from callcenter.config import load_config
from callcenter.domain.callbacks import NewCallback
from callcenter.store.callbacks import SqlCallbacks
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from tests.support.promises import served_promise


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, environ=env)
    config.state_dir.mkdir(parents=True)
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    now = datetime.now(UTC)
    asyncio.run(
        SqlCallbacks(make_sessions(engine)).request(
            NewCallback(
                queue="support",
                number="+79161234567",
                requested_at=now,
                joined_at=now - timedelta(minutes=1),
                due_at=now + timedelta(minutes=30),
                reason="card blocked",
            )
        )
    )
    engine.dispose()
    return env


def test_list_show_cancel_and_the_promises(env: dict[str, str]) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["callbacks", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "+79161234567" in listed.output
    assert "waiting" in listed.output
    shown = runner.invoke(main, ["callbacks", "show", "1"], env=env)
    assert "priority 0" in shown.output
    assert "open" in shown.output
    day = runner.invoke(main, ["promises"], env=env)
    assert "support" in day.output
    cancelled = runner.invoke(main, ["callbacks", "cancel", "1", "--reason", "called in"], env=env)
    assert cancelled.exit_code == 0, cancelled.output
    assert "nobody will be dialled" in cancelled.output
    again = runner.invoke(main, ["callbacks", "cancel", "1"], env=env)
    assert again.exit_code != 0
    assert "cancelled" in again.output
    missing = runner.invoke(main, ["callbacks", "show", "9"], env=env)
    assert "no callback 9" in missing.output


def test_webhooks_add_list_remove(env: dict[str, str]) -> None:
    runner = CliRunner()
    added = runner.invoke(
        main,
        ["webhooks", "add", "https://chat.example/hook", "--events", "promise.made,call.ended"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "secret (shown once" in added.output
    listed = runner.invoke(main, ["webhooks", "list"], env=env)
    assert "https://chat.example/hook  call.ended, promise.made" in listed.output
    bad = runner.invoke(main, ["webhooks", "add", "ftp://x", "--events", "call.ended"], env=env)
    assert bad.exit_code != 0
    assert "url:" in bad.output
    assert runner.invoke(main, ["webhooks", "remove", "1"], env=env).exit_code == 0
    assert "no webhooks" in runner.invoke(main, ["webhooks", "list"], env=env).output
    assert "no deliveries" in runner.invoke(main, ["webhooks", "deliveries", "1"], env=env).output


def test_promises_calibration_lists_told_against_served_and_exits_1_on_drift(
    env: dict[str, str],
) -> None:
    config = load_config(None, environ=env)
    engine = make_engine(config.database_url)
    made = datetime.now(UTC) - timedelta(hours=2)
    with make_sessions(engine).begin() as s:  # ten served at once on a 40-minute promise
        for n in range(10):
            at = made - timedelta(minutes=n)
            s.add(served_promise(500 + n, "sales", at, timedelta(minutes=40), timedelta(minutes=4)))
    engine.dispose()
    runner = CliRunner()
    shown = runner.invoke(main, ["promises", "calibration"], env=env)
    assert shown.exit_code == 1, shown.output
    assert "ALERT sales: median_left 90% (target 25%)" in shown.output
    whole = next(
        line for line in shown.output.splitlines() if line.startswith("sales") and " all " in line
    )
    assert whole.split()[2:6] == ["10", "10", "0", "0"]  # made, kept, re-promised, broken
    as_json = runner.invoke(main, ["promises", "calibration", "--json"], env=env)
    found = json.loads(as_json.output)
    assert found["queues"][0]["median_window"] == 2400.0
    assert found["alerts"] == [
        {"queue": "sales", "figure": "median_left", "value": 0.9, "target": 0.25}
    ]
    # The day's summary is still the group's own command.
    assert "sales" in runner.invoke(main, ["promises"], env=env).output
