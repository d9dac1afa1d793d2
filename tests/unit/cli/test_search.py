"""``callcenter search find`` and ``search reindex`` on a real SQLite store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from callcenter.app.assembly import ticket_store
from callcenter.cli import main
from callcenter.cli.common import sessions_for
from callcenter.config import load_config
from tests.integration.store.test_tickets import call


def test_find_a_spoken_line_and_rebuild_the_index(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, environ=env)
    store = ticket_store(config, sessions_for(config))
    said = {"speaker": "agent", "start": 65.2, "end": 67.0, "text": "your refund is on its way"}

    async def seed() -> int:
        phoned = await store.record_call(call("1796400000.1"))
        await store.update_call(
            "1796400000.1", {"transcript": {"recording_id": 3, "utterances": [said]}}
        )
        return phoned.ticket_number

    number = asyncio.run(seed())
    runner = CliRunner()
    found = runner.invoke(main, ["search", "find", "REFUND", "way"], env=env)
    assert found.exit_code == 0, found.output
    assert f"#{number} " in found.output
    assert "call at 01:05 Agent: your refund is on its way" in found.output
    none = runner.invoke(main, ["search", "find", "refund", "--kind", "chat_message"], env=env)
    assert none.output.strip() == "nothing found"
    bad = runner.invoke(main, ["search", "find", "!!!"], env=env)
    assert bad.exit_code != 0
    assert "q: no word to search for" in bad.output
    rebuilt = runner.invoke(main, ["search", "reindex"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "1 line(s)" in rebuilt.output
