"""``callcenter voicemails`` (list, show, answered): the messages callers left, for
supervisors at a terminal. The running daemon takes and imports them; this reads the store
and marks a message answered."""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.voicemails import Voicemail, VoicemailFilter, VoicemailState
from callcenter.store.voicemails import SqlVoicemails


def _store(obj: HasConfig) -> SqlVoicemails:
    return SqlVoicemails(sessions_for(obj.config()))


def _line(v: Voicemail) -> str:
    return (
        f"{v.id:>6}  {v.received_at:%Y-%m-%d %H:%M}  box {v.mailbox:<5} {v.queue or '-':<10} "
        f"{v.caller or 'withheld':<14} {v.duration:6.1f} s  {v.state.value:<8} {v.source.value}"
    )


@click.group()
def voicemails() -> None:
    """Messages callers left: list, show, answered."""


@voicemails.command("list")
@click.option("--state", type=click.Choice([s.value for s in VoicemailState]), default=None)
@click.option("--queue", default="")
@click.option("--mailbox", default="")
@click.option("--limit", type=click.IntRange(1, 1000), default=50)
@click.pass_obj
def voicemails_list(
    obj: HasConfig, state: str | None, queue: str, mailbox: str, limit: int
) -> None:
    where = VoicemailFilter(
        queue=queue, mailbox=mailbox, state=VoicemailState(state) if state else None
    )
    page = asyncio.run(_store(obj).search(where, limit, None))
    if not page.items:
        click.echo("no voicemails")
    for v in page.items:
        click.echo(_line(v))


def _get(obj: HasConfig, voicemail_id: int) -> Voicemail:
    found = _store(obj).get_sync(voicemail_id)
    if found is None:
        raise click.ClickException(f"no voicemail {voicemail_id}")
    return found


@voicemails.command("show")
@click.argument("voicemail_id", type=int)
@click.pass_obj
def voicemails_show(obj: HasConfig, voicemail_id: int) -> None:
    v = _get(obj, voicemail_id)
    click.echo(_line(v))
    click.echo(f"  left:      {v.source.value}" + (f", call {v.call_id}" if v.call_id else ""))
    if v.recording_id is not None:
        click.echo(
            f"  audio:     recording {v.recording_id} (callcenter recordings show {v.recording_id})"
        )
    click.echo(f"  callback:  #{v.callback_id}" if v.callback_id else "  callback:  none")
    if v.ticket_number:
        click.echo(f"  ticket:    #{v.ticket_number}")
    if v.note:
        click.echo(f"  note:      {v.note}")
    if v.answered_at:
        click.echo(f"  answered:  {v.answered_at:%Y-%m-%d %H:%M} UTC by {v.answered_by}")


@voicemails.command("answered")
@click.argument("voicemail_id", type=int)
@click.option("--note", default="", help="what was done (kept on the message)")
@click.pass_obj
def voicemails_answered(obj: HasConfig, voicemail_id: int, note: str) -> None:
    """Mark a message answered (one already answered stays as it was)."""
    _get(obj, voicemail_id)
    who = f"{getpass.getuser()} (cli)"
    done = asyncio.run(_store(obj).answer(voicemail_id, datetime.now(UTC), who, note))
    if done is None:
        raise click.ClickException(f"no voicemail {voicemail_id}")
    click.echo(_line(done))


COMMANDS = (voicemails,)  # found by the command line's root (cli/main.py)
