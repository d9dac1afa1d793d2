"""``callcenter surveys`` (list, csat, drivers, link): callers' answers after the call,
CSAT per queue, agent, team, flow, number or hour (with a bar each), CSAT against the wait,
transfers and repeat calls, and a survey link for a call the dialplan did not survey."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import click

from callcenter.app import ticket_store
from callcenter.app.assembly import SystemClock
from callcenter.app.event_log import centre_zone
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain import survey_reports as reports
from callcenter.domain.surveys import Csat, SurveyError
from callcenter.secrets import load_or_create_secrets
from callcenter.services.surveys import LinkPolicy, Surveys, survey_json
from callcenter.store.survey_reports import SqlSurveyReports
from callcenter.store.surveys import SqlSurveys


class _NoAudio:
    async def adopt_comment(self, call_id: str, path: str, at: datetime, queue: str) -> None:
        return None


def _service(obj: HasConfig) -> Surveys:
    config = obj.config()
    sessions = sessions_for(config)
    secrets = load_or_create_secrets(config.state_dir, ())
    c = config.surveys
    return Surveys(
        SqlSurveys(sessions), ticket_store(config, sessions), _NoAudio(),
        config.state_dir / "asterisk" / "spool" / "surveys",
        LinkPolicy(secrets.survey_secret.encode(), c.link_hours, len(c.questions)),
        SystemClock(),
    )  # fmt: skip


def _line(key: str, c: Csat) -> str:
    bar = "█" * round((c.csat or 0) / 5)
    rate = f"{c.csat:5.1f} %" if c.csat is not None else "    - "
    return f"{key:<16} {rate}  {c.answered:>5} answered {c.no_answer:>5} no answer  {bar}"


@click.group()
def surveys() -> None:
    """Post-call surveys: answers, CSAT, what it moves with, links."""


@surveys.command("list")
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True)
@click.option("--queue", default="")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def surveys_list(obj: HasConfig, days: int, queue: str, as_json: bool) -> None:
    """Callers' answers, newest first."""
    now = datetime.now(UTC)
    found = asyncio.run(_service(obj).between(now - timedelta(days=days), now, queue))
    if as_json:
        click.echo(json.dumps([survey_json(s) for s in found], indent=2))
        return
    if not found:
        click.echo("no surveys in this period")
    for s in found:
        when = s.created_at.isoformat(timespec="minutes") if s.created_at else ""
        scores = " ".join(map(str, s.scores)) or "-"
        comment = f'  "{s.comment_text}"' if s.comment_text else ""
        click.echo(f"{when}  {s.queue:<12} {s.agent:<6} {s.outcome.value:<9} {scores}{comment}")


@surveys.command("csat")
@click.option("--by", type=click.Choice(reports.DIMENSIONS), default="queue", show_default=True)
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.pass_obj
def surveys_csat(obj: HasConfig, by: str, days: int) -> None:
    """CSAT (share of 4-5) per queue, agent, team, flow, number or hour."""
    config = obj.config()
    now = datetime.now(UTC)
    facts = asyncio.run(
        SqlSurveyReports(sessions_for(config)).facts(now - timedelta(days=days), now)
    )
    per = reports.csat_per(facts, by, centre_zone(config))
    if not per:
        click.echo("no surveys in this period")
    for key, c in per.items():
        click.echo(_line(key, c))


@surveys.command("drivers")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.pass_obj
def surveys_drivers(obj: HasConfig, days: int) -> None:
    """CSAT against the wait, transfers and repeat calls."""
    now = datetime.now(UTC)
    facts = asyncio.run(
        SqlSurveyReports(sessions_for(obj.config())).facts(now - timedelta(days=days), now)
    )
    for driver in reports.DRIVERS:
        click.echo(f"{driver}:")
        for band, c in reports.against(facts, driver):
            click.echo("  " + _line(band, c))


@surveys.command("link")
@click.argument("call_id")
@click.option("--queue", default="")
@click.option("--agent", default="")
@click.pass_obj
def surveys_link(obj: HasConfig, call_id: str, queue: str, agent: str) -> None:
    """A survey link for CALL_ID (good once, until it expires)."""
    config = obj.config()
    try:
        survey, token = asyncio.run(_service(obj).link(call_id, queue, agent, None))
    except SurveyError as exc:
        raise click.ClickException(str(exc)) from None
    base = f"http://{config.daemon.http_host}:{config.daemon.http_port}"
    click.echo(f"survey {survey.id}: {base}/survey/{token}")


COMMANDS = (surveys,)  # found by the command line's root (cli/main.py)
