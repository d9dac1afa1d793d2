"""``callcenter answers`` (list, add, remove): the canned answers agents insert and the chat
side fetches (``/api/v1/answers``), for supervisors at a terminal — each with how often it
was used. A body with an unknown placeholder is refused naming it."""

from __future__ import annotations

import asyncio
import getpass
import json

import click

from callcenter.app import ticket_store
from callcenter.app.assembly import SystemClock
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.config import Config
from callcenter.domain.answers import AnswerError, CannedAnswer
from callcenter.http.api_answers import answer_json
from callcenter.services.answers import Answers
from callcenter.store.answers import SqlAnswers
from callcenter.store.callbacks import SqlCallbacks


def _service(cfg: Config) -> Answers:
    sessions = sessions_for(cfg)
    return Answers(
        SqlAnswers(sessions),
        ticket_store(cfg, sessions),
        SqlCallbacks(sessions).open_promises,
        SystemClock(),
        cfg.staff.timezone,
    )


@click.group()
def answers() -> None:
    """Canned answers: list, add, remove."""


@answers.command("list")
@click.option("--q", "query", default="", help="Words, or /shortcut.")
@click.option("--language", default="", help="en, ru, zh …")
@click.option("--team", default="", help="A team's own and everyone's.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def answers_list(obj: HasConfig, query: str, language: str, team: str, as_json: bool) -> None:
    """The answers matching (the team's own first, then the most used), with their uses."""
    found = asyncio.run(_service(obj.config()).find(query, language, team, 200))
    if as_json:
        rows = [answer_json(a) for a in found]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no canned answers match")
    for a in found:
        team_name = a.team or "every team"
        click.echo(
            f"{a.id:>4} /{a.shortcut:<16} [{a.language}, {team_name}] {a.uses} uses  {a.title}"
        )


@answers.command("add")
@click.argument("shortcut")
@click.option("--title", required=True)
@click.option("--body", required=True, help="Placeholders: {customer.name} {ticket.number} …")
@click.option("--language", default="en", show_default=True)
@click.option("--team", default="", help="Empty: every team's.")
@click.pass_obj
def answers_add(
    obj: HasConfig, shortcut: str, title: str, body: str, language: str, team: str
) -> None:
    """Write a canned answer."""
    new = CannedAnswer(0, shortcut, title, body, language, team)
    try:
        saved = asyncio.run(_service(obj.config()).define(new, getpass.getuser()))
    except AnswerError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"answer {saved.id}: /{saved.shortcut} kept")


@answers.command("remove")
@click.argument("answer_id", type=int)
@click.pass_obj
def answers_remove(obj: HasConfig, answer_id: int) -> None:
    """Remove a canned answer."""
    if not asyncio.run(_service(obj.config()).remove(answer_id)):
        raise click.ClickException(f"no canned answer {answer_id}")
    click.echo(f"answer {answer_id} removed")


COMMANDS = (answers,)  # found by the command line's root (cli/main.py)
