"""``callcenter widgets`` (add, list, snippet, remove): the click-to-call widgets sites
embed; ``callcenter guard`` (decisions, check): what the toll-fraud guard decided, and
whether a number would pass its number rules.

The store is the source of truth: a widget added here is served by the running daemon at
once (each request reads it).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from callcenter.app.widgets import number_policy
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.config import Config
from callcenter.domain.callbacks import CallbackError, dialable
from callcenter.domain.widgets import Widget, WidgetError, check_widget
from callcenter.http.api_widgets_json import snippet
from callcenter.store.dial_guard import SqlDialAudit
from callcenter.store.widgets import SqlWidgets


def _base(config: Config) -> str:
    d = config.daemon
    return f"http://{d.http_host}:{d.http_port}"


@click.group()
def widgets() -> None:
    """Click-to-call widgets (call me back, call now) that sites embed."""


@widgets.command("add")
@click.argument("widget_id")
@click.option("--queue", required=True, help="The queue its callbacks and calls go to.")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    help="An origin whose pages may embed it (https://shop.example); repeatable.",
)
@click.option("--name", default="", help="The title its visitors see.")
@click.option("--flow", default="", help="The IVR flow web calls run first (default: none).")
@click.option("--no-call-now", is_flag=True, help="Offer only 'call me back'.")
@click.pass_obj
def widgets_add(
    obj: HasConfig,
    widget_id: str,
    queue: str,
    origins: tuple[str, ...],
    name: str,
    flow: str,
    no_call_now: bool,
) -> None:
    """Define WIDGET_ID and print the snippet to paste into the site's pages."""
    config = obj.config()
    widget = Widget(widget_id, queue, origins, name, not no_call_now, flow)
    try:
        checked = check_widget(widget, frozenset(config.dialplan.queues))
        saved = SqlWidgets(sessions_for(config)).save_sync(checked, datetime.now(UTC), True)
    except WidgetError as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"widget {saved.id}: queue {saved.queue}, origins {', '.join(saved.origins)}")
    click.echo(snippet(saved.id, _base(config)))


@widgets.command("list")
@click.pass_obj
def widgets_list(obj: HasConfig) -> None:
    found = SqlWidgets(sessions_for(obj.config())).all_sync()
    if not found:
        click.echo("no widgets (callcenter widgets add ID --queue Q --origin https://…)")
    for w in found:
        modes = "call me back" + (", call now" if w.call_now else "")
        state = "" if w.enabled else " (disabled)"
        click.echo(f"{w.id:<20} {w.queue:<12} {modes:<24} {', '.join(w.origins)}{state}")


@widgets.command("snippet")
@click.argument("widget_id")
@click.pass_obj
def widgets_snippet(obj: HasConfig, widget_id: str) -> None:
    """The script tag for WIDGET_ID's pages."""
    config = obj.config()
    if SqlWidgets(sessions_for(config)).get_sync(widget_id) is None:
        raise click.ClickException(f"no widget {widget_id!r}")
    click.echo(snippet(widget_id, _base(config)))


@widgets.command("remove")
@click.argument("widget_id")
@click.pass_obj
def widgets_remove(obj: HasConfig, widget_id: str) -> None:
    if not SqlWidgets(sessions_for(obj.config())).remove_sync(widget_id):
        raise click.ClickException(f"no widget {widget_id!r}")
    click.echo(f"widget {widget_id} removed: its pages show nothing from now on")


@click.group()
def guard() -> None:
    """The toll-fraud guard in front of web-, API- and IVR-initiated dials."""


@guard.command("decisions")
@click.option("--refused", is_flag=True, help="Only the refused requests.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@click.pass_obj
def guard_decisions(obj: HasConfig, refused: bool, limit: int) -> None:
    """The guard's latest decisions, newest first: who asked, which number, which rule."""
    page = SqlDialAudit(sessions_for(obj.config())).page_sync(refused or None, limit, None)
    if not page.items:
        click.echo("no decisions yet")
    for r in page.items:
        verdict = "accepted" if r.rule is None else f"refused: {r.rule.value}"
        who = r.client or r.widget or "-"
        click.echo(
            f"{r.at:%Y-%m-%d %H:%M:%S} {r.source:<7} {r.number or '-':<16} {who:<22}"
            f" {verdict:<20} {r.message}"
        )


@guard.command("check")
@click.argument("number")
@click.pass_obj
def guard_check(obj: HasConfig, number: str) -> None:
    """Whether NUMBER passes the number rules (country, type, deny list); exit 1 if not."""
    try:
        e164 = dialable(number, number_policy(obj.config()), "number")
    except CallbackError as exc:
        click.echo(f"refused: {exc}")
        raise SystemExit(1) from None
    click.echo(f"{e164}: may be dialled (rate limits apply per request)")


COMMANDS = (
    widgets,
    guard,
)  # found by the command line's root (cli/main.py)
