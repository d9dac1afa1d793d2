"""``callcenter transcripts run`` with the real vosk (the Korean model from PyPI): the
backlog is decoded in the CLI's own process with a progress bar, lands on the call's
ticket (and so in search), and ``--since`` leaves older recordings alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from callcenter.app.assembly import ticket_store
from callcenter.app.recordings import recordings_dir
from callcenter.cli import main
from callcenter.cli.common import sessions_for
from callcenter.config import load_config
from callcenter.domain.recordings import RecordingState
from callcenter.domain.transcripts import JobState
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts
from tests.integration.store.test_tickets import call
from tests.integration.transcription.test_transcripts import MODEL, speech, stereo

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # as call() starts


def test_run_decodes_the_backlog_onto_the_ticket_with_progress(tmp_path: Path) -> None:
    env = {
        "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state"),
        "CALLCENTER_TRANSCRIPTION__MODELS": f"ko={MODEL}",
        "CALLCENTER_TRANSCRIPTION__DEFAULT_LANGUAGE": "ko",
        "CALLCENTER_TRANSCRIPTION__WORKERS": "1",
    }
    config = load_config(None, environ=env)
    sessions = sessions_for(config)
    root = recordings_dir(config)
    root.mkdir(parents=True)
    caller = speech("안녕하세요 택배가 안 왔어요", tmp_path / "caller.wav")
    agent = speech("네 확인해 드리겠습니다", tmp_path / "agent.wav")
    stereo(caller, agent, 3.5, root / "call.wav")

    async def seed() -> int:
        await ticket_store(config, sessions).record_call(call("1796500000.1"))
        recordings = SqlRecordings(sessions)
        await recordings.started("1796500000.1", "call.raw", START, "support")
        done = await recordings.update(
            "1796500000.1",
            {"state": RecordingState.COMPLETE, "path": "call.wav", "duration": 7.0},
        )
        assert done is not None
        return done.id

    rec_id = asyncio.run(seed())
    runner = CliRunner()
    later = runner.invoke(main, ["transcripts", "run", "--since", "2026-11-24"], env=env)
    assert later.exit_code == 0, later.output
    assert "0.0 min of audio to transcribe" in later.output
    assert "0 recording(s) transcribed" in later.output
    ran = runner.invoke(main, ["transcripts", "run", "--since", "2026-11-23"], env=env)
    assert ran.exit_code == 0, ran.output
    assert "0.1 min of audio to transcribe" in ran.output
    assert "1 recording(s) transcribed; 0 failed" in ran.output
    job = SqlTranscripts(sessions).for_recording_sync(rec_id)
    assert job is not None
    assert job.state is JobState.DONE
    assert {u.speaker for u in job.utterances} == {"caller", "agent"}
    # On the ticket, so search finds what either of them said.
    word = job.utterances[0].text.split()[0]
    found = runner.invoke(main, ["search", "find", word], env=env)
    assert "call at 00:0" in found.output, found.output
    status = runner.invoke(main, ["transcripts", "status"], env=env)
    assert "100 % of the audio" in status.output


def test_run_without_a_model_names_the_setting(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    ran = CliRunner().invoke(main, ["transcripts", "run"], env=env)
    assert ran.exit_code != 0
    assert "transcription.models: no model configured" in ran.output
