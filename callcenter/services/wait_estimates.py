"""The wait a caller entering a queue is told: ours, from measured handle times.

A busy agent is expected to finish their handle time: the time they have already talked
comes from the agent states (``talking_for``), else half a handle time is assumed.

Contract: :meth:`WaitEstimates.estimate` returns seconds, or None when the queue does not
announce waits, no agent serves it, or too few calls were measured for an honest figure;
it never raises (an estimate must not hold up a call) and answers within ``budget``
seconds. Handle times (talk + the queue's wrap-up) come from the queue's answered calls of
the last ``window``, read at most once a minute per queue once there are enough.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_stats import QueueCall, estimated_wait
from callcenter.domain.queue_view import QueueSnapshot
from callcenter.services.callback_ports import DEFAULT_HANDLE
from callcenter.services.ports import Clock, QueueControl

log = logging.getLogger(__name__)

MIN_CALLS = 3  # fewer measured calls than this: no estimate
NOT_SERVING = ("paused", "unavailable")


class QueueHistory(Protocol):
    async def queue_calls_since(self, since: datetime) -> Mapping[str, Sequence[QueueCall]]: ...


class WaitEstimates:
    def __init__(
        self,
        queues: QueueControl,
        history: QueueHistory,
        defs: Mapping[str, QueueDef],
        clock: Clock,
        window: timedelta = timedelta(hours=24),
        budget: float = 0.5,
        talking_for: Callable[[str], float | None] | None = None,
    ) -> None:
        self._queues = queues
        self._history = history
        self._defs = dict(defs)
        self._clock = clock
        self._window = window
        self._budget = budget
        self._talking_for = talking_for or (lambda _agent: None)
        self._handle: dict[str, tuple[float, float]] = {}  # queue → (read at, AHT)

    async def estimate(self, queue: str) -> float | None:
        definition = self._defs.get(queue)
        if definition is None or not definition.announce_wait:
            return None
        try:
            return await asyncio.wait_for(self._estimate(definition), self._budget)
        except Exception as exc:  # TimeoutError, TelephonyError, a store error
            log.warning("no wait estimate for %s: %r", queue, exc)
            return None

    async def _estimate(self, queue: QueueDef) -> float | None:
        snapshot = next((s for s in await self._queues.status() if s.queue == queue.name), None)
        if snapshot is None:
            return None
        return await self.for_position(queue, snapshot, len(snapshot.waiting) + 1)

    async def for_position(
        self, queue: QueueDef, snapshot: QueueSnapshot, position: int
    ) -> float | None:
        """Seconds the caller at ``position`` (1 = next) of ``snapshot`` will likely wait."""
        handle = await self._handle_time(queue)
        if handle is None:
            log.info("no wait estimate for %s: fewer than %d answered calls", queue.name, MIN_CALLS)
            return None
        serving = [m for m in snapshot.members if m.state not in NOT_SERVING]
        busy = [m for m in serving if m.state in ("on_call", "ringing")]
        # How long each busy agent has been talking (agent states know from AgentConnect);
        # unknown: half a handle time; a ringing agent has the whole call ahead of them.
        spent = [
            0.0
            if m.state == "ringing"
            else (t if (t := self._talking_for(m.agent)) is not None else handle / 2)
            for m in busy
        ]
        seconds = estimated_wait(position, len(serving), handle, spent)
        log.info(
            "wait estimate for %s position %d: %s s (%d waiting, %d serving, %d busy, AHT %.0f s,"
            " talked %s s)",
            queue.name,
            position,
            "none" if seconds is None else f"{seconds:.0f}",
            len(snapshot.waiting),
            len(serving),
            len(busy),
            handle,
            "/".join(f"{t:.0f}" for t in spent) or "-",
        )
        return seconds

    async def _handle_time(self, queue: QueueDef) -> float | None:
        now = time.monotonic()
        cached = self._handle.get(queue.name)
        if cached is not None and now - cached[0] < 60:
            return cached[1]
        calls = await self._history.queue_calls_since(self._clock.now() - self._window)
        answered = [c for c in calls.get(queue.name, ()) if c.answered]
        handle = (
            sum(c.talk for c in answered) / len(answered) + queue.wrap_up
            if len(answered) >= MIN_CALLS
            else None
        )
        if handle is not None:  # too few calls yet: look again at the next caller
            self._handle[queue.name] = (now, handle)
        return handle


def announced_minutes(seconds: float | None) -> str:
    """What the dialplan says (CC_WAIT_MINUTES): "" for nothing (no estimate, or an agent is
    about to answer), "1" for "less than one minute", else whole minutes rounded up."""
    if seconds is None or seconds < 10:
        return ""
    return str(max(1, -(-int(seconds) // 60)))


class WorkAhead:
    """The wait ahead of a place in a queue (the callbacks' WorkEstimator): our estimate
    from measured handle times, or DEFAULT_HANDLE per caller ahead shared by the agents
    serving (never None)."""

    def __init__(self, defs: Mapping[str, QueueDef], waits: WaitEstimates) -> None:
        self._defs = defs
        self._waits = waits

    async def for_position(self, queue: str, snapshot: QueueSnapshot, position: int) -> float:
        definition = self._defs.get(queue)
        estimate = None
        if definition is not None:
            try:
                estimate = await self._waits.for_position(definition, snapshot, position)
            except Exception as exc:
                log.warning("no wait estimate for %s: %r", queue, exc)
        if estimate is not None:
            return estimate
        serving = [m for m in snapshot.members if m.state not in NOT_SERVING]
        return position * DEFAULT_HANDLE / max(1, len(serving))
