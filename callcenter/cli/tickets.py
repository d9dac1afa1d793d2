"""``callcenter tickets`` (list, show) and ``callcenter tokens`` (create, list, revoke)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import click

from callcenter.cli.common import HasConfig, open_keys, open_store
from callcenter.domain.tickets import NotFound, Role, TicketStatus


@click.group()
def tickets() -> None:
    """Tickets in the store."""


@tickets.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([s.value for s in TicketStatus]),
    help="Only these statuses (repeatable).",
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@click.pass_obj
def tickets_list(obj: HasConfig, statuses: tuple[str, ...], limit: int) -> None:
    store = open_store(obj.config())
    page = asyncio.run(store.list_tickets(limit, status=[TicketStatus(s) for s in statuses]))
    if not page.items:
        click.echo("no tickets")
    for t in page.items:
        who = f"customer {t.customer_id}" if t.customer_id else "no customer"
        click.echo(
            f"#{t.number:<6} {t.status.value:<8} {t.priority.value:<7} {t.channel.value:<6} "
            f"{who:<16} {t.subject}"
        )


@tickets.command("show")
@click.argument("number", type=int)
@click.pass_obj
def tickets_show(obj: HasConfig, number: int) -> None:
    store = open_store(obj.config())
    try:
        view = asyncio.run(store.get_ticket(number))
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    t = view.ticket
    click.echo(f"#{t.number} {t.subject}")
    click.echo(f"  status {t.status.value}, priority {t.priority.value}, channel {t.channel.value}")
    click.echo(f"  customer {t.customer_id}, queue {t.queue or '-'}, assignee {t.assignee or '-'}")
    if t.tags:
        click.echo(f"  tags {', '.join(t.tags)}")
    for i in view.timeline:
        click.echo(f"  {i.occurred_at:%Y-%m-%d %H:%M:%S} {i.kind.value:<12} {i.direction.value}")
        if i.body:
            click.echo(f"      {i.body}")
        path = i.data.get("ivr_path")
        if path:
            click.echo(f"      IVR: {json.dumps(path, ensure_ascii=False)}")
        queue_line = _queue_line(i.data)
        if queue_line:
            click.echo(f"      {queue_line}")
        if i.data.get("recording_id"):
            problem = i.data.get("recording_problem")
            click.echo(
                f"      recording {i.data['recording_id']} ({i.data.get('recording_state')}"
                f"{': ' + str(problem) if problem else ''}): callcenter recordings show "
                f"{i.data['recording_id']}, or /recordings?id={i.data['recording_id']}"
            )


def _queue_line(data: Mapping[str, Any]) -> str:
    """A queue call's leg as the API has it: queue, outcome, agent, wait and talk time."""
    if not data.get("queue_outcome"):
        return ""
    parts = [f"queue {data.get('queue') or '-'}: {data['queue_outcome']}"]
    if data.get("agent"):
        parts.append(f"agent {data['agent']}")
    for key, label in (("wait", "waited"), ("talk", "talked")):
        if isinstance(data.get(key), int | float):
            parts.append(f"{label} {data[key]:.0f} s")
    return ", ".join(parts)


@click.group()
def tokens() -> None:
    """API tokens (the token is shown once, at creation)."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default="", help="Who or what uses it (default: the role).")
@click.option(
    "--agent",
    default="",
    help="For --role agent: the agent's extension (the token acts for it only).",
)
@click.pass_obj
def tokens_create(obj: HasConfig, role: str, name: str, agent: str) -> None:
    if role == Role.AGENT.value and not agent.isdigit():
        raise click.BadParameter("an agent token needs the agent's extension", param_hint="--agent")
    if agent and role != Role.AGENT.value:
        raise click.BadParameter("only agent tokens belong to an extension", param_hint="--agent")
    token_id, token = open_keys(obj.config()).create_token(name or role, Role(role), agent)
    click.echo(f"token {token_id} ({role}); keep it now, it is not shown again:")
    click.echo(token)


@tokens.command("list")
@click.pass_obj
def tokens_list(obj: HasConfig) -> None:
    for token_id, name, role, created, revoked in open_keys(obj.config()).list_tokens():
        state = f"revoked {revoked:%Y-%m-%d}" if revoked else "active"
        click.echo(f"{token_id:<5} {role.value:<12} {name:<24} {created:%Y-%m-%d} {state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def tokens_revoke(obj: HasConfig, token_id: int) -> None:
    try:
        open_keys(obj.config()).revoke_token(token_id)
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"token {token_id} revoked")


COMMANDS = (
    tickets,
    tokens,
)  # found by the command line's root (cli/main.py)
