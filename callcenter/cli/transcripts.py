"""``callcenter transcripts status`` (the backlog: jobs and minutes of audio done and left,
drawn as a bar), ``callcenter transcripts run [--since]`` (decode the backlog here and
now, with a progress bar: minutes of audio done and left, rate, ETA) and ``callcenter
models check DIR`` (is it a usable vosk model). The running daemon decodes too: the jobs
are claimed, so the two never decode one recording twice."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from callcenter.app.assembly import ticket_store
from callcenter.app.recordings import recording_files
from callcenter.app.transcripts import StoredRecordings, TranscriptsWiring
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.config import Config, ConfigError
from callcenter.store.db_threads import DbThreads
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts
from callcenter.transcription.vosk_decoder import model_problem

BAR = 40


@click.group()
def transcripts() -> None:
    """Transcripts of recordings: the backlog."""


@transcripts.command("status")
@click.pass_obj
def transcripts_status(obj: HasConfig) -> None:
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


def _seconds_left(backlog: dict[str, tuple[int, float]]) -> float:
    return sum(backlog.get(state, (0, 0.0))[1] for state in ("pending", "running"))


@transcripts.command("run")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="only recordings started then or later (UTC)",
)
@click.pass_obj
def transcripts_run(obj: HasConfig, since: datetime | None) -> None:
    """Decode every recording still waiting for its transcript (in this process, with
    the configured models and workers) and show the progress."""
    config = obj.config()
    started = since.replace(tzinfo=UTC) if since else None
    try:
        asyncio.run(_run(config, started))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


async def _run(config: Config, since: datetime | None) -> None:
    sessions = sessions_for(config)
    threads = DbThreads(config.transcription.workers)
    files = recording_files(config)
    wiring = TranscriptsWiring(
        config,
        sessions,
        threads,
        StoredRecordings(SqlRecordings(sessions, threads), files),
        ticket_store(config, sessions, threads),
        decode=True,
    )
    service = wiring.service
    try:
        while await service.enqueue():
            pass
        total = _seconds_left(await service.backlog(since))
        click.echo(f"{total / 60:.1f} min of audio to transcribe")
        t0, done = time.monotonic(), 0
        with click.progressbar(length=max(1, round(total)), label="transcribing") as bar:
            left = total
            while True:
                results = await asyncio.gather(
                    *(service.work(1, since) for _ in range(config.transcription.workers))
                )
                now_left = _seconds_left(await service.backlog(since))
                bar.update(max(0, round(left - now_left)))
                done += sum(results)
                left = now_left
                elapsed = time.monotonic() - t0
                rate = (total - left) / elapsed if elapsed else 0.0
                eta = left / rate if rate else 0.0
                bar.label = (
                    f"{(total - left) / 60:.1f} of {total / 60:.1f} min, "
                    f"{rate:.1f}x real time, ETA {eta:.0f} s"
                )
                if not any(results):
                    break
        backlog = await service.backlog(since)
        click.echo(
            f"{done} recording(s) transcribed; {backlog.get('failed', (0, 0.0))[0]} failed,"
            f" {backlog.get('pending', (0, 0.0))[0]} waiting (retry or newer)"
        )
    finally:
        wiring.close()
        threads.close()


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


COMMANDS = (
    transcripts,
    models,
)  # found by the command line's root (cli/main.py)
