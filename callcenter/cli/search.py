"""``callcenter search find WORDS…`` (calls, voicemail, chat, email and notes: who said or
wrote it, when, at which second, on which ticket) and ``callcenter search reindex``
(every interaction's searchable lines written anew)."""

from __future__ import annotations

import asyncio

import click

from callcenter.app.search import search_service
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.search import SearchError
from callcenter.domain.tickets import InteractionKind
from callcenter.store.db_threads import DbThreads

SPEAKERS = {"caller": "Caller", "agent": "Agent", "customer": "Customer", "staff": "Staff"}


@click.group()
def search() -> None:
    """Search across phone and chat."""


@search.command("find")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([*(k.value for k in InteractionKind), "article"]),
    help="only these interactions, or knowledge base articles (repeatable)",
)
@click.option("--ticket", type=int, help="only on this ticket")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.pass_obj
def search_find(
    obj: HasConfig, words: tuple[str, ...], kinds: tuple[str, ...], ticket: int | None, limit: int
) -> None:
    """Lines holding every one of WORDS (``word*``: a prefix), best first."""
    threads = DbThreads(1)
    service = search_service(sessions_for(obj.config()), threads)
    try:
        hits = asyncio.run(service.find(" ".join(words), limit, kinds, ticket))
    except SearchError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        threads.close()
    if not hits:
        click.echo("nothing found")
    for h in hits:
        at = "" if h.start is None else f" at {int(h.start) // 60:02d}:{int(h.start) % 60:02d}"
        where = f"#{h.ticket_number}" if h.article_id is None else f"article {h.article_id}"
        who = SPEAKERS.get(h.speaker, h.speaker)
        click.echo(
            f"{where} {h.occurred_at:%Y-%m-%d %H:%M} {h.kind}{at}"
            + (f" {who}" if who else "")
            + f": {h.text}"
        )


@search.command("reindex")
@click.pass_obj
def search_reindex(obj: HasConfig) -> None:
    """Write every interaction's searchable lines anew."""
    threads = DbThreads(1)
    try:
        lines = asyncio.run(search_service(sessions_for(obj.config()), threads).reindex())
    finally:
        threads.close()
    click.echo(f"search index rebuilt: {lines} line(s)")


COMMANDS = (search,)  # found by the command line's root (cli/main.py)
