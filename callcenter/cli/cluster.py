"""``callcenter cluster nodes``: every node of the cluster as the shared database has it —
its epoch, whether its lease is live, how long ago it beat, and the callbacks it holds;
``callcenter cluster lost NODE``: the calls a failed node took with it, and the callback
each caller was offered; ``callcenter cluster front up|down|show``: the SIP front
(Kamailio) before the nodes."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click

from callcenter.app.cluster_demo import run_demo
from callcenter.app.front import front_registrations, prepare_front
from callcenter.asterisk.confgen_sections import TemplateError
from callcenter.asterisk.kamailio import Front, FrontError, dispatcher_list
from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.cli.common import HasConfig, sessions_for
from callcenter.domain.cluster import ClusterError, node_addresses, partitions
from callcenter.secrets import load_or_create_secrets
from callcenter.store.cluster import SqlNodes
from callcenter.store.lost_calls import SqlLostCalls


@click.group()
def cluster() -> None:
    """The nodes sharing this database (each an Asterisk with its daemon)."""


@cluster.command("nodes")
@click.pass_obj
def cluster_nodes(obj: HasConfig) -> None:
    """Each node: live or lapsed, epoch (+1 at every start), last heartbeat, the queues it
    serves, and its callbacks waiting for an agent / dialling."""
    store = SqlNodes(sessions_for(obj.config()))
    nodes, claims = store.nodes_sync(), {c.node: c for c in store.claims_sync()}
    if not nodes:
        click.echo("no node has joined yet (the daemon joins when it starts)")
        return
    now = datetime.now(UTC)
    click.echo(
        f"{'node':<12} {'state':<8} {'epoch':>5} {'beat':>8} {'waiting':>7} {'dialing':>7}  queues"
    )
    for n in nodes:
        held = claims.get(n.node)
        state = (
            "live" if not n.lapsed(now) else ("stopped" if n.state.value == "stopped" else "lapsed")
        )
        age = f"{(now - n.beat_at).total_seconds():.0f} s"
        click.echo(
            f"{n.node:<12} {state:<8} {n.epoch:>5} {age:>8} {held.waiting if held else 0:>7}"
            f" {held.dialing if held else 0:>7}  {', '.join(n.queues) or 'every queue'}"
        )
    unowned = claims.get("")
    if unowned is not None and unowned.waiting:
        click.echo(
            f"{unowned.waiting} waiting callback(s) held by no node (the next sweep takes them)"
        )


@cluster.command("lost")
@click.argument("node")
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
def cluster_lost(obj: HasConfig, node: str, limit: int) -> None:
    """The calls NODE took with it when it failed (recorded by a survivor), newest first,
    with the callback each caller was offered."""
    lost = SqlLostCalls(sessions_for(obj.config())).lost_of(node, limit)
    if not lost:
        click.echo(f"no call of node {node!r} was lost")
        return
    for call, callback in lost:
        offer = f"callback {callback}" if callback is not None else "no callback of its own"
        when = f"{call.started_at:%Y-%m-%d %H:%M:%S}"
        click.echo(f"{call.call_id:<24} {when}  {call.caller:<16} {call.lost}; {offer}")


def _front(obj: HasConfig, starting: bool = False) -> Front:
    """This instance's front; ``starting``: with the agents' digests stored for it."""
    cfg = obj.config()
    secrets = load_or_create_secrets(cfg.state_dir, cfg.dialplan.phones)
    try:
        runtime = Sandbox(cfg, secrets).runtime()
        if starting:
            return prepare_front(cfg, runtime, secrets.agent_passwords)
    except (SandboxError, FrontError) as exc:
        raise click.ClickException(str(exc)) from exc
    return Front(cfg, runtime, secrets.agent_passwords)


@cluster.group("front")
def front() -> None:
    """The SIP front (Kamailio): each virtual number to its home node, then its standby."""


@front.command("up")
@click.pass_obj
def front_up(obj: HasConfig) -> None:
    """Render Kamailio's configuration from [cluster] and start it."""
    try:
        state, started = _front(obj, starting=True).up()
    except (FrontError, ClusterError, TemplateError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(("started: " if started else "already running: ") + state.describe())


@front.command("down")
@click.pass_obj
def front_down(obj: HasConfig) -> None:
    """Stop the front this instance started."""
    state = _front(obj).down()
    click.echo(f"stopped pid {state.pid}" if state else "not running")


@front.command("show")
@click.pass_obj
def front_show(obj: HasConfig) -> None:
    """Print the dispatcher list the front routes by (partition sets, home first) and, with
    the cluster's PostgreSQL, the phones registered at the front now."""
    cfg = obj.config()
    c = cfg.cluster
    try:
        nodes = node_addresses(c.nodes)
        click.echo(dispatcher_list(partitions(c.partitions, nodes), nodes), nl=False)
    except ClusterError as exc:
        raise click.ClickException(str(exc)) from exc
    if not cfg.database_url.startswith("postgresql"):
        return
    phones = front_registrations(cfg)
    click.echo(f"{len(phones)} phone(s) registered at the front")
    for r in phones:
        click.echo(f"  {r.agent:<6} {r.contact}  until {r.expires:%H:%M:%S}  {r.user_agent}")


@cluster.command("demo")
@click.option(
    "--database",
    default="postgresql+psycopg://postgres@127.0.0.1:5432/callcenter_demo",
    show_default=True,
    help="The PostgreSQL both nodes share (created if missing).",
)
@click.pass_obj
def cluster_demo(obj: HasConfig, database: str) -> None:
    """Two nodes (Asterisk + daemon each) and the front on this machine, until Ctrl-C."""
    try:
        sys.exit(run_demo(obj.config(), database, os.environ))
    except (ValueError, RuntimeError, SandboxError, FrontError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


COMMANDS = (cluster,)  # found by the command line's root (cli/main.py)
