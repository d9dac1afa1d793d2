"""``callcenter backup`` and ``callcenter restore``: the instance in one archive, taken
while calls run, and put back into a fresh state directory (see callcenter.app.backup)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from callcenter.app.backup import backup as take_backup
from callcenter.app.backup import restore as put_back
from callcenter.cli.common import HasConfig
from callcenter.store.backup import BackupError


@click.command("backup")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The archive (default: STATE_DIR/backups/callcenter-UTC-TIME.tar.gz).",
)
@click.pass_obj
def backup(obj: HasConfig, out: Path | None) -> None:
    """The database, recordings, spools, prompts, flows, queues.yaml, the configuration
    file and the secrets, in one archive (mode 0600), consistent while calls run."""
    cfg = obj.config()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = out or cfg.state_dir / "backups" / f"callcenter-{stamp}.tar.gz"
    try:
        with click.progressbar(length=0, label="backing up", show_pos=True) as bar:
            summary = take_backup(cfg, out, lambda _name: bar.update(1))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{summary.path}: {summary.files} files, {summary.bytes / 1e6:.1f} MB,"
        f" {summary.database} database (it holds the secrets: keep it as safe as they are)"
    )
    for path in summary.left_out:
        click.echo(f"left out, still being recorded: {path}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def restore(obj: HasConfig, archive: Path) -> None:
    """Put ARCHIVE back into this configuration's state directory, which must be fresh
    (no secrets.json yet) with an empty database; every file is checked first."""
    cfg = obj.config()
    try:
        with click.progressbar(length=0, label="restoring", show_pos=True) as bar:
            files = put_back(cfg, archive, lambda _name: bar.update(1))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {files} files into {cfg.state_dir}; start it: callcenter sandbox up")


COMMANDS = (backup, restore)  # found by the command line's root (cli/main.py)
