"""``callcenter staff`` (add, link, passwd, locale, disable, enable, list): who signs in to the
pages. Passwords are never arguments (they would land in the shell's history): they are
generated and printed once, or read from standard input with ``--password-stdin``."""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime, timedelta

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.config import Config
from callcenter.domain.staff import LOCALES, STAFF_ROLES, StaffError
from callcenter.domain.tickets import Role
from callcenter.store.staff import SqlStaff


def _store(obj: HasConfig) -> SqlStaff:
    return SqlStaff(sessions_for(obj.config()))


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated?)"""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return secrets.token_urlsafe(12), True


def _link(cfg: Config, token: str) -> str:
    return f"http://{cfg.daemon.http_host}:{cfg.daemon.http_port}/signin/link/{token}"


@click.group()
def staff() -> None:
    """Staff accounts: agents, supervisors and admins sign in to the pages."""


@staff.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in STAFF_ROLES]))
@click.option("--agent", default="", help="For --role agent: the agent's extension.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def staff_add(obj: HasConfig, username: str, role: str, agent: str, password_stdin: bool) -> None:
    password, generated = _password(password_stdin)
    try:
        user = _store(obj).create_user_sync(
            username, password, Role(role), agent, datetime.now(UTC)
        )
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{user.username} ({user.role.value}{' ' + user.agent if user.agent else ''}) added")
    if generated:
        click.echo(f"password (shown once): {password}")


@staff.command("link")
@click.argument("username")
@click.pass_obj
def staff_link(obj: HasConfig, username: str) -> None:
    """Print a one-time sign-in link for USERNAME."""
    cfg = obj.config()
    valid = timedelta(minutes=cfg.staff.link_minutes)
    try:
        token = _store(obj).create_link_sync(username, datetime.now(UTC), valid)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"one-time sign-in link for {username} (valid {cfg.staff.link_minutes:g} min):")
    click.echo(_link(cfg, token))


@staff.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def staff_passwd(obj: HasConfig, username: str, password_stdin: bool) -> None:
    password, generated = _password(password_stdin)
    try:
        _store(obj).set_password_sync(username, password)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username}: password changed")
    if generated:
        click.echo(f"password (shown once): {password}")


@staff.command("locale")
@click.argument("username")
@click.argument("locale", type=click.Choice(["browser", *LOCALES]))
@click.pass_obj
def staff_locale(obj: HasConfig, username: str, locale: str) -> None:
    """The language of USERNAME's pages (``browser``: what their browser asks for)."""
    try:
        _store(obj).set_locale_sync(username, "" if locale == "browser" else locale)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{username}: pages in {locale}")


@staff.command("disable")
@click.argument("username")
@click.pass_obj
def staff_disable(obj: HasConfig, username: str) -> None:
    """Stop USERNAME signing in; their open sessions end at once."""
    _set_disabled(obj, username, True)


@staff.command("enable")
@click.argument("username")
@click.pass_obj
def staff_enable(obj: HasConfig, username: str) -> None:
    _set_disabled(obj, username, False)


def _set_disabled(obj: HasConfig, username: str, disabled: bool) -> None:
    try:
        _store(obj).set_disabled_sync(username, disabled, datetime.now(UTC))
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{username}: disabled, signed out everywhere" if disabled else f"{username}: enabled"
    )


@staff.command("list")
@click.pass_obj
def staff_list(obj: HasConfig) -> None:
    users = _store(obj).list_users_sync()
    if not users:
        click.echo("no staff accounts (the daemon creates admin at its first start)")
    for u in users:
        state = "disabled" if u.disabled else "active"
        locale = u.locale or "browser"
        click.echo(f"{u.username:<24} {u.role.value:<11} {u.agent or '-':<8} {locale:<8} {state}")


COMMANDS = (staff,)  # found by the command line's root (cli/main.py)
