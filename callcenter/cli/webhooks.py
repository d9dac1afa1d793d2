"""``callcenter webhooks`` (add, list, remove, deliveries): where events go, for admins at
a terminal. The running daemon delivers them from the outbox."""

from __future__ import annotations

import asyncio
import getpass
import secrets
from datetime import UTC, datetime

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.webhooks import EVENT_TYPES, WebhookError, check_subscription
from callcenter.store.webhooks import SqlWebhooks


def _store(obj: HasConfig) -> SqlWebhooks:
    return SqlWebhooks(sessions_for(obj.config()))


@click.group()
def webhooks() -> None:
    """Outgoing webhooks: add, list, remove, deliveries."""


@webhooks.command("add")
@click.argument("url")
@click.option("--events", required=True, help=f"Comma-separated: {', '.join(sorted(EVENT_TYPES))}.")
@click.pass_obj
def webhooks_add(obj: HasConfig, url: str, events: str) -> None:
    try:
        url, wanted = check_subscription(url, [e.strip() for e in events.split(",") if e.strip()])
    except WebhookError as exc:
        raise click.ClickException(str(exc)) from None
    sub = _store(obj).subscribe_sync(
        url, wanted, secrets.token_urlsafe(32), f"{getpass.getuser()} (cli)", datetime.now(UTC)
    )
    click.echo(f"webhook {sub.id}: {sub.url} ← {', '.join(sorted(sub.events))}")
    click.echo(f"secret (shown once; verifies Webhook-Signature): {sub.secret}")


@webhooks.command("list")
@click.pass_obj
def webhooks_list(obj: HasConfig) -> None:
    subs = _store(obj).subscriptions_sync()
    if not subs:
        click.echo("no webhooks")
    for s in subs:
        click.echo(f"{s.id:>4}  {s.url}  {', '.join(sorted(s.events))}")


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
@click.pass_obj
def webhooks_remove(obj: HasConfig, webhook_id: int) -> None:
    if not _store(obj).unsubscribe_sync(webhook_id):
        raise click.ClickException(f"no active webhook {webhook_id}")
    click.echo(f"webhook {webhook_id} removed (its deliveries are kept)")


@webhooks.command("deliveries")
@click.argument("webhook_id", type=int)
@click.option("--limit", type=click.IntRange(1, 1000), default=20)
@click.pass_obj
def webhooks_deliveries(obj: HasConfig, webhook_id: int, limit: int) -> None:
    rows = asyncio.run(_store(obj).deliveries(webhook_id, limit))
    if not rows:
        click.echo("no deliveries")
    for d in rows:
        extra = d.last_error if d.state.value != "delivered" else ""
        click.echo(
            f"{d.created_at:%Y-%m-%d %H:%M:%S}  {d.type:<18} {d.event_id}  {d.state.value:<9}"
            f" tries {d.attempts}  {extra}"
        )


COMMANDS = (webhooks,)  # found by the command line's root (cli/main.py)
