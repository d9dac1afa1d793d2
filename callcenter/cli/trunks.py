"""``callcenter trunks`` (status, password): the carriers' trunks and our numbers.

``status`` asks the running Asterisk itself (AMI), so it answers with the daemon down too,
and exits 1 while a trunk that registers is not registered (for a monitoring check).
``password`` keeps a carrier's password in the state directory's secrets.json (never in
the TOML); CALLCENTER_TRUNK_PASSWORD_<NAME> in the environment wins over it."""

from __future__ import annotations

import asyncio
import json
import sys

import click

from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_trunks import AmiTrunks
from callcenter.asterisk.sandbox import Sandbox
from callcenter.cli.common import HasConfig, asking_asterisk
from callcenter.config import Config
from callcenter.config_trunks import trunks_in_use
from callcenter.domain.trunks import BY_ADDRESS, REGISTERED, RegistrationSeen
from callcenter.secrets import load_or_create_secrets, set_trunk_password, trunk_password_variable


async def _registrations(cfg: Config) -> dict[str, RegistrationSeen]:
    async def ask(ami: AmiClient) -> dict[str, RegistrationSeen]:
        return {r.trunk: r for r in await AmiTrunks(ami).registrations()}

    return await asking_asterisk(cfg, ask)


@click.group()
def trunks() -> None:
    """The carriers' trunks ([[trunks]]) and our numbers ([[numbers]])."""


@trunks.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def trunks_status(obj: HasConfig, as_json: bool) -> None:
    """Each trunk's registration as Asterisk has it now, and where our numbers lead."""
    cfg = obj.config()
    lines = trunks_in_use(cfg)
    seen = asyncio.run(_registrations(cfg)) if any(t.register for t in lines) else {}
    rows = [
        {
            "name": t.name,
            "host": t.host,
            "registers": t.register,
            "status": seen[t.name].status
            if t.name in seen
            else ("unknown" if t.register else BY_ADDRESS),
            "outbound": t.outbound,
        }
        for t in lines
    ]
    numbers = [{"number": cfg.dialplan.virtual_number, "flow": cfg.daemon.entry_flow}] + [
        {"number": n.number, "flow": n.flow} for n in cfg.numbers
    ]
    if as_json:
        click.echo(json.dumps({"trunks": rows, "numbers": numbers}, indent=2))
    else:
        for r in rows:
            out = "calls out" if r["outbound"] else "calls in only"
            click.echo(f"{r['name']:<16} {r['host'] or '-':<28} {r['status']:<13} {out}")
        for n in numbers:
            click.echo(f"number {n['number']:<16} → flow {n['flow']}")
    if any(r["registers"] and r["status"] != REGISTERED for r in rows):
        sys.exit(1)


@trunks.command("password")
@click.argument("name")
@click.option("--forget", is_flag=True, help="Remove the stored password.")
@click.pass_obj
def trunks_password(obj: HasConfig, name: str, forget: bool) -> None:
    """Keep trunk NAME's password (asked for, or read from standard input), then have
    Asterisk use it at once when it runs."""
    cfg = obj.config()
    names = [t.name for t in trunks_in_use(cfg)]
    if name not in names:
        raise click.BadParameter(
            f"no trunk {name!r} (trunks: {', '.join(names)})", param_hint="NAME"
        )
    password = "" if forget else click.prompt(f"{name}'s password", hide_input=True)
    if not forget and not password.strip():
        raise click.BadParameter("an empty password; --forget removes it", param_hint="NAME")
    set_trunk_password(cfg.state_dir, name, password.strip())
    secrets = load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones)
    if Sandbox(cfg, secrets).reload():
        click.echo(f"{name}: password kept; Asterisk registers with it now")
    else:
        click.echo(f"{name}: password kept (used when Asterisk starts)")
    click.echo(f"({trunk_password_variable(name)} in the environment would win over it)")


COMMANDS = (trunks,)  # found by the command line's root (cli/main.py)
