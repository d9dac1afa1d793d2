"""Admission: whether the centre takes one more caller now, from the live signals (the
daemon's event loop lag, Asterisk's CPU, how late the daemon takes the calls admitted).

The dialplan holds the fixed ceilings itself (concurrent calls, calls per second); this
is the door the daemon closes on top of them while a live signal is past its limit.
Contract: :meth:`Door.look` takes one sample of the signals and returns the command for
the dialplan — :class:`Close` once a signal has been past its limit for ``past_looks``
looks in a row (renewed on every look while a signal is past its limit, so
the door reopens by itself if the daemon dies), :class:`Reopen` once every signal has been
calm (below ``calm`` times its limit) for ``calm_looks`` looks in a row, or None. Every change
of state is logged once. Counters: what the dialplan said of each caller.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    ADMITTED = "admitted"
    REFUSED = "refused"  # 503 at SIP level
    CALLBACK = "callback"  # announcement, then a callback offered


REASONS = ("calls", "rate", "loop_lag", "asterisk_cpu", "entry_lag")


@dataclasses.dataclass(frozen=True)
class Signals:
    loop_lag: float  # seconds, the worst over the last look
    asterisk_cpu: float | None  # share of all cores; None: not measurable here
    # Seconds from a call's channel being made to the daemon taking it (StasisStart), the
    # worst over the last look (0: no call taken): callers admitted but not yet served.
    entry_lag: float = 0.0


@dataclasses.dataclass(frozen=True)
class Limits:
    max_loop_lag: float  # 0: not watched
    max_asterisk_cpu: float  # 0: not watched
    close_seconds: float = 3.0
    max_entry_lag: float = 0.0  # 0: not watched
    past_looks: int = 2  # close when a signal is past its limit this many looks in a row
    calm: float = 0.8  # reopen below this share of every limit …
    calm_looks: int = 3  # … for this many looks in a row


@dataclasses.dataclass(frozen=True)
class Close:
    until: datetime
    why: str


@dataclasses.dataclass(frozen=True)
class Reopen:
    pass


@dataclasses.dataclass(frozen=True)
class AdmissionSeen:
    """The dialplan did not admit a caller (AMI UserEvent ``CallcenterAdmission``)."""

    outcome: Outcome
    reason: str


def past_limits(signals: Signals, limits: Limits, share: float = 1.0) -> list[str]:
    """The signals at or above ``share`` times their limit, by name."""
    past = []
    if limits.max_loop_lag > 0 and signals.loop_lag >= share * limits.max_loop_lag:
        past.append("loop_lag")
    cpu = signals.asterisk_cpu
    if limits.max_asterisk_cpu > 0 and cpu is not None and cpu >= share * limits.max_asterisk_cpu:
        past.append("asterisk_cpu")
    if limits.max_entry_lag > 0 and signals.entry_lag >= share * limits.max_entry_lag:
        past.append("entry_lag")
    return past


class Door:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.closed_since: datetime | None = None
        self.why = ""
        self._calm = 0
        self._past = 0

    @property
    def open(self) -> bool:
        return self.closed_since is None

    def look(self, signals: Signals, now: datetime) -> Close | Reopen | None:
        past = past_limits(signals, self.limits)
        self._past = self._past + 1 if past else 0
        if past and self.closed_since is None and self._past < self.limits.past_looks:
            return None  # one late look (a collection, a burst) is not overload yet
        if past:
            self._calm = 0
            why = ",".join(past)
            if self.closed_since is None or why != self.why:
                log.warning(
                    "admission: door %s -> closed (%s: loop lag %.0f ms, Asterisk CPU %s,"
                    " entry lag %.0f ms)",
                    "open" if self.closed_since is None else f"closed ({self.why})",
                    why,
                    signals.loop_lag * 1000,
                    "-" if signals.asterisk_cpu is None else f"{signals.asterisk_cpu:.0%}",
                    signals.entry_lag * 1000,
                )
                self.closed_since = self.closed_since or now
                self.why = why
            return Close(now + timedelta(seconds=self.limits.close_seconds), why)
        if self.closed_since is None:
            return None
        if past_limits(signals, self.limits, self.limits.calm):
            self._calm = 0
            return Close(now + timedelta(seconds=self.limits.close_seconds), self.why)
        self._calm += 1
        if self._calm < self.limits.calm_looks:
            return Close(now + timedelta(seconds=self.limits.close_seconds), self.why)
        log.info(
            "admission: door closed (%s) -> open after %.0f s",
            self.why,
            (now - self.closed_since).total_seconds(),
        )
        self.closed_since, self.why, self._calm = None, "", 0
        return Reopen()


@dataclasses.dataclass
class Counts:
    """Callers by outcome (and the not-admitted by reason) since the daemon started."""

    by_outcome: dict[Outcome, int] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(Outcome, 0)
    )
    by_reason: dict[str, int] = dataclasses.field(default_factory=dict)

    def add(self, outcome: Outcome, reason: str = "") -> None:
        self.by_outcome[outcome] += 1
        if outcome is not Outcome.ADMITTED:
            self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
