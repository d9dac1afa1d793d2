"""The callbacks' sweeper and their reconciliation with Asterisk, node by node.

Contract:
- :meth:`CallbackSweeper.sweep` (every ``callbacks.sweep_seconds``): due retries are
  claimed by this node and placed in its Asterisk; waiting callbacks claimed by a node
  whose lease lapsed are taken over (same attempt: nothing was dialled — the dial gate
  refuses the old node's placeholder) and placed here; then open promises are projected.
  A node that holds no lease claims and takes over nothing.
- :meth:`reconcile` (after every AMI login): this node's waiting callbacks whose
  placeholder is not in its Asterisk any more are placed again, same attempt; its dialing
  ones whose placeholder is gone with no outcome written (Asterisk was killed mid-call)
  count as a failed attempt and are tried again — the customer's call died with it.
"""

from __future__ import annotations

import logging

from callcenter.domain.callbacks import CallbackState
from callcenter.services.callback_ports import CallbackStore, PlaceholderDialer
from callcenter.services.callbacks import Callbacks
from callcenter.services.ports import Clock, TelephonyError

log = logging.getLogger(__name__)


class CallbackSweeper:
    def __init__(
        self,
        callbacks: Callbacks,
        store: CallbackStore,
        dialer: PlaceholderDialer,
        clock: Clock,
    ) -> None:
        self._callbacks = callbacks
        self._store = store
        self._dialer = dialer
        self._clock = clock
        self.taken_over = 0  # callbacks this node took over from lapsed nodes

    async def sweep(self) -> None:
        await self.claim()
        await self._callbacks.projection.project()

    async def claim(self) -> None:
        """Due retries and lapsed nodes' waiting callbacks: claimed, placed here."""
        now = self._clock.now()
        for cb in await self._store.claim_due(now):
            log.info("callback %d: attempt %d due -> waiting", cb.id, cb.attempts)
            await self._callbacks.place(cb)
        for cb in await self._store.reclaim(now):
            self.taken_over += 1
            log.warning(
                "callback %d attempt %d: its node's lease lapsed -> taken over, placed here",
                cb.id,
                cb.attempts,
            )
            await self._callbacks.place(cb)

    async def reconcile(self, live: set[str]) -> None:
        """``live``: placeholder ids waiting in this node's queues now."""
        held = [CallbackState.WAITING, CallbackState.DIALING]
        for cb in await self._store.in_states(held, mine_only=True):
            if cb.state is CallbackState.WAITING and cb.placeholder not in live:
                log.warning(
                    "callback %d: placeholder %s lost: placing it again", cb.id, cb.placeholder
                )
                await self._callbacks.place(cb)
            elif cb.state is CallbackState.DIALING:
                try:
                    alive = await self._dialer.alive(cb)
                except TelephonyError as exc:
                    log.warning("callback %d: cannot tell if it still dials (%s)", cb.id, exc)
                    continue
                if not alive:
                    log.warning("callback %d: its call is gone with no outcome -> retry", cb.id)
                    await self._callbacks.retry_later(cb, CallbackState.DIALING, "LOST", True)
