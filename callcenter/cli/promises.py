"""``callcenter promises``: the promises told to callers per queue and day — made, kept,
broken, at risk, and the median slack; ``callcenter promises calibration``: per queue and
hour, the window told against the time to serve, the share kept and the share left."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import click

from callcenter.app.assembly import flow_loader, sound_index
from callcenter.asterisk.confgen_sections import queue_defs
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.promise_calibration import CalibrationCell
from callcenter.domain.promises import summary
from callcenter.http.api_calibration import alert_json, cell_json
from callcenter.services.flow_registry import FlowRegistry, QueueCalendars
from callcenter.services.promise_calibration import PromiseCalibration
from callcenter.store.callbacks import SqlCallbacks

DAYS = click.option(
    "--days", type=click.IntRange(1, 366), default=7, help="Made in the last N days."
)


@click.group(invoke_without_command=True)
@DAYS
@click.pass_context
def promises(ctx: click.Context, days: int) -> None:
    """Promises told to callers per queue and day: made, kept, broken, at risk, slack."""
    if ctx.invoked_subcommand is not None:
        return
    obj: HasConfig = ctx.obj
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


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _line(c: CalibrationCell) -> str:
    hour = "all" if c.hour < 0 else f"{c.hour:02d}h"
    return (
        f"{c.queue:<12} {hour:>4} {c.made:>5} {c.kept:>5} {c.repromised:>6} {c.broken:>6}"
        f" {_share(c.kept_share):>6} {_minutes(c.median_window):>8} {_minutes(c.median_served):>8}"
        f" {_share(c.median_left):>6} {_share(c.p95_left):>6}"
    )


@promises.command()
@DAYS
@click.option("--json", "as_json", is_flag=True, help="The API's JSON.")
@click.pass_obj
def calibration(obj: HasConfig, days: int, as_json: bool) -> None:
    """Per queue and hour made: the window told against the time to serve (minutes), the
    share kept, the share of the window left when served; alerts when a queue drifts.
    Exit status 1 while a queue drifts."""
    config = obj.config()
    now = datetime.now(UTC)
    calendars = QueueCalendars(
        queue_defs(config), FlowRegistry(flow_loader(config, sound_index(config)))
    )
    service = PromiseCalibration(SqlCallbacks(sessions_for(config)), calendars)
    found = asyncio.run(service.calibration(now - timedelta(days=days), now))
    if as_json:
        cells = {"hours": found.hours, "queues": found.queues}
        out = {k: [cell_json(c) for c in v] for k, v in cells.items()}
        click.echo(json.dumps({**out, "alerts": [alert_json(a) for a in found.alerts]}))
    elif not found.queues:
        click.echo("no callback promises")
    else:
        click.echo(
            f"{'queue':<12} {'hour':>4} {'made':>5} {'kept':>5} {'re-pr.':>6} {'broken':>6}"
            f" {'kept%':>6} {'window':>8} {'served':>8} {'left':>6} {'p95':>6}"
        )
        for c in [*found.hours, *found.queues]:
            click.echo(_line(c))
        for a in found.alerts:
            click.echo(f"ALERT {a.queue}: {a.figure} {a.value:.0%} (target {a.target:.0%})")
    if found.alerts:
        raise SystemExit(1)


COMMANDS = (promises,)  # found by the command line's root (cli/main.py)
