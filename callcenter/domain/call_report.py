"""Figures of whole calls (not queue legs): repeat callers (a first-contact-resolution
proxy) and IVR containment. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

# Where the IVR alone finished the call (no queue, voicemail or callback asked for).
CONTAINED = frozenset({"completed"})


@dataclasses.dataclass(frozen=True)
class CallFigures:
    calls: int  # reached the daemon in the range
    contained: int  # finished in the IVR (outcome completed)
    ivr_abandoned: int  # the caller hung up in the IVR
    repeat_24h: int  # the same caller had called in the 24 h before
    repeat_72h: int

    @property
    def containment(self) -> float | None:
        return self.contained / self.calls if self.calls else None

    @property
    def repeat_rate_24h(self) -> float | None:
        return self.repeat_24h / self.calls if self.calls else None

    @property
    def repeat_rate_72h(self) -> float | None:
        return self.repeat_72h / self.calls if self.calls else None


def call_figures(
    calls: Sequence[tuple[str, datetime, str, str]], start: datetime, end: datetime
) -> CallFigures:
    """``calls``: (caller, started, outcome, dialled) from 72 h before ``start`` on; those
    within [start, end) are counted, the earlier ones only make repeats. A withheld
    number is never a repeat."""
    last: dict[str, datetime] = {}
    counted = contained = abandoned = r24 = r72 = 0
    for caller, at, outcome, _dialled in sorted(calls, key=lambda c: c[1]):
        known = caller.strip() not in ("", "anonymous", "unknown")
        if start <= at < end:
            counted += 1
            contained += outcome in CONTAINED
            abandoned += outcome == "abandoned"
            before = last.get(caller) if known else None
            if before is not None:
                r24 += at - before <= timedelta(hours=24)
                r72 += at - before <= timedelta(hours=72)
        if known:
            last[caller] = at
    return CallFigures(counted, contained, abandoned, r24, r72)
