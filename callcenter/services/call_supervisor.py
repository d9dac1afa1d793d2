"""One task per live call, fed by the telephony edge; reconciliation after (re)connects.

Contract:
* :meth:`CallSupervisor.deliver` never blocks: the edge hands over each event and returns.
* Every call entering our application gets one task running ``handler(session)``; a repeated
  ``CallEntered`` for a call that already has one changes nothing (idempotent).
* Each call's outcome is written once to the :class:`CallLog`: completed when the handler
  returns, abandoned when the caller leaves first, fallback when the call is handed to the
  fallback queue, failed when Asterisk refuses a command.
* After the outcome is written, ``on_ended(call_id)`` runs (the call goes on its ticket).
* :meth:`reconcile` (after every ARI connect) adopts nothing it cannot drive: a call in the
  application without a task (the daemon restarted mid-call) is released to the fallback
  queue, and a task whose call is no longer there is ended as abandoned.
* A call that has a task *and* is still in the application when the link comes back is
  released to the fallback queue too: the events Asterisk sent while the link was down
  (the end of a prompt, a digit) are lost for good, so its task could wait forever.
* Reconciling is two steps: :meth:`take_stock` (before the edge reads new events) and
  :meth:`catch_up` (releases, many at a time, while new calls are driven). A released
  orphan's late ``CallEntered`` starts no task.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

from callcenter.domain.calls import (
    CallEntered,
    CallEvent,
    CallLeft,
    CallOutcome,
    CallRecord,
)
from callcenter.logs import call_id_var
from callcenter.services.call_session import CallGone, CallSession, Handler
from callcenter.services.ports import (
    CallLog,
    CallRedirector,
    Clock,
    Telephony,
    TelephonyError,
)

log = logging.getLogger(__name__)

FALLBACK_CONTEXT = "callcenter-fallback"
RELEASES_AT_ONCE = 16  # AMI Redirects in flight while reconciling


@dataclasses.dataclass(frozen=True)
class Reconciliation:
    orphans: frozenset[str]
    stale: frozenset[str]


class CallSupervisor:
    def __init__(
        self,
        handler: Handler,
        telephony: Telephony,
        redirector: CallRedirector,
        call_log: CallLog,
        clock: Clock,
        on_ended: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._handler = handler
        self._on_ended = on_ended
        self._telephony = telephony
        self._redirector = redirector
        self._call_log = call_log
        self._clock = clock
        self._sessions: dict[str, CallSession] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closing = False
        # Calls whose tasks reconcile() cancelled because their events were lost.
        self._stale: set[str] = set()
        # Orphans reconcile() released: their StasisStart may still be on its way.
        self._released: set[str] = set()

    @property
    def live_calls(self) -> list[str]:
        return list(self._tasks)

    def deliver(self, event: CallEvent) -> None:
        if isinstance(event, CallEntered):
            if event.call_id in self._released:
                log.debug("call %s was released after the reconnect: not driven", event.call_id)
            elif event.call_id not in self._tasks:
                self._start(event)
            return
        if isinstance(event, CallLeft):
            self._released.discard(event.call_id)
        session = self._sessions.get(event.call_id)
        if session is None:
            log.debug("event for a call we do not drive: %s", event)
            return
        session.push(event)

    def _start(self, event: CallEntered) -> None:
        session = CallSession(event, self._telephony, self._call_log)
        self._sessions[event.call_id] = session
        token = call_id_var.set(event.call_id)
        try:
            task = asyncio.create_task(self._run(session), name=f"call-{event.call_id}")
        finally:
            call_id_var.reset(token)
        self._tasks[event.call_id] = task

    async def _run(self, session: CallSession) -> None:
        call = session.entered
        log.info(
            "call entered from %s to %s (linkedid %s)", call.caller, call.dialed, call.linked_id
        )
        outcome = CallOutcome.COMPLETED
        try:
            await self._call_log.call_started(
                CallRecord(
                    call.call_id, call.linked_id, call.caller, call.dialed, self._clock.now()
                )
            )
            outcome = await self._handler(session) or CallOutcome.COMPLETED
        except CallGone:
            outcome = CallOutcome.ABANDONED
        except TelephonyError as exc:
            # The channel may have vanished between event and command; either way we cannot
            # drive it any more. Give it to the fallback queue if it is still there.
            log.warning("telephony refused a command: %s", exc)
            outcome = await self._release(call.call_id)
        except asyncio.CancelledError:
            # Cancelled on shutdown or after a lost link: the caller is still there, so
            # hand them on.
            outcome = CallOutcome.ABANDONED
            if self._closing or call.call_id in self._stale:
                outcome = await asyncio.shield(self._release(call.call_id))
            raise
        except Exception:
            log.exception("call handler failed; releasing the call to the fallback queue")
            outcome = await self._release(call.call_id)
        finally:
            try:
                await asyncio.shield(self._end(call.call_id, outcome))
            finally:
                self._tasks.pop(call.call_id, None)
                self._sessions.pop(call.call_id, None)
                self._stale.discard(call.call_id)

    async def _end(self, call_id: str, outcome: CallOutcome) -> None:
        log.info("call ended: %s", outcome.value)
        try:
            await self._call_log.call_ended(call_id, outcome, self._clock.now())
        except Exception:
            log.exception("could not record the end of call %s", call_id)
            return
        if self._on_ended is not None:
            await self._on_ended(call_id)

    async def _release(self, call_id: str) -> CallOutcome:
        """Hand the call to the fallback queue, interrupting whatever it hears now."""
        try:
            await self._redirector.redirect(call_id, FALLBACK_CONTEXT, "s")
            return CallOutcome.FALLBACK
        except TelephonyError as exc:
            log.warning("redirect to fallback failed (%s); trying ARI continue", exc)
        try:
            await self._telephony.continue_in_dialplan(call_id, FALLBACK_CONTEXT, "s")
        except TelephonyError as exc:
            log.error("could not release the call to fallback: %s", exc)
            return CallOutcome.FAILED
        return CallOutcome.FALLBACK

    async def reconcile(self) -> None:
        """Make our view match Asterisk's after a (re)connect, and wait until it does."""
        await self.catch_up(await self.take_stock())

    async def take_stock(self) -> Reconciliation:
        """What a (re)connect finds, before any new event is read: orphans (in Asterisk, no
        task), stale calls (a task, but their events were lost) and vanished ones (a task,
        gone from Asterisk: ended at once). Quick: one question to Asterisk."""
        present = set(await self._telephony.calls_in_app())
        for call_id in set(self._tasks) - present:
            session = self._sessions.get(call_id)
            if session is not None:
                session.push(CallLeft(call_id, hung_up=True))
        orphans = present - set(self._tasks)
        stale = present & set(self._tasks)
        self._released |= orphans  # a StasisStart still on its way must not start a task
        self._stale |= stale
        if orphans or stale:
            log.warning(
                "after the (re)connect: %d orphaned call(s), %d in the IVR that lost events "
                "while the link was down: releasing them to fallback",
                len(orphans),
                len(stale),
            )
        return Reconciliation(frozenset(orphans), frozenset(stale))

    async def catch_up(self, plan: Reconciliation) -> None:
        """Release what :meth:`take_stock` found, many calls at a time: after a restart at
        load there are hundreds, and new calls must not wait behind them (the edge pumps
        events meanwhile)."""
        limit = asyncio.Semaphore(RELEASES_AT_ONCE)

        async def orphan(call_id: str) -> None:
            async with limit:
                token = call_id_var.set(call_id)
                try:
                    outcome = await self._release(call_id)
                    if await self._call_log.get(call_id) is not None:
                        await self._end(call_id, outcome)
                finally:
                    call_id_var.reset(token)

        tasks = [self._tasks[c] for c in plan.stale if c in self._tasks]
        for task in tasks:
            task.cancel()  # each releases its own call (see _run)
        await asyncio.gather(
            *(orphan(c) for c in sorted(plan.orphans)), *tasks, return_exceptions=True
        )

    async def close(self) -> None:
        """Stop driving calls (shutdown): every live call goes on to the fallback queue."""
        self._closing = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
