"""``callcenter topics`` (trend, spikes): tags put on tickets counted per day, and the tags
spiking in the last hour (exit 1 while one is: a monitoring check)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

import click

from callcenter.app.assembly import SystemClock
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.services.topics import Topics
from callcenter.store.topics import SqlTopics


def _service(obj: HasConfig) -> Topics:
    return Topics(SqlTopics(sessions_for(obj.config())), SystemClock())


@click.group()
def topics() -> None:
    """Tags counted over time, and their spikes."""


@topics.command("trend")
@click.option("--days", type=click.IntRange(1, 92), default=14, show_default=True)
@click.option("--queue", default="")
@click.option("--channel", default="")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def topics_trend(obj: HasConfig, days: int, queue: str, channel: str, as_json: bool) -> None:
    """Each tag's count per day, the most used first, with a bar for the period."""
    now = datetime.now(UTC)
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    trend = asyncio.run(_service(obj).trend(since, now, queue, channel, daily=True))
    if as_json:
        click.echo(json.dumps({"since": since.isoformat(), "tags": trend}, indent=2))
        return
    if not trend:
        click.echo("no tags in this period")
    totals = sorted(((sum(c), tag) for tag, c in trend.items()), reverse=True)
    peak = max((n for n, _ in totals), default=1)
    for total, tag in totals:
        bar = "█" * max(1, round(30 * total / peak))
        click.echo(f"{tag:<20} {total:>6}  {bar}")


@topics.command("spikes")
@click.pass_obj
def topics_spikes(obj: HasConfig) -> None:
    """The tags spiking in the last hour; exit 1 while one is."""
    found = asyncio.run(_service(obj).spikes())
    if not found:
        click.echo("no tag is spiking")
    for s in found:
        click.echo(
            f"{s.tag}: {s.count} in the last hour (expected {s.expected}, spike from {s.threshold})"
        )
    if found:
        sys.exit(1)


COMMANDS = (topics,)  # found by the command line's root (cli/main.py)
