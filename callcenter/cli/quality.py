"""``callcenter quality`` (scorecards, define, evaluations, sample): the quality review's
forms, a form (or its next version) from a JSON file, evaluations made, and the calls drawn
for review this week."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from callcenter.app import ticket_store
from callcenter.app.assembly import SystemClock
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.review_sampling import SamplingRule
from callcenter.domain.scorecards import ScorecardError
from callcenter.services.quality import Quality
from callcenter.store.quality import SqlQuality
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts


def _service(obj: HasConfig) -> Quality:
    config = obj.config()
    sessions = sessions_for(config)
    tickets = ticket_store(config, sessions)

    async def agent_name(ext: str) -> str:
        return next((a.name for a in await tickets.list_agents() if a.extension == ext), "")

    return Quality(SqlQuality(sessions), SqlRecordings(sessions), SqlTranscripts(sessions),
                   agent_name, SystemClock())  # fmt: skip


@click.group()
def quality() -> None:
    """Quality review: scorecards, evaluations, the calls to review."""


@quality.command("scorecards")
@click.pass_obj
def quality_scorecards(obj: HasConfig) -> None:
    """The scorecards (the latest version of each) and their criteria."""
    forms = asyncio.run(_service(obj).forms())
    if not forms:
        click.echo("no scorecards yet (callcenter quality define NAME FILE.json)")
    for f in forms:
        click.echo(f"{f.id:>4}  {f.name} v{f.version}")
        for s in f.sections:
            click.echo(f"        {s.title}")
            for c in s.criteria:
                extra = f", auto {c.auto}" if c.auto else ""
                click.echo(
                    f"          {c.id}: {c.text} ({c.kind.value}, weight {c.weight:g}{extra})"
                )


@quality.command("define")
@click.argument("name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def quality_define(obj: HasConfig, name: str, file: Path) -> None:
    """NAME's next version from FILE (JSON: a list of sections, or {"sections": [...]})."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file}: not JSON ({exc})") from None
    sections = raw.get("sections") if isinstance(raw, dict) else raw
    try:
        form = asyncio.run(_service(obj).define_form(name, sections, "cli"))
    except ScorecardError as exc:
        raise click.ClickException(f"{file}: " + "\n  ".join(exc.issues)) from None
    click.echo(f"scorecard {form.id}: {form.name} v{form.version}")


@quality.command("evaluations")
@click.option("--agent", default="")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True)
@click.pass_obj
def quality_evaluations(obj: HasConfig, agent: str, days: int) -> None:
    """Evaluations, newest first: score, grader, the agent's response."""
    found = asyncio.run(_service(obj).evaluations(agent, days))
    if not found:
        click.echo("no evaluations in this period")
    for e in found:
        score = f"{e.score:5.1f} %" if e.score is not None else "    - "
        state = f" superseded by {e.superseded_by}" if e.superseded_by else ""
        said = f" {e.response}" + (f": {e.dispute}" if e.dispute else "") if e.response else ""
        click.echo(f"{e.id:>5}  recording {e.recording_id:<6} agent {e.agent:<6} {score} "
                   f"by {e.grader}{state}{said}")  # fmt: skip


@quality.command("sample")
@click.option("--per-agent", type=click.IntRange(1, 20), default=2, show_default=True)
@click.option("--days", type=click.IntRange(1, 366), default=7, show_default=True)
@click.pass_obj
def quality_sample(obj: HasConfig, per_agent: int, days: int) -> None:
    """The calls to review: per agent at random (stable for the week), low CSAT, long."""
    picks = asyncio.run(_service(obj).sample(SamplingRule(per_agent=per_agent), days))
    if not picks:
        click.echo("no recorded calls to review in this period")
    for x in picks:
        click.echo(f"recording {x.recording_id:<6} agent {x.agent:<6} {x.reason}")


COMMANDS = (quality,)  # found by the command line's root (cli/main.py)
