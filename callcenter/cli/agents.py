"""``callcenter agents``: add, list, remove, reset-password.

An agent is a row in the store (name, extension, skills, team) plus a SIP account (a
generated password in secrets.json). Changes re-render PJSIP and the queues and a running
Asterisk reloads them — registered phones and calls in progress stay up.
"""

from __future__ import annotations

import asyncio
import io
import re

import click
import segno

from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.cli.common import HasConfig, open_store
from callcenter.config import Config
from callcenter.domain.queue_defs import SKILL
from callcenter.domain.tickets import Agent
from callcenter.secrets import load_or_create_secrets, set_agent_password
from callcenter.softphone_accounts import SoftphoneAccounts

EXTENSION = re.compile(r"^[0-9]{2,15}$")
NAME = re.compile(r"^[\w][\w .'-]{0,119}$")


def _reload(cfg: Config) -> str:
    secrets = load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones)
    try:
        reloaded = Sandbox(cfg, secrets).reload()
    except (SandboxError, OSError) as exc:
        raise click.ClickException(f"saved, but Asterisk did not reload: {exc}") from None
    return "Asterisk reloaded PJSIP and queues" if reloaded else "Asterisk is not running"


def _show(cfg: Config, agent: Agent) -> None:
    accounts = SoftphoneAccounts(cfg)
    account = accounts.for_agent(agent.extension, agent.name)
    assert account is not None
    click.echo(f"{agent.name} — extension {agent.extension}")
    click.echo("Softphone (Linphone, Zoiper):")
    for line in account.lines():
        click.echo(f"  {line}")
    url = accounts.provisioning_url(agent.extension)
    click.echo(f"Linphone remote provisioning: {url}")
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    click.echo(out.getvalue())


@click.group()
def agents() -> None:
    """Agents and their softphone accounts."""


@agents.command("add")
@click.argument("name")
@click.option("--ext", required=True, help="Extension, 2-15 digits.")
@click.option("--skills", default="", help="Comma-separated, e.g. billing,tech.")
@click.option("--team", default="")
@click.pass_obj
def agents_add(obj: HasConfig, name: str, ext: str, skills: str, team: str) -> None:
    cfg = obj.config()
    if not EXTENSION.match(ext):
        raise click.BadParameter(f"{ext!r} is not 2-15 digits", param_hint="--ext")
    if ext == cfg.dialplan.virtual_number:
        raise click.BadParameter(f"{ext} is the virtual number", param_hint="--ext")
    if not NAME.match(name.strip()):
        raise click.BadParameter(f"{name!r} is not a name", param_hint="NAME")
    skill_list = tuple(s.strip().lower() for s in skills.split(",") if s.strip())
    for skill in skill_list:
        if not SKILL.match(skill):
            raise click.BadParameter(
                f"{skill!r} is not a skill (a-z, 0-9, _-)", param_hint="--skills"
            )
    store = open_store(cfg)
    existing = {a.extension for a in asyncio.run(store.list_agents())}
    if ext in existing and ext in load_or_create_secrets(cfg.state_dir, ()).agent_passwords:
        raise click.ClickException(f"extension {ext} is taken (agents list)")
    agent = asyncio.run(store.save_agent(Agent(0, name.strip(), ext, skill_list, team.strip())))
    set_agent_password(cfg.state_dir, ext)
    click.echo(_reload(cfg))
    _show(cfg, agent)


@agents.command("list")
@click.pass_obj
def agents_list(obj: HasConfig) -> None:
    cfg = obj.config()
    accounts = load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones).agent_passwords
    for agent in asyncio.run(open_store(cfg).list_agents()):
        sip = "SIP account" if agent.extension in accounts else "no SIP account"
        skills = ",".join(agent.skills) or "-"
        click.echo(
            f"{agent.extension:<8} {agent.name:<24} {agent.team or '-':<12} {skills:<20} {sip}"
        )


@agents.command("remove")
@click.argument("ext")
@click.pass_obj
def agents_remove(obj: HasConfig, ext: str) -> None:
    """Remove the agent's SIP account (their history stays in the store)."""
    cfg = obj.config()
    if ext in cfg.dialplan.agents:
        raise click.ClickException(
            f"{ext} is in the configuration's dialplan.agents; remove it there first"
        )
    if ext not in load_or_create_secrets(cfg.state_dir, ()).agent_passwords:
        raise click.ClickException(f"no agent with extension {ext}")
    set_agent_password(cfg.state_dir, ext, new=False)
    click.echo(f"agent {ext} removed; {_reload(cfg)}")


@agents.command("reset-password")
@click.argument("ext")
@click.pass_obj
def agents_reset_password(obj: HasConfig, ext: str) -> None:
    """A new SIP password (the old one and the old provisioning URL stop working)."""
    cfg = obj.config()
    if ext not in load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones).agent_passwords:
        raise click.ClickException(f"no agent with extension {ext}")
    set_agent_password(cfg.state_dir, ext)
    click.echo(_reload(cfg))
    agent = next(
        (a for a in asyncio.run(open_store(cfg).list_agents()) if a.extension == ext), None
    )
    _show(cfg, agent or Agent(0, f"Agent {ext}", ext))


COMMANDS = (agents,)  # found by the command line's root (cli/main.py)
