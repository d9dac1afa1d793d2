"""``callcenter bans`` (list, lift): addresses banned from SIP after failed logins.

The store is the source of truth: a lift made here reaches Asterisk within the running
daemon's next sweep (seconds); through the API (``DELETE /api/v1/security/bans/ADDR``) it
is applied at once.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.bans import BanError, SipBan, parse_address
from callcenter.store.bans import SqlSipBans


def _line(ban: SipBan, now: datetime) -> str:
    if ban.lifted_at is not None:
        state = f"lifted {ban.lifted_at:%Y-%m-%d %H:%M} by {ban.lifted_by}"
    elif ban.active(now):
        state = f"banned until {ban.expires_at:%Y-%m-%d %H:%M:%S}"
    else:
        state = f"expired {ban.expires_at:%Y-%m-%d %H:%M}"
    return f"{ban.address:<40} {state:<44} {ban.reason}"


@click.group()
def bans() -> None:
    """Addresses banned from SIP (failed authentications)."""


@bans.command("list")
@click.option("--all", "show_all", is_flag=True, help="Also expired and lifted bans.")
@click.pass_obj
def bans_list(obj: HasConfig, show_all: bool) -> None:
    store = SqlSipBans(sessions_for(obj.config()))
    now = datetime.now(UTC)
    shown = [b for b in store.recent_sync(200) if show_all or b.active(now)]
    if not shown:
        click.echo("no active bans" if not show_all else "no bans")
    for ban in shown:
        click.echo(_line(ban, now))


@bans.command("lift")
@click.argument("address")
@click.pass_obj
def bans_lift(obj: HasConfig, address: str) -> None:
    """End the ban of ADDRESS (the running daemon applies it within seconds)."""
    try:
        ip = parse_address(address)
    except BanError as exc:
        raise click.BadParameter(str(exc), param_hint="ADDRESS") from None
    store = SqlSipBans(sessions_for(obj.config()))
    ban = store.lift_sync(ip, datetime.now(UTC), f"cli ({getpass.getuser()})")
    if ban is None:
        raise click.ClickException(f"{ip} is not banned")
    click.echo(f"{ip}: ban lifted; the daemon lets it in again within seconds")


COMMANDS = (bans,)  # found by the command line's root (cli/main.py)
