"""``callcenter flows history FILE`` and ``callcenter flows rollback FILE VERSION``: the
versions the flow editor keeps (published in the browser, or found on disk), and one
published again — checked, written atomically; a running daemon takes it at its next look
at the files (``daemon.flows_poll_seconds``)."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

import click

from callcenter.app import flow_context, sound_index
from callcenter.app.assembly import SystemClock, flow_loader
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.cli.flows import flows
from callcenter.domain.flow_versions import FlowVersionError
from callcenter.services.flow_editor import FlowDraftError, FlowEditor
from callcenter.services.flow_registry import FlowLoadError, FlowRegistry
from callcenter.store.flow_versions import SqlFlowVersions


def _editor(obj: HasConfig) -> FlowEditor:
    cfg = obj.config()
    try:
        registry = FlowRegistry(flow_loader(cfg, sound_index(cfg)))
    except FlowLoadError as exc:
        raise click.ClickException(str(exc)) from None
    versions = SqlFlowVersions(sessions_for(cfg))
    ctx = flow_context(cfg, sound_index(cfg))
    return FlowEditor(Path(cfg.daemon.flows_dir).resolve(), ctx, registry, versions, SystemClock())


@flows.command("history")
@click.argument("file")
@click.pass_obj
def flows_history(obj: HasConfig, file: str) -> None:
    """The versions of FILE (e.g. main.yaml), newest first."""
    for v in asyncio.run(_editor(obj).history(file)):
        who = "on disk" if v.published_by == "file" else v.published_by
        when = v.published_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"v{v.id:<5} {v.digest[:12]}  {when}  {who:<16} {v.note}")


@flows.command("rollback")
@click.argument("file")
@click.argument("version", type=click.IntRange(1))
@click.pass_obj
def flows_rollback(obj: HasConfig, file: str, version: int) -> None:
    """Publish VERSION of FILE again, as a new version."""
    try:
        done = asyncio.run(_editor(obj).rollback(file, version, getpass.getuser()[:40]))
    except FlowVersionError as exc:
        raise click.ClickException(str(exc)) from None
    except FlowDraftError as exc:
        for issue in exc.issues:
            click.echo(str(issue), err=True)
        raise click.ClickException(str(exc)) from None
    click.echo(f"{file}: version {version} published again as version {done.id}")


COMMANDS = ()  # commands of the flows group (cli/flows.py)
