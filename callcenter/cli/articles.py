"""``callcenter articles`` (list, write, versions): the knowledge base from a terminal —
an article written from a Markdown file (a new version when its slug exists in that
language), listed, and its versions. Found with everything else by ``callcenter search find``."""

from __future__ import annotations

import asyncio
import dataclasses
import getpass
import json
from pathlib import Path

import click

from callcenter.app.assembly import SystemClock
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.articles import Article, ArticleError, Visibility
from callcenter.services.articles import Articles
from callcenter.store.articles import SqlArticles


def _service(obj: HasConfig) -> Articles:
    return Articles(SqlArticles(sessions_for(obj.config())), SystemClock())


@click.group()
def articles() -> None:
    """The knowledge base: list, write, versions."""


@articles.command("list")
@click.option("--language", default="")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def articles_list(obj: HasConfig, language: str, as_json: bool) -> None:
    """The articles by category: id, slug, language, visibility, version."""
    found = asyncio.run(_service(obj).listed(language=language))
    if as_json:
        rows = [
            {"id": a.id, "slug": a.slug, "title": a.title, "category": a.category,
             "language": a.language, "visibility": a.visibility.value, "version": a.version}
            for a in found
        ]  # fmt: skip
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no articles")
    for a in found:
        click.echo(
            f"{a.id:>4} {a.category}/{a.slug} [{a.language}, {a.visibility.value}] "
            f"v{a.version}  {a.title}"
        )


@articles.command("write")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True)
@click.option("--category", default="General", show_default=True)
@click.option("--language", default="en", show_default=True)
@click.option("--public", is_flag=True, help="Also on the site's help page.")
@click.option("--note", default="", help="Why this version.")
@click.pass_obj
def articles_write(
    obj: HasConfig,
    slug: str,
    file: Path,
    title: str,
    category: str,
    language: str,
    public: bool,
    note: str,
) -> None:
    """Write article SLUG from a Markdown FILE (its next version if it exists)."""
    service = _service(obj)
    text = file.read_text(encoding="utf-8")

    async def write() -> Article:
        existing = [a for a in await service.listed(language=language) if a.slug == slug]
        visibility = Visibility.PUBLIC if public else Visibility.INTERNAL
        new = Article(0, slug, title, text, category, language)
        new = dataclasses.replace(new, visibility=visibility, note=note)
        if existing:
            new = dataclasses.replace(new, id=existing[0].id)
        return await service.define(new, getpass.getuser())

    try:
        saved = asyncio.run(write())
    except ArticleError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"article {saved.id}: {saved.slug} version {saved.version}")


@articles.command("versions")
@click.argument("article_id", type=int)
@click.pass_obj
def articles_versions(obj: HasConfig, article_id: int) -> None:
    """Every version of an article, newest first."""
    try:
        versions = asyncio.run(_service(obj).versions(article_id))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    for v in versions:
        when = f"{v.updated_at:%Y-%m-%d %H:%M}" if v.updated_at else ""
        click.echo(f"v{v.version:<3} {when} {v.updated_by:<12} {v.note}")


COMMANDS = (articles,)  # found by the command line's root (cli/main.py)
