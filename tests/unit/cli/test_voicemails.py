"""``callcenter voicemails`` against a real SQLite store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from callcenter.config import load_config
from callcenter.domain.voicemails import NewVoicemail, VoicemailSource
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.voicemails import SqlVoicemails


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, environ=env)
    config.state_dir.mkdir(parents=True)
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    asyncio.run(
        SqlVoicemails(make_sessions(engine)).received(
            NewVoicemail(
                key="spool:1796196965-00000000",
                mailbox="100",
                queue="support",
                caller="+79181234567",
                received_at=datetime(2026, 12, 2, 7, 36, tzinfo=UTC),
                duration=11.0,
                source=VoicemailSource.SPOOL,
                path="voicemail/2026/12/02/spool-1796196965-00000000.wav",
                audio_bytes=176000,
                sha256="",
            )
        )
    )
    engine.dispose()
    return env


def test_list_show_and_answered(env: dict[str, str]) -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["voicemails", "list", "--state", "new"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "+79181234567" in listed.output
    assert "11.0 s" in listed.output
    assert "spool" in listed.output
    shown = runner.invoke(main, ["voicemails", "show", "1"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "audio:     recording 1" in shown.output
    assert "callback:  none" in shown.output
    done = runner.invoke(main, ["voicemails", "answered", "1", "--note", "called back"], env=env)
    assert done.exit_code == 0, done.output
    assert "answered" in done.output
    assert runner.invoke(main, ["voicemails", "list", "--state", "new"], env=env).output == (
        "no voicemails\n"
    )
    missing = runner.invoke(main, ["voicemails", "show", "9"], env=env)
    assert missing.exit_code != 0
    assert "no voicemail 9" in missing.output
