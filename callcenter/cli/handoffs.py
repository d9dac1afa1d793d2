"""``callcenter handoffs`` (teams, flagged): open tickets that crossed a shift change —
the supervisor's view of the handoff, as the board shows it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.handoffs import team_figures
from callcenter.domain.tickets import OPEN_STATUSES
from callcenter.store.handoffs import SqlHandoffs

BAR = 30  # characters for the longest team's bar


def _since(hours: float) -> datetime:
    if not 0 < hours <= 24 * 90:
        raise click.BadParameter("0 < hours <= 2160", param_hint="--hours")
    return datetime.now(UTC) - timedelta(hours=hours)


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value / 60:.0f} min"


@click.group()
def handoffs() -> None:
    """Shift handoffs: what outgoing agents left to their teams."""


@handoffs.command("teams")
@click.option("--hours", default=24.0, show_default=True, help="How far back.")
@click.pass_obj
def handoffs_teams(obj: HasConfig, hours: float) -> None:
    """Per team: tickets handed over, with a note, flagged, read by the incoming shift
    (# read, + noted but unread, ! flagged and unread)."""
    store = SqlHandoffs(sessions_for(obj.config()))
    teams = team_figures(asyncio.run(store.handed(_since(hours))))
    if not teams:
        click.echo(f"no ticket crossed a shift change in the last {hours:g} h")
        return
    most = max(t.crossing for t in teams)
    click.echo(
        f"{'team':<16} {'handed':>6} {'noted':>6} {'flagged':>7} {'read':>5} "
        f"{'median':>7} {'longest':>7}"
    )
    for t in teams:
        scale = BAR / most
        bar = (
            "#" * round(t.acknowledged * scale)
            + "+" * round(t.unread_noted * scale)
            + "!" * round(t.unread_flagged * scale)
        )
        click.echo(
            f"{t.team or '(no team)':<16} {t.crossing:>6} {t.noted:>6} {t.flagged:>7} "
            f"{t.acknowledged:>5} {_seconds(t.ack_median):>7} {_seconds(t.ack_max):>7}  {bar}"
        )


@handoffs.command("flagged")
@click.option("--hours", default=24.0, show_default=True, help="How far back.")
@click.pass_obj
def handoffs_flagged(obj: HasConfig, hours: float) -> None:
    """Open tickets an agent left at logout without a handoff note."""
    store = SqlHandoffs(sessions_for(obj.config()))
    items = [
        h
        for h in asyncio.run(store.handed(_since(hours)))
        if h.flagged and h.ticket.status in OPEN_STATUSES
    ]
    if not items:
        click.echo("no ticket was left without a handoff note")
    for h in items:
        click.echo(
            f"#{h.ticket.number:<7} {h.handed_at:%Y-%m-%d %H:%M}  left by {h.from_agent:<6} "
            f"({h.team or 'no team'})  {h.ticket.subject}"
        )


COMMANDS = (handoffs,)  # found by the command line's root (cli/main.py)
