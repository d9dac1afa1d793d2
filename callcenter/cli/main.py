"""``callcenter`` command line: thin wrappers that load the configuration and call in."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from callcenter.asterisk.confgen_sections import TemplateError
from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.cli.common import group_commands
from callcenter.config import Config, ConfigError, load_config
from callcenter.logs import setup_logging
from callcenter.secrets import load_or_create_secrets


@dataclasses.dataclass
class _Ctx:
    config_path: Path | None

    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as exc:
            raise click.ClickException(f"configuration: {exc}") from exc


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="CALLCENTER_CONFIG",
    help="Instance configuration file (default ./callcenter.toml).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """callcenter: a contact-center engine on a real Asterisk."""
    ctx.obj = _Ctx(config_path)


@main.group()
def config() -> None:
    """Inspect the instance configuration."""


@config.command("check")
@click.pass_obj
def config_check(obj: _Ctx) -> None:
    """Validate the configuration and print it resolved (without secrets); the flows our
    numbers lead to must exist."""
    from callcenter.app.assembly import flow_loader

    cfg = obj.config()
    _flows, issues = flow_loader(cfg, None)()
    routing = [i for i in issues if i.source == "(configuration)"]
    if routing:
        raise click.ClickException("\n".join(f"{i.path}: {i.message}" for i in routing))
    click.echo(json.dumps(dataclasses.asdict(cfg), indent=2))


@main.command()
@click.pass_obj
def run(obj: _Ctx) -> None:
    """Run the daemon (AMI + ARI + HTTP) until SIGTERM or SIGINT."""
    from callcenter.allocator import use_allocator

    cfg = obj.config()
    setup_logging(cfg.daemon.log_level)
    try:
        use_allocator(cfg)  # may execute this command again, on jemalloc: before the imports
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    from callcenter.app import run_daemon

    sys.exit(run_daemon(cfg))


# -- sandbox ---------------------------------------------------------------------------
@main.group()
def sandbox() -> None:
    """A real Asterisk 22 for this instance (system's, or a cached Debian root)."""


def _sandbox(obj: _Ctx) -> Sandbox:
    cfg = obj.config()
    return Sandbox(cfg, load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones))


@sandbox.command("up")
@click.option(
    "--foreground",
    is_flag=True,
    help="Stay until Asterisk exits (SIGTERM stops it): for a service manager (systemd).",
)
@click.pass_obj
def sandbox_up(obj: _Ctx, foreground: bool) -> None:
    """Start Asterisk and wait until AMI and ARI answer."""
    setup_logging("INFO")
    box = _sandbox(obj)
    try:
        state, started = box.up()
    except (SandboxError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(("started: " if started else "already running: ") + state.describe())
    if foreground:
        if not started:
            raise click.ClickException("Asterisk was started by another process: not ours to watch")
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: box.down())
        sys.exit(box.wait())


@sandbox.command("down")
@click.pass_obj
def sandbox_down(obj: _Ctx) -> None:
    """Stop the Asterisk this instance started."""
    state = _sandbox(obj).down()
    click.echo(f"stopped pid {state.pid}" if state else "not running")


@sandbox.command("status")
@click.pass_obj
def sandbox_status(obj: _Ctx) -> None:
    """Say whether this instance's Asterisk runs; exit 3 if not."""
    state = _sandbox(obj).state()
    if state is None:
        click.echo("not running")
        sys.exit(3)
    click.echo(state.describe())


@sandbox.command("cli")
@click.argument("command", required=False)
@click.pass_obj
def sandbox_cli(obj: _Ctx, command: str | None) -> None:
    """Asterisk's console (or run one COMMAND, e.g. 'pjsip show endpoints')."""
    box = _sandbox(obj)
    if box.state() is None:
        raise click.ClickException("Asterisk is not running: callcenter sandbox up")
    try:
        argv = box.cli_command(command)
    except (SandboxError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from exc
    sys.exit(subprocess.run(argv, check=False).returncode)


# -- asterisk --------------------------------------------------------------------------
@main.group()
def asterisk() -> None:
    """Asterisk configuration."""


@asterisk.command("config")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where (default: asterisk.config_dir, /etc/asterisk).",
)
@click.option("--owner", help="UID:GID Asterisk runs as (default: the system's asterisk user).")
@click.pass_obj
def asterisk_config(obj: _Ctx, out_dir: Path | None, owner: str | None) -> None:
    """Render what a system Asterisk (>= 22, asterisk.mode = system) needs into its
    configuration directory, and make the instance's directories its to write."""
    from callcenter.asterisk import system_asterisk

    cfg = obj.config()
    if out_dir is not None:
        a = dataclasses.replace(cfg.asterisk, config_dir=str(out_dir.resolve()))
        cfg = dataclasses.replace(cfg, asterisk=a)
    ids = system_asterisk.owner()
    if owner:
        uid, _, gid = owner.partition(":")
        if not (uid.isdigit() and gid.isdigit()):
            raise click.BadParameter(f"{owner!r} is not UID:GID", param_hint="--owner")
        ids = int(uid), int(gid)
    secrets = load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones)
    try:
        written = system_asterisk.render(cfg, secrets, ids)
    except (SandboxError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {written} files to {cfg.asterisk.config_dir}")
    if cfg.asterisk.mode != "system":
        click.echo("set asterisk.mode = system so that the daemon drives it (and starts none)")


for _command in group_commands():
    main.add_command(_command)


@main.group()
def prompts() -> None:
    """Uploaded prompts (played with {prompt: NAME} in flows)."""


@prompts.command("add")
@click.argument("name")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--lang", "language", default="en", show_default=True)
@click.pass_obj
def prompts_add(obj: _Ctx, name: str, source: Path, language: str) -> None:
    """Convert SOURCE (wav, or mp3/ogg/… with ffmpeg) and store it as prompt NAME."""
    from callcenter.app import prompts_dir
    from callcenter.asterisk.prompts import PromptError, add_prompt

    try:
        info = add_prompt(prompts_dir(obj.config()), name, source, language)
    except PromptError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"added {name} [{language}]: {info.seconds:.1f} s, "
        f"{info.loudness_dbfs:.1f} dBFS average -> {info.path}"
    )


# -- database --------------------------------------------------------------------------
@main.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: _Ctx) -> None:
    """Apply Alembic migrations up to the newest."""
    from callcenter.store.migrate import upgrade

    cfg = obj.config()
    cfg.state_dir.mkdir(parents=True, exist_ok=True)
    upgrade(cfg.database_url)
    click.echo(f"database at head: {_redact(cfg.database_url)}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()


@main.group()
def debug() -> None:
    """Look inside the daemon's wiring (nothing is started or changed)."""


@debug.command("events")
@click.pass_obj
def debug_events(obj: _Ctx) -> None:
    """Which feature listens to which event, in delivery order, from the declarations."""
    from callcenter.app.wiring_report import wiring_report

    for line in wiring_report(obj.config()):
        click.echo(line)
