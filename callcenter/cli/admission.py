"""``callcenter admission status``: the load the centre takes ([admission]) and what
Asterisk holds now — inbound calls up against the ceiling, and whether the daemon's door
is closed (until when, why). Asked of Asterisk itself (AMI), so it answers with the daemon
down too; exits 1 while callers are being turned away (a monitoring check). The counts of
callers admitted, refused and offered a callback are the daemon's: GET /api/v1/admission
and the metric ``callcenter_admission_calls_total``."""

from __future__ import annotations

import asyncio
import json
import sys
import time

import click

from callcenter.asterisk.ami_admission import AmiDoor, DoorReading
from callcenter.cli.common import HasConfig, asking_asterisk
from callcenter.config import Config
from callcenter.config_admission import callback_queue


async def _reading(cfg: Config) -> DoorReading:
    return await asking_asterisk(cfg, lambda ami: AmiDoor(ami).reading())


@click.group()
def admission() -> None:
    """Admission control: the load taken, and callers beyond it ([admission])."""


@admission.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.pass_obj
def admission_status(obj: HasConfig, as_json: bool) -> None:
    """Inbound calls up against the ceiling, and the daemon's door, as Asterisk has them."""
    cfg = obj.config()
    c = cfg.admission
    now = asyncio.run(_reading(cfg))
    closed = now.closed_until > time.time()
    full = c.max_calls > 0 and now.calls_up >= c.max_calls
    doc = {
        "calls_up": now.calls_up,
        "max_calls": c.max_calls,
        "max_rate": c.max_rate,
        "told_up": now.told_up,
        "max_told": c.max_told,
        "mode": c.mode,
        "callback_queue": callback_queue(c, cfg.dialplan.queues),
        "door": "closed" if closed else "open",
        "why": now.why if closed else "",
        "admitting": not (closed or full),
    }
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        ceiling = str(c.max_calls) if c.max_calls else "no ceiling"
        rate = f"{c.max_rate}/s" if c.max_rate else "no rate limit"
        click.echo(f"inbound calls up {now.calls_up} of {ceiling}; {rate}")
        click.echo(f"door {doc['door']}" + (f" ({now.why})" if closed else ""))
        beyond = "refused with 503" if c.mode == "refuse" else "offered a callback"
        click.echo(f"callers beyond the load: {beyond} ({doc['callback_queue']})")
        if c.mode != "refuse":
            told = f"{c.max_told}, then 503" if c.max_told else "no limit"
            click.echo(f"being told now {now.told_up} of {told}")
    if not doc["admitting"]:
        sys.exit(1)


COMMANDS = [admission]
