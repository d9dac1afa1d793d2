"""``callcenter lookups`` (list, try, token): the endpoints flows' lookup nodes may ask.

``try`` asks an endpoint as a call would (same client, same limits, the token) and prints
its answer or why it failed — before a flow depends on it; exit 1 when it fails. ``token``
keeps an endpoint's bearer token in the state directory's secrets.json (never in the TOML);
CALLCENTER_LOOKUP_TOKEN_<NAME> in the environment wins over it."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime

import click

from callcenter.cli.common import HasConfig
from callcenter.flows.session import Lookup, LookupDone
from callcenter.http.lookup_client import AiohttpLookups
from callcenter.secrets import LOOKUP_TOKEN_ENV, load_or_create_secrets, set_lookup_token
from callcenter.services.flow_lookups import look_up


@click.group()
def lookups() -> None:
    """Endpoints flows may ask ([[lookups]]): list, try, token."""


@lookups.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def lookups_list(obj: HasConfig, as_json: bool) -> None:
    """The configured endpoints: URL, longest wait, answer size, whether a token is kept."""
    cfg = obj.config()
    tokens = load_or_create_secrets(cfg.state_dir, ()).lookup_tokens
    rows = [
        {
            "name": lk.name,
            "url": lk.url,
            "timeout_ms": lk.timeout_ms,
            "max_bytes": lk.max_bytes,
            "token": lk.name in tokens,
        }
        for lk in cfg.lookups
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no lookups configured ([[lookups]] in callcenter.toml)")
    for r in rows:
        token = "token kept" if r["token"] else "no token"
        click.echo(
            f"{r['name']:<16} {r['url']}  ≤{r['timeout_ms']} ms, ≤{r['max_bytes']} B, {token}"
        )


@lookups.command("try")
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="order=1234")
@click.pass_obj
def lookups_try(obj: HasConfig, name: str, params: tuple[str, ...]) -> None:
    """Ask endpoint NAME as a call would; print its answer, or why it failed (exit 1)."""
    cfg = obj.config()
    query = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        query[key] = value
    client = AiohttpLookups(cfg.lookups, load_or_create_secrets(cfg.state_dir, ()).lookup_tokens)
    done = asyncio.run(_ask(client, Lookup(name, query)))
    if done.error:
        click.echo(f"{name}: failed: {done.error}", err=True)
        sys.exit(1)
    click.echo(json.dumps(done.answer, indent=2, ensure_ascii=False))


async def _ask(client: AiohttpLookups, command: Lookup) -> LookupDone:
    try:
        return await look_up(client, command, datetime.now(UTC))
    finally:
        await client.close()


@lookups.command("token")
@click.argument("name")
@click.option("--forget", is_flag=True, help="Remove the stored token.")
@click.pass_obj
def lookups_token(obj: HasConfig, name: str, forget: bool) -> None:
    """Keep endpoint NAME's bearer token (asked for, or read from standard input)."""
    cfg = obj.config()
    names = [lk.name for lk in cfg.lookups]
    if name not in names:
        raise click.BadParameter(
            f"no lookup {name!r} (lookups: {', '.join(names) or 'none'})", param_hint="NAME"
        )
    token = "" if forget else click.prompt(f"{name}'s token", hide_input=True)
    if not forget and not token.strip():
        raise click.BadParameter("an empty token; --forget removes it", param_hint="NAME")
    set_lookup_token(cfg.state_dir, name, token.strip())
    variable = LOOKUP_TOKEN_ENV + name.upper().replace("-", "_")
    click.echo(
        f"{name}: token {'forgotten' if forget else 'kept'} (the daemon reads it when it starts)"
    )
    click.echo(f"({variable} in the environment would win over it)")


COMMANDS = (lookups,)  # found by the command line's root (cli/main.py)
