"""``callcenter transcripts status`` (the backlog: jobs and minutes of audio done and left,
drawn as a bar) and ``callcenter models check DIR`` (is it a usable vosk model). The
running daemon decodes; this reads the store and the disk."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import click

from callcenter.cli_tickets import sessions_for
from callcenter.config import Config
from callcenter.store.transcripts import SqlTranscripts
from callcenter.transcription.vosk_decoder import model_problem

BAR = 40


class _HasConfig(Protocol):
    def config(self) -> Config: ...


@click.group()
def transcripts() -> None:
    """Transcripts of recordings: the backlog."""


@transcripts.command("status")
@click.pass_obj
def transcripts_status(obj: _HasConfig) -> None:
    config = obj.config()
    backlog = SqlTranscripts(sessions_for(config)).backlog_sync()
    if not config.transcription.enabled:
        click.echo("transcription is off ([transcription] enabled = false)")
    jobs = {
        state: backlog.get(state, (0, 0.0)) for state in ("done", "running", "pending", "failed")
    }
    total = sum(seconds for _, seconds in jobs.values()) or 1.0
    done = jobs["done"][1] + jobs["failed"][1]
    filled = int(BAR * done / total)
    click.echo(f"[{'#' * filled}{'.' * (BAR - filled)}] {100 * done / total:.0f} % of the audio")
    for state, (count, seconds) in jobs.items():
        click.echo(f"  {state:<8} {count:>6} recording(s)  {seconds / 60:8.1f} min of audio")


@click.group()
def models() -> None:
    """Speech models (vosk) for transcription."""


@models.command("check")
@click.argument("directory", type=click.Path(path_type=Path))
def models_check(directory: Path) -> None:
    """Whether DIRECTORY is a usable vosk model (without loading it)."""
    problem = model_problem(directory)
    if problem:
        raise click.ClickException(problem)
    click.echo(f"{directory}: a vosk model (am, conf, graph)")
