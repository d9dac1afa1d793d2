"""``callcenter report``: the reports in the shell — queue figures by interval and group,
agents' time, the calls behind a figure (tables, or CSV with ``--csv``), and ``verify``: a
day checked against Asterisk's queue_log, every difference with its call."""

from __future__ import annotations

import asyncio
import csv
import sys
from datetime import date
from typing import Any

import click

from callcenter.app.event_log import EventLogWiring
from callcenter.cli.common import HasConfig, open_store, sessions_for
from callcenter.domain.reports import GroupBy, Interval, ReportError, csv_cell
from callcenter.services.reports import OUTCOMES
from callcenter.store.db_threads import DbThreads


def _wiring(obj: HasConfig) -> EventLogWiring:
    config = obj.config()
    return EventLogWiring(config, sessions_for(config), DbThreads(1), open_store(config))


def _days(wiring: EventLogWiring, first: str | None, last: str | None) -> tuple[date, date]:
    try:
        start = date.fromisoformat(first) if first else wiring.reports.today()
        end = date.fromisoformat(last) if last else start
    except ValueError as exc:
        raise click.BadParameter(f"{exc} (a day is YYYY-MM-DD)") from None
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    return start, end


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _sec(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}s"


def _csv(rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    out = csv.writer(sys.stdout)
    out.writerow(list(rows[0]))
    for row in rows:
        out.writerow([csv_cell(v) for v in row.values()])


_RANGE = [
    click.option("--from", "first", help="First local day, YYYY-MM-DD (default: today)."),
    click.option("--to", "last", help="Last local day, included (default: --from)."),
    click.option("--queue", "queues", multiple=True, help="Only this queue (repeatable)."),
    click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table."),
]


def _range(f: Any) -> Any:
    for option in reversed(_RANGE):
        f = option(f)
    return f


@click.group()
def report() -> None:
    """Reports from the event log: figures, agents, the calls behind them, verification."""


@report.command("queues")
@_range
@click.option("--interval", type=click.Choice([i.value for i in Interval]), default="hour")
@click.option("--group", type=click.Choice([g.value for g in GroupBy]), default="queue")
@click.pass_obj
def queues_report(
    obj: HasConfig,
    first: str | None,
    last: str | None,
    queues: tuple[str, ...],
    as_csv: bool,
    interval: str,
    group: str,
) -> None:
    """Offered, answered, abandoned, service level, ASA, longest wait, AHT per interval."""
    wiring = _wiring(obj)
    days = _days(wiring, first, last)
    try:
        r = asyncio.run(
            wiring.reports.queue_report(days, Interval(interval), GroupBy(group), queues)
        )
    except ReportError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{exc.field}") from None
    if as_csv:
        _csv([{"start": x.start.isoformat(), "group": x.group, **vars(x.figures)} for x in r.rows])
        return
    click.echo(
        f"{'interval':<25} {'group':<10} {'offered':>7} {'answ':>5} {'aband':>5} "
        f"{'short':>5} {'SL':>7} {'ASA':>7} {'longest':>8} {'AHT':>8}"
    )
    for x in [*r.rows, None]:
        f, start, grp = (
            (r.total, "total", "") if x is None else (x.figures, x.start.isoformat(), x.group)
        )
        click.echo(
            f"{start:<25} {grp:<10} {f.offered:>7} {f.answered:>5} {f.abandoned:>5} "
            f"{f.short_abandoned:>5} {_pct(f.service_level):>7} "
            f"{_sec(f.average_speed_of_answer):>7} {_sec(f.longest_wait):>8} "
            f"{_sec(f.average_handle_time):>8}"
        )
    c = r.calls
    click.echo(
        f"calls {c.calls}, IVR containment {_pct(c.containment)}, repeat callers "
        f"24 h {_pct(c.repeat_rate_24h)} / 72 h {_pct(c.repeat_rate_72h)}; "
        + ", ".join(f"{k} {v}" for k, v in r.counts.items())
    )


@report.command("agents")
@_range
@click.pass_obj
def agents_report(
    obj: HasConfig, first: str | None, last: str | None, queues: tuple[str, ...], as_csv: bool
) -> None:
    """Each agent's time: logged in, paused by reason, talk, wrap-up, occupancy."""
    wiring = _wiring(obj)
    rows = asyncio.run(wiring.reports.agent_report(_days(wiring, first, last)))
    table = [
        {
            "agent": a.time.agent,
            "logged_in": round(a.time.logged_in),
            "paused": round(a.time.paused),
            "talk": round(a.time.talk),
            "wrap_up": round(a.time.wrap_up),
            "answered": a.answered,
            "occupancy": _pct(a.time.occupancy),
            "pauses": " ".join(f"{k}={round(v)}" for k, v in a.time.by_reason.items()),
        }
        for a in rows
    ]
    if as_csv:
        _csv(table)
        return
    for row in table:
        click.echo("  ".join(f"{k} {v}" for k, v in row.items()))
    if not table:
        click.echo("no agent was logged in on these days")


@report.command("calls")
@_range
@click.option("--outcome", type=click.Choice([o for o in OUTCOMES]), help="Only these calls.")
@click.option("--limit", type=click.IntRange(1, 10000), default=200)
@click.pass_obj
def calls_report(
    obj: HasConfig,
    first: str | None,
    last: str | None,
    queues: tuple[str, ...],
    as_csv: bool,
    outcome: str | None,
    limit: int,
) -> None:
    """The calls behind a figure (e.g. --outcome abandoned: whom to call back)."""
    wiring = _wiring(obj)
    rows = asyncio.run(
        wiring.reports.calls(_days(wiring, first, last), queues, (), outcome or "", limit)
    )
    if as_csv:
        _csv([{**r, "entered_at": r["entered_at"].isoformat()} for r in rows])
        return
    for r in rows:
        click.echo(
            f"{r['entered_at']:%Y-%m-%d %H:%M:%S}  {r['queue']:<10} {r['caller']:<16} "
            f"{r['outcome']:<10} wait {r['wait']:.1f}s  {r['agent'] or '-'}  {r['source']}"
        )
    if not rows:
        click.echo("no calls")


@report.command("verify")
@click.argument("day", required=False)
@click.pass_obj
def verify(obj: HasConfig, day: str | None) -> None:
    """Reconcile a local DAY (default: today) with Asterisk's queue_log; exit 1 on any
    difference, each printed with its call."""
    wiring = _wiring(obj)
    the_day, _ = _days(wiring, day, day)
    counted, theirs, differences = asyncio.run(wiring.verify(the_day, obj.config().state_dir))
    click.echo(f"{the_day}: {counted} queue calls here, {theirs} in the queue_log")
    for d in differences:
        click.echo(
            f"  {d.call_id} {d.queue}: {d.what} (here {d.ours or '-'}, queue_log {d.theirs or '-'})"
        )
    if differences:
        raise SystemExit(1)
    click.echo("no differences")


COMMANDS = (report,)  # found by the command line's root (cli/main.py)
