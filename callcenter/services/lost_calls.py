"""Calls that died with their node: recorded lost, once, and each caller offered one
callback — by whichever live node sees the failure first.

Contract:
- :meth:`LostCalls.sweep` (every heartbeat, only while this node holds its lease) looks at
  every other node whose lease lapsed and that still has calls on it in the call log. If
  that node's Asterisk does not answer a SIP OPTIONS either, the node failed: each of its
  calls is recorded lost ("node failure (NODE)") and its caller is offered one callback,
  keeping their place (joined when the call began), in the call's queue or, for a call
  that had not reached one, the configured queue. If its Asterisk still answers, only the
  daemon died: the calls go on, nothing is touched.
- Exactly once across daemons: the loss is recorded in the callback request's own
  transaction, on the condition that the call is still open — a racing survivor gets
  :class:`CallAlreadyClosed` and moves on. A caller no callback may dial (withheld number,
  a country not allowed) is recorded lost without one; nothing is dropped silently.
- The loss lands on the caller's ticket: a call lost in the IVR is archived (outcome
  ``lost``), one lost in a queue or with an agent gets ``lost`` and the offer on its
  interaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from callcenter.domain.callbacks import CallAlreadyClosed, CallbackError
from callcenter.domain.calls import CallRecord, CallState
from callcenter.domain.cluster import NodeAddress, NodeLease, Owner
from callcenter.logs import call_id_var
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.ports import Clock

log = logging.getLogger(__name__)

SOURCE = "failover"  # the callbacks' source (10 characters at most)


def lost_reason(node: str) -> str:
    return f"node failure ({node})"


class Leases(Protocol):
    async def nodes(self) -> list[NodeLease]: ...


class OpenCalls(Protocol):
    async def open_on(self, node: str, limit: int = 500) -> list[CallRecord]: ...
    async def lose(self, call_id: str, at: Any, reason: str) -> bool: ...


class Requester(Protocol):
    async def request(self, req: CallbackRequest) -> CallbackAnswer: ...


class CallTickets(Protocol):
    async def call_ended(self, call_id: str) -> None: ...
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Any: ...


class LostCalls:
    def __init__(
        self,
        leases: Leases,
        calls: OpenCalls,
        callbacks: Requester,
        tickets: CallTickets,
        addresses: dict[str, NodeAddress],
        probe: Callable[[NodeAddress], Awaitable[bool]],
        owner: Callable[[], Owner | None],
        queue_for: Callable[[CallRecord], str],
        clock: Clock,
    ) -> None:
        self._leases = leases
        self._calls = calls
        self._callbacks = callbacks
        self._tickets = tickets
        self._addresses = addresses
        self._probe = probe
        self._owner = owner
        self._queue_for = queue_for
        self._clock = clock
        self.lost = 0  # calls this node recorded lost (the cluster view)
        self.offered = 0  # … and how many of them it offered a callback

    async def sweep(self) -> int:
        """Record the calls of failed nodes lost; how many this sweep recorded."""
        me = self._owner()
        if me is None:
            return 0  # lapsed ourselves: take no work
        now, recorded = self._clock.now(), 0
        for lease in await self._leases.nodes():
            if lease.node == me.node or not lease.lapsed(now):
                continue
            address = self._addresses.get(lease.node)
            if address is None:
                continue  # no address to probe: whether its Asterisk lives is unknown
            calls = await self._calls.open_on(lease.node)
            if not calls or await self._probe(address):
                continue  # nothing on it, or only its daemon died: its calls go on
            log.warning(
                "node %s failed (lease lapsed, Asterisk at %s:%d silent) with %d call(s) "
                "on it: recording them lost, offering callbacks",
                lease.node,
                address.host,
                address.port,
                len(calls),
            )
            for call in calls:
                token = call_id_var.set(call.call_id)
                try:
                    recorded += await self._lose(call, lost_reason(lease.node))
                finally:
                    call_id_var.reset(token)
        return recorded

    async def _lose(self, call: CallRecord, reason: str) -> int:
        queue = self._queue_for(call)
        request = CallbackRequest(
            queue=queue,
            number=call.caller,
            call_id=call.call_id,
            joined_at=call.started_at,  # their place: since their call began
            reason=reason,
            source=SOURCE,
            field="caller id",
            lost_call=call.call_id,
        )
        try:
            answer = await self._callbacks.request(request)
            offer = f"callback {answer.callback.id}" + ("" if answer.created else " (merged)")
            self.offered += 1
        except CallAlreadyClosed:
            log.info("already hung up or recorded lost (by another node)")
            return 0
        except CallbackError as exc:  # no callback may dial this caller
            if not await self._calls.lose(call.call_id, self._clock.now(), reason):
                return 0
            offer = f"no callback: {exc}"
        self.lost += 1
        log.warning("call from %s lost: %s; %s in %s", call.caller, reason, offer, queue)
        changes = {"lost": reason, "offer": offer}
        if call.state is CallState.IVR:
            await self._tickets.call_ended(call.call_id)  # on the ticket, outcome lost
        else:  # it left the IVR for a queue: its interaction is there already
            changes["queue_outcome"] = "lost"
        await self._tickets.update_call(call.call_id, changes)
        return 1
