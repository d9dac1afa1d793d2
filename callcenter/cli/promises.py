"""``callcenter promises``: the promises told to callers per queue and day — made, kept,
broken, at risk, and the median slack."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.promises import summary
from callcenter.store.callbacks import SqlCallbacks


@click.command()
@click.option("--days", type=click.IntRange(1, 366), default=7, help="Made in the last N days.")
@click.pass_obj
def promises(obj: HasConfig, days: int) -> None:
    """Promises told to callers per queue and day: made, kept, broken, at risk, slack."""
    now = datetime.now(UTC)
    rows_ = SqlCallbacks(sessions_for(obj.config()))  # promises are written with their callback
    made = asyncio.run(rows_.promise_counts(now - timedelta(days=days), now))
    rows = summary(made)
    if not rows:
        click.echo("no promises")
        return
    click.echo(
        f"{'day':<10}  {'queue':<10} {'made':>5} {'kept':>5} {'broken':>6} "
        f"{'at risk':>7} {'open':>5}  median slack"
    )
    for d in rows:
        slack = f"{d.median_slack / 60:+.1f} min" if d.median_slack is not None else "-"
        click.echo(
            f"{d.day:<10}  {d.queue:<10} {d.made:>5} {d.kept:>5} {d.broken:>6} "
            f"{d.at_risk:>7} {d.open:>5}  {slack}"
        )


COMMANDS = (promises,)  # found by the command line's root (cli/main.py)
