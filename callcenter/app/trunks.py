"""Wiring of the trunks: their registrations watched (AMI: polled after every login and
every few seconds, and heard at once from Registry events), calls refused at our door and
calls passed to the next trunk counted, ``/healthz`` degraded while a registering trunk is
not registered, a metric per trunk, and the API. (Composition root.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami_trunks import AmiTrunks
from callcenter.config import Config
from callcenter.config_trunks import trunks_in_use
from callcenter.domain.trunks import NumberRefused, RegistrationSeen, TrunkFailover, TrunkLine
from callcenter.http import api_trunks
from callcenter.http.api_trunks import NUMBERS, TRUNKS
from callcenter.metrics.registry import DaemonMetrics
from callcenter.services.trunks import Trunks

POLL_SECONDS = 10.0  # Registry events say most changes at once; the poll catches the rest


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def trunk_lines(config: Config) -> list[TrunkLine]:
    return [
        TrunkLine(t.name, t.host, t.register, f"sip:{t.username}@{t.host}" if t.register else "")
        for t in trunks_in_use(config)
    ]


def _metrics(metrics: DaemonMetrics, trunks: Trunks) -> None:
    metrics.gauge(
        "callcenter_trunk_up",
        "1 while the trunk can bring calls in: registered, or known by address.",
        lambda: {(s.name,): float(s.up) for s in trunks.states()},
        ("trunk",),
    )
    metrics.counter(
        "callcenter_trunk_failovers",
        "Calls out that the trunk could not take (5xx, unreachable): passed to the next.",
        lambda: {(s.name,): float(s.failovers) for s in trunks.states()},
        ("trunk",),
    )
    metrics.counter(
        "callcenter_calls_refused_unknown_number",
        "Calls a carrier offered to a number that is not ours (refused with 404).",
        lambda: float(trunks.board.refused),
    )


def _plug(parts: Parts, plug: Plug) -> None:
    config = parts[slots.CONFIG]
    lines = trunk_lines(config)
    trunks = Trunks(lines, AmiTrunks(parts[slots.AMI]), _Clock(), parts[slots.EVENTS].emit)
    plug.on_ami(RegistrationSeen, trunks.registry)
    plug.on_ami(NumberRefused, trunks.refused)
    plug.on_ami(TrunkFailover, trunks.failed_over)
    if any(line.registers for line in lines):
        plug.after_ami_login(trunks.refresh)
        plug.run(lambda: [asyncio.create_task(trunks.run(POLL_SECONDS), name="trunks-poll")])
        plug.health("trunks", trunks.healthy)
    _metrics(parts[slots.METRICS], trunks)
    plug.serve(TRUNKS, trunks)
    main = {"number": config.dialplan.virtual_number, "flow": config.daemon.entry_flow}
    numbers = [{"number": n.number, "flow": n.flow, "name": n.name} for n in config.numbers]
    if not any(n["number"] == main["number"] for n in numbers):
        numbers.insert(0, {**main, "name": "dialplan.virtual_number"})
    plug.serve(NUMBERS, numbers)


FEATURE = Feature(
    "trunks",
    needs=(slots.CONFIG, slots.AMI, slots.METRICS, slots.EVENTS),
    provides=(),
    build=_plug,
    routes=tuple(api_trunks.ROUTES),
)
