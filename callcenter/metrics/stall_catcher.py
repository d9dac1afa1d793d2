"""The stall catcher: when the event loop runs late, what it was doing — caught in the act.

:class:`~callcenter.metrics.loop_lag.LoopLag` says *that* the loop ran a timer late; this
says *why*. The loop's ticker publishes when its next tick is due (:meth:`StallCatcher.ticked`);
one watchdog thread (not one per call) looks every ``poll`` seconds. Once the tick is later
than ``sample_from``, every look also samples the stack of the loop's thread and the top
frames of every other thread (``sys._current_frames()``): a loop stuck in a function shows
that function; a loop waiting in ``select`` while it is late shows that another thread held
the GIL, and the other threads' frames show which. ``gc.callbacks`` time every collection
in any thread. When the tick finally runs, a stall later than ``threshold`` becomes a
:class:`Stall` record: how long, the loop thread's most frequent stack, the asyncio task
that was running, the collections inside the window, how long the watchdog itself could
not run (a GIL held by C code), and what the composition root's ``context`` says was in
flight (the store threads' operations, the call-log backlog, the call ids).

Cheap enough to stay on: an idle look is one clock read every ``poll`` (10 ms); samples are
taken only while the loop is already late.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import gc
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

Context = Callable[[], Mapping[str, object]]
# Innermost Python frames of a thread that is waiting, not working.
IDLE = frozenset({"wait", "select", "poll", "_worker", "get", "_wait_for_tstate_lock", "_watch"})


@dataclasses.dataclass(frozen=True)
class GcPass:
    generation: int
    started: float
    seconds: float
    collected: int
    thread: str


@dataclasses.dataclass(frozen=True)
class Stall:
    at: float  # time.time() when the late tick finally ran
    seconds: float
    stack: tuple[str, ...]  # the loop thread's most frequent stack, innermost last
    samples: int  # looks while the loop was late (each sampled the stacks)
    same_stack: int  # how many of them were ``stack``
    task: str | None
    gc: tuple[GcPass, ...]
    watchdog_blocked: float  # longest time the watchdog waited for the GIL
    others: Mapping[str, str]  # other threads' innermost frame, busiest sample
    context: Mapping[str, object]

    def where(self) -> str:
        return self.stack[-1] if self.stack else "?"

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": round(self.at, 3),
            "ms": round(self.seconds * 1000, 1),
            "where": self.where(),
            "stack": list(self.stack),
            "samples": self.samples,
            "same_stack": self.same_stack,
            "task": self.task,
            "gc": [
                {"generation": g.generation, "ms": round(g.seconds * 1000, 1), "thread": g.thread}
                for g in self.gc
            ],
            "watchdog_blocked_ms": round(self.watchdog_blocked * 1000, 1),
            "threads": dict(self.others),
            "context": dict(self.context),
        }

    def summary(self) -> str:
        gcs = ", ".join(f"gen{g.generation} {g.seconds * 1000:.0f} ms" for g in self.gc) or "none"
        return (
            f"event loop stalled {self.seconds * 1000:.0f} ms in {self.where()} "
            f"(task {self.task}; {self.same_stack}/{self.samples} samples; gc: {gcs}; "
            f"watchdog blocked {self.watchdog_blocked * 1000:.0f} ms; context {dict(self.context)})"
        )


def _stack(frame: Any, depth: int) -> tuple[str, ...]:
    # Names and line numbers only: reading the source lines (extract_stack's default) made
    # linecache keep every file a sampled stack passed through, for good (in the soak:
    # ~30,000 lines more after 2.5 minutes, growing with each new file a stall was caught in).
    frames = traceback.StackSummary.extract(
        traceback.walk_stack(frame), limit=depth, lookup_lines=False
    )
    frames.reverse()
    return tuple(f"{f.name} ({f.filename.rsplit('/', 2)[-1]}:{f.lineno})" for f in frames)


class StallCatcher:
    def __init__(
        self,
        threshold: float = 0.04,
        sample_from: float = 0.01,
        poll: float = 0.01,
        keep: int = 5,
        depth: int = 12,
        context: Context = dict,
        on_stall: Callable[[Stall], None] = lambda _s: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold, self._sample_from, self._poll = threshold, sample_from, poll
        self._depth, self._context, self._on_stall, self._clock = depth, context, on_stall, clock
        self.recent: collections.deque[Stall] = collections.deque(maxlen=keep)
        self.count = 0
        self._due: float | None = None
        self._lag = 0.0
        self._ticks = self._reported = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._gc: collections.deque[GcPass] = collections.deque(maxlen=64)
        self._gc_started: dict[int, tuple[float, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._reset()

    # -- the loop's side -------------------------------------------------------------------

    def ticked(self, lag: float, next_due: float) -> None:
        """The loop's ticker ran ``lag`` seconds late; its next tick is due at ``next_due``
        (same clock)."""
        self._lag = max(self._lag, lag)  # the worst tick since the last report
        self._ticks += 1
        self._due = next_due

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch ``loop``, which runs in the calling thread."""
        self._loop, self._loop_thread = loop, threading.get_ident()
        gc.callbacks.append(self._on_gc)
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="stall-catcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
            self._thread = None
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)

    # -- the watchdog's side ---------------------------------------------------------------

    def _reset(self) -> None:
        self._stalled_since: float | None = None
        self._stacks: collections.Counter[tuple[str, ...]] = collections.Counter()
        self._others: dict[str, str] = {}
        self._tasks: collections.Counter[str] = collections.Counter()
        self._blocked = 0.0
        self._looks = 0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._gc_started[ident] = (self._clock(), info.get("generation", -1))
            return
        started = self._gc_started.pop(ident, None)
        if started is None:
            return
        at, generation = started
        name = threading.current_thread().name
        self._gc.append(GcPass(generation, at, self._clock() - at, info.get("collected", 0), name))

    def _watch(self) -> None:
        last = self._clock()
        while not self._stop.wait(self._poll):
            now = self._clock()
            self.look(now, blocked=max(0.0, now - last - self._poll))
            last = self._clock()

    def look(self, now: float, blocked: float = 0.0) -> Stall | None:
        """One look at the loop (the watchdog calls this every ``poll``); the finished
        stall's record when the late tick has just run."""
        due = self._due
        late = 0.0 if due is None else now - due
        if late > self._sample_from:
            if self._stalled_since is None:
                self._stalled_since = due
            self._blocked = max(self._blocked, blocked)
            self._sample()
            return None
        if self._ticks == self._reported:
            return None
        if self._stalled_since is None and self._lag < self._threshold:
            self._reported, self._lag = self._ticks, 0.0  # on time, or too little to matter
            return None
        self._blocked = max(self._blocked, blocked)
        return self._finish(now)

    def _sample(self) -> None:
        self._looks += 1
        frames = sys._current_frames()
        me = threading.get_ident()
        names = {t.ident: t.name for t in threading.enumerate()}
        frame = frames.get(self._loop_thread or -1)
        if frame is not None:
            self._stacks[_stack(frame, self._depth)] += 1
        for ident, other in frames.items():
            if ident in (me, self._loop_thread):
                continue
            top = _stack(other, 1)
            if top and top[-1].split(" ", 1)[0] not in IDLE:
                self._others[names.get(ident, str(ident))] = top[-1]
        if self._loop is not None:
            task = asyncio.current_task(self._loop)
            if task is not None:
                self._tasks[task.get_name()] += 1

    def _finish(self, now: float) -> Stall | None:
        since = self._stalled_since or now
        seconds = self._lag  # the late tick's own lateness: exact, not polled
        stacks, others, blocked = self._stacks, self._others, self._blocked
        # The task seen running most often (none when the loop only waited for the GIL).
        task = self._tasks.most_common(1)[0][0] if self._tasks else None
        looks = self._looks
        self._reset()
        self._reported, self._lag = self._ticks, 0.0
        if seconds < self._threshold:
            return None
        stack, same = stacks.most_common(1)[0] if stacks else ((), 0)
        passes = tuple(g for g in list(self._gc) if g.started + g.seconds >= since)
        stall = Stall(
            at=time.time(),
            seconds=seconds,
            stack=stack,
            samples=looks,
            same_stack=same,
            task=task,
            gc=passes,
            watchdog_blocked=blocked,
            others=others,
            context=self._read_context(),
        )
        self.count += 1
        self.recent.append(stall)
        log.warning("%s", stall.summary())
        self._on_stall(stall)
        return stall

    def _read_context(self) -> Mapping[str, object]:
        for _ in range(3):  # the loop may change what we read: try again
            try:
                return dict(self._context())
            except RuntimeError:
                continue
        return {"context": "unreadable"}
