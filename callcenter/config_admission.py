"""``[admission]``: the load the centre takes, and what a caller beyond it hears.

Two ceilings hold in the dialplan itself, so they hold with the daemon down: concurrent
inbound calls (``max_calls``) and new calls per second (``max_rate``). The daemon closes
the door for a few seconds at a time while a live signal is past its limit (its event
loop's lag, Asterisk's CPU, how late it takes the callers admitted), renewing while the
signal lasts; if the daemon dies the door reopens by itself. A caller beyond the load hears
``announcement`` and is offered a callback (``mode = "callback"``), or is refused at SIP
level with 503 (``mode = "refuse"``, so a carrier with another route overflows there; a
SIP front adds ``Retry-After``). Past ``max_told`` callers being told at once, the next are
refused with 503 in either mode. 0 turns a limit off.
"""

from __future__ import annotations

import dataclasses
import re

from callcenter.config_error import ConfigError

MODES = ("callback", "refuse")


@dataclasses.dataclass(frozen=True)
class AdmissionConfig:
    # Concurrent inbound calls (IVR, waiting and talking); 0: no ceiling. The default is
    # about the recorded knee of a 2-core machine (README, "Capacity"): size it with yours.
    max_calls: int = 60
    # New inbound calls per second; 0: no limit. Set it from the recorded knee of your
    # machine (benchmarks.recorded_knee); the ceiling and the live signals hold without it.
    max_rate: int = 0
    # Callers beyond the load hearing the announcement and the offer at once; past it they
    # are refused with 503 even in "callback" mode, so a flood costs Asterisk a SIP answer
    # rather than a played call each, and the admitted calls keep the CPU. 0: no limit.
    # 10 kept call setup p95 under 500 ms at twice the knee on 2 cores (30: 0.95 s).
    max_told: int = 10
    mode: str = "callback"  # beyond the load: "callback" (announcement + offer) or "refuse"
    callback_queue: str = ""  # whose agents call back ("": the first of dialplan.queues)
    announcement: str = "all-circuits-busy-now"  # a sound name, said before the offer
    retry_after: int = 60  # seconds, in the SIP front's 503 (Retry-After)
    # Live signals, sampled every second by the daemon; 0 turns one off.
    max_loop_lag: float = 0.5  # seconds the daemon's event loop is late
    max_asterisk_cpu: float = 0.9  # Asterisk's share of the machine's cores
    # Seconds an admitted caller's channel may wait for the daemon to take it (StasisStart):
    # past it, callers are queueing in front of the IVR, unanswered, and more would wait longer.
    max_entry_lag: float = 2.0
    close_seconds: float = 3.0  # how long one look closes the door (renewed while it lasts)


def check_admission(c: AdmissionConfig, queues: tuple[str, ...]) -> None:
    """Raise :class:`ConfigError` naming the first key that is wrong."""
    for key in ("max_calls", "max_rate", "max_told"):
        if getattr(c, key) < 0:
            raise ConfigError(f"admission.{key}: {getattr(c, key)} must be 0 or more")
    if c.mode not in MODES:
        raise ConfigError(f"admission.mode: {c.mode!r} is not one of {list(MODES)}")
    if c.callback_queue and c.callback_queue not in queues:
        raise ConfigError(
            f"admission.callback_queue: {c.callback_queue!r} is not one of dialplan.queues"
            f" {list(queues)}"
        )
    if not re.fullmatch(r"[A-Za-z0-9_/-]{1,120}", c.announcement) or ".." in c.announcement:
        raise ConfigError(f"admission.announcement: {c.announcement!r} is not a sound name")
    if not 1 <= c.retry_after <= 86400:
        raise ConfigError(f"admission.retry_after: {c.retry_after} is not within 1..86400")
    if c.max_loop_lag < 0 or not 0 <= c.max_asterisk_cpu <= 1:
        raise ConfigError("admission: max_loop_lag must be 0 or more, max_asterisk_cpu within 0..1")
    if not 0 <= c.max_entry_lag <= 60:
        raise ConfigError(f"admission.max_entry_lag: {c.max_entry_lag} is not within 0..60")
    if not 1 <= c.close_seconds <= 60:
        raise ConfigError(f"admission.close_seconds: {c.close_seconds} is not within 1..60")


def callback_queue(c: AdmissionConfig, queues: tuple[str, ...]) -> str:
    """The queue whose agents call back the callers beyond the load."""
    return c.callback_queue or (queues[0] if queues else "")
