"""``callcenter recordings`` (list, show, export, hold, release): calls recorded by
Asterisk, for supervisors at a terminal. The running daemon adopts, checks and deletes
them; this reads the store and the files."""

from __future__ import annotations

import getpass
import shutil
from datetime import UTC, datetime
from pathlib import Path

import click

from callcenter.app.recordings import recording_files
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.recordings import Recording, RecordingFilter, RecordingState
from callcenter.store.recordings import SqlRecordings


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60:02d}:{s % 60:02d}"


def _line(r: Recording) -> str:
    ticket = f"#{r.ticket_number}" if r.ticket_number else "-"
    state = r.state.value + (f" ({r.problem})" if r.problem else "")
    return (
        f"{r.id:>6}  {r.started_at:%Y-%m-%d %H:%M:%S}  {_mmss(r.duration):>6}  "
        f"{r.queue or '-':<10} {r.agent or '-':<6} {ticket:<7} {state}"
    )


@click.group()
def recordings() -> None:
    """Call recordings: list, show, export; legal holds on tickets."""


@recordings.command("list")
@click.option("--queue", default="")
@click.option("--agent", default="")
@click.option("--ticket", type=int, default=None)
@click.option("--missing", is_flag=True, help="Only recordings with an alarm.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50)
@click.pass_obj
def recordings_list(
    obj: HasConfig, queue: str, agent: str, ticket: int | None, missing: bool, limit: int
) -> None:
    store = SqlRecordings(sessions_for(obj.config()))
    where = RecordingFilter(
        queue=queue,
        agent=agent,
        ticket_number=ticket,
        state=RecordingState.MISSING if missing else None,
    )
    page = store.search_sync(where, limit, None)
    if not page.items:
        click.echo("no recordings")
    for r in page.items:
        click.echo(_line(r))


def _get(obj: HasConfig, recording_id: int) -> Recording:
    recording = SqlRecordings(sessions_for(obj.config())).get_sync(recording_id)
    if recording is None:
        raise click.ClickException(f"no recording {recording_id}")
    return recording


@recordings.command("show")
@click.argument("recording_id", type=int)
@click.pass_obj
def recordings_show(obj: HasConfig, recording_id: int) -> None:
    r = _get(obj, recording_id)
    click.echo(_line(r))
    click.echo(f"call {r.call_id}, file {r.path}, {r.bytes} bytes, sha256 {r.sha256 or '-'}")
    for p in r.pauses:
        end = _mmss(p.end) if p.end is not None else "end"
        click.echo(f"paused {_mmss(p.start)}-{end} by {p.by}")
    keep = f"{r.retain_until:%Y-%m-%d}" if r.retain_until else "for ever"
    click.echo(f"kept until {keep}")


@recordings.command("export")
@click.argument("recording_id", type=int)
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def recordings_export(obj: HasConfig, recording_id: int, target: Path) -> None:
    """Copy a complete recording's WAV to TARGET."""
    r = _get(obj, recording_id)
    if r.state is not RecordingState.COMPLETE:
        raise click.ClickException(f"recording {recording_id} is {r.state.value}: {r.problem}")
    shutil.copyfile(recording_files(obj.config()).absolute(r.path), target)
    click.echo(f"{target}: {r.bytes} bytes, {_mmss(r.duration)}")


@recordings.command("hold")
@click.argument("ticket", type=int)
@click.option("--reason", required=True, help="Why (kept with the hold).")
@click.pass_obj
def recordings_hold(obj: HasConfig, ticket: int, reason: str) -> None:
    """Put TICKET on legal hold: its recordings outlive their retention."""
    store = SqlRecordings(sessions_for(obj.config()))
    new = store.hold_sync(ticket, reason, f"cli ({getpass.getuser()})", datetime.now(UTC))
    click.echo(f"ticket #{ticket}: on legal hold" + ("" if new else " (already)"))


@recordings.command("release")
@click.argument("ticket", type=int)
@click.pass_obj
def recordings_release(obj: HasConfig, ticket: int) -> None:
    """End TICKET's legal hold: retention applies again."""
    store = SqlRecordings(sessions_for(obj.config()))
    if not store.release_sync(ticket):
        raise click.ClickException(f"ticket #{ticket} is not on legal hold")
    click.echo(f"ticket #{ticket}: hold released")


COMMANDS = (recordings,)  # found by the command line's root (cli/main.py)
