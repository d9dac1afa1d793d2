"""Wiring of admission control: the door the daemon closes while a live signal is past its
limit (looked at every second), the callers the dialplan did not admit counted from its
``CallcenterAdmission`` events, the admitted from the calls the daemon takes, metrics and
the API. The fixed ceilings are the dialplan's own (rendered from ``[admission]``).
(Composition root.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from callcenter.app import slots
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.asterisk.ami_admission import AmiDoor
from callcenter.asterisk.process_cpu import CpuShare
from callcenter.asterisk.sandbox import Sandbox
from callcenter.config import Config
from callcenter.config_admission import callback_queue
from callcenter.domain.admission import AdmissionSeen, Door, Limits
from callcenter.http import api_admission
from callcenter.http.api_admission import ADMISSION
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import Secrets
from callcenter.services.admission import Admission

SYSTEM_PIDFILES = (Path("/run/asterisk/asterisk.pid"), Path("/var/run/asterisk/asterisk.pid"))


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def asterisk_pid(config: Config, secrets: Secrets) -> int | None:
    """The local Asterisk's pid: the sandbox's recorded one, or a system one's pidfile."""
    if config.asterisk.mode != "system":
        state = Sandbox(config, secrets).state()
        return state.pid if state else None
    for pidfile in SYSTEM_PIDFILES:
        try:
            return int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
    return None


def _metrics(metrics: DaemonMetrics, admission: Admission) -> None:
    metrics.counter(
        "callcenter_admission_calls",
        "Inbound callers by what admission did: admitted, refused (503), callback (offered).",
        lambda: {(o.value,): float(n) for o, n in admission.counts.by_outcome.items()},
        ("outcome",),
    )
    metrics.gauge(
        "callcenter_admission_open",
        "1 while the daemon's door is open (no live signal past its limit).",
        lambda: float(admission.door.open),
    )
    metrics.gauge(
        "callcenter_admission_asterisk_cpu",
        "Asterisk's share of the machine's cores at the last look (admission's signal).",
        lambda: admission.signals.asterisk_cpu or 0.0,
    )


def _plug(parts: Parts, plug: Plug) -> None:
    config, secrets = parts[slots.CONFIG], parts[slots.SECRETS]
    c = config.admission
    cpu = CpuShare(lambda: asterisk_pid(config, secrets))
    admission = Admission(
        Door(
            Limits(
                c.max_loop_lag, c.max_asterisk_cpu, c.close_seconds, max_entry_lag=c.max_entry_lag
            )
        ),
        AmiDoor(parts[slots.AMI]),
        cpu.look,
        _Clock(),
        parts[slots.EVENTS].emit,
        callback_queue=callback_queue(c, config.dialplan.queues),
        on_entry=parts[slots.METRICS].entry_lag.observe,
    )
    plug.on_ami(AdmissionSeen, admission.seen)
    plug.on_call_event(admission.entered)
    plug.run(lambda: [asyncio.create_task(admission.run(), name="admission")])
    _metrics(parts[slots.METRICS], admission)
    plug.serve(ADMISSION, (admission, c))


FEATURE = Feature(
    "admission",
    needs=(slots.CONFIG, slots.SECRETS, slots.AMI, slots.METRICS, slots.EVENTS),
    provides=(),
    build=_plug,
    routes=tuple(api_admission.ROUTES),
)
