"""``callcenter recordings`` against a real SQLite store and recordings directory."""

from __future__ import annotations

import asyncio
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.app import ticket_store
from callcenter.cli import main
from callcenter.config import load_config
from callcenter.domain.tickets import NewTicket
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.recordings import SqlRecordings

AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
CALL = "1796173870.0"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, environ=env)
    config.state_dir.mkdir(parents=True)
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    store = SqlRecordings(make_sessions(engine))
    store.started_sync(CALL, f"2026/12/02/{CALL}.wav", AT, "support")
    asyncio.run(store.update(CALL, {"state": "complete", "duration": 62.5, "bytes": 44}))
    wav = config.state_dir / "asterisk" / "recordings" / "2026/12/02" / f"{CALL}.wav"
    wav.parent.mkdir(parents=True)
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
    ticket = asyncio.run(ticket_store(config, make_sessions(engine)).create_ticket(NewTicket("t")))
    env["TICKET"] = str(ticket.number)
    engine.dispose()
    return env


def test_list_show_and_export(env: dict[str, str], tmp_path: Path) -> None:
    listed = CliRunner().invoke(main, ["recordings", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "01:02" in listed.output  # 62.5 s
    assert "support" in listed.output
    shown = CliRunner().invoke(main, ["recordings", "show", "1"], env=env)
    assert f"call {CALL}" in shown.output
    out = tmp_path / "call.wav"
    exported = CliRunner().invoke(main, ["recordings", "export", "1", str(out)], env=env)
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes()[:4] == b"RIFF"
    missing = CliRunner().invoke(main, ["recordings", "show", "9"], env=env)
    assert missing.exit_code != 0
    assert "no recording 9" in missing.output


def test_legal_hold_and_release(env: dict[str, str]) -> None:
    ticket = env["TICKET"]
    held = CliRunner().invoke(main, ["recordings", "hold", ticket, "--reason", "dispute"], env=env)
    assert "on legal hold" in held.output
    again = CliRunner().invoke(main, ["recordings", "hold", ticket, "--reason", "x"], env=env)
    assert "(already)" in again.output
    assert CliRunner().invoke(main, ["recordings", "release", ticket], env=env).exit_code == 0
    twice = CliRunner().invoke(main, ["recordings", "release", ticket], env=env)
    assert twice.exit_code != 0
    assert "not on legal hold" in twice.output
