"""``callcenter callbacks`` (list, show, cancel): callback requests and the due times told
to callers, for supervisors at a terminal (the promises' figures: ``callcenter promises``).
The running daemon places, dials and settles them; this reads and cancels in the store."""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime

import click

from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.callbacks import Callback, CallbackState, StaleCallback
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.store.callbacks import SqlCallbacks


def _store(obj: HasConfig) -> SqlCallbacks:
    return SqlCallbacks(sessions_for(obj.config()))


def _due(p: Promise | None) -> str:
    if p is None:
        return "-"
    return f"due {p.due_at:%Y-%m-%d %H:%M} UTC, {p.state.value}"


def _line(c: Callback, p: Promise | None = None) -> str:
    return (
        f"{c.id:>6}  {c.requested_at:%Y-%m-%d %H:%M}  {c.queue:<10} {c.number:<14} "
        f"{c.state.value:<9} attempt {c.attempts}/{c.max_attempts}"
        + (f"  {_due(p)}" if p is not None else "")
    )


@click.group()
def callbacks() -> None:
    """Callback requests: list, show, cancel."""


@callbacks.command("list")
@click.option("--state", type=click.Choice([s.value for s in CallbackState]), default=None)
@click.option("--queue", default="")
@click.option("--limit", type=click.IntRange(1, 1000), default=50)
@click.pass_obj
def callbacks_list(obj: HasConfig, state: str | None, queue: str, limit: int) -> None:
    page = asyncio.run(
        _store(obj).search(CallbackState(state) if state else None, queue, limit, None)
    )
    if not page.items:
        click.echo("no callbacks")
    for c in page.items:
        click.echo(_line(c))


def _get(obj: HasConfig, callback_id: int) -> tuple[SqlCallbacks, Callback, Promise | None]:
    store = _store(obj)
    callback = asyncio.run(store.get(callback_id))
    if callback is None:
        raise click.ClickException(f"no callback {callback_id}")
    return store, callback, asyncio.run(store.promise_for(PromiseKind.CALLBACK, callback_id))


@callbacks.command("show")
@click.argument("callback_id", type=int)
@click.pass_obj
def callbacks_show(obj: HasConfig, callback_id: int) -> None:
    _, c, p = _get(obj, callback_id)
    click.echo(_line(c, p))
    click.echo(f"  place:    joined the queue {c.joined_at:%H:%M:%S} UTC, priority {c.priority}")
    click.echo(f"  asked by: {c.source}" + (f", call {c.call_id}" if c.call_id else ""))
    if c.ticket_number:
        click.echo(f"  ticket:   #{c.ticket_number}")
    if c.agent:
        click.echo(f"  agent:    {c.agent}")
    if c.next_attempt_at:
        click.echo(f"  next:     {c.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC")
    if c.outcome:
        click.echo(f"  outcome:  {c.outcome}")
    if p is not None and p.slack is not None:
        click.echo(f"  promise:  {p.state.value} with {p.slack / 60:+.1f} min to spare")


@callbacks.command("cancel")
@click.argument("callback_id", type=int)
@click.option("--reason", default="", help="Why (kept with the callback).")
@click.pass_obj
def callbacks_cancel(obj: HasConfig, callback_id: int, reason: str) -> None:
    store, c, p = _get(obj, callback_id)
    why = reason or f"cancelled by {getpass.getuser()} (cli)"
    try:
        asyncio.run(
            store.change(
                c.id,
                [CallbackState.WAITING, CallbackState.RETRY],
                None,
                {"state": CallbackState.CANCELLED, "outcome": why[:200]},
            )
        )
    except StaleCallback as exc:
        raise click.ClickException(f"callback {c.id} is {c.state.value}: {exc}") from None
    if p is not None:
        now = datetime.now(UTC)
        asyncio.run(
            store.update_promise(
                p.id, {"state": PromiseState.CANCELLED, "closed_at": now, "outcome": why}
            )
        )
    click.echo(f"callback {c.id} cancelled: nobody will be dialled")


COMMANDS = (callbacks,)  # found by the command line's root (cli/main.py)
