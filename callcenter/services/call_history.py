"""Every call that ends becomes an interaction on the caller's ticket.

Contract: :meth:`CallHistory.call_ended` never raises (the call log keeps the call even if
the ticket store is down), and is idempotent on the call's Uniqueid; :meth:`backfill`
replays recently ended calls after a start, so a call whose ticket write failed or was
cut short by a restart still lands on its ticket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from callcenter.domain.calls import CallOutcome, CallRecord
from callcenter.domain.tickets import CallSummary, Interaction
from callcenter.domain.webhooks import Event
from callcenter.logs import call_id_var
from callcenter.services.announcer import Announcer
from callcenter.services.ports import CallLog, TicketStore

log = logging.getLogger(__name__)


class EndedCalls(Protocol):
    async def recent_ended(self, limit: int) -> list[CallRecord]: ...


def call_summary(record: CallRecord) -> CallSummary:
    assert record.ended_at is not None, "only ended calls are summarised"
    queue = record.outcome_detail if record.outcome is CallOutcome.QUEUE else ""
    return CallSummary(
        call_id=record.call_id,
        linked_id=record.linked_id,
        caller=record.caller,
        dialed=record.dialed,
        started_at=record.started_at,
        ended_at=record.ended_at,
        outcome=record.outcome.value if record.outcome else "",
        queue=queue,
        detail=record.outcome_detail,
        ivr_path=record.ivr_path,
        flow=record.flow,
    )


def _final(call: CallSummary) -> dict[str, Any]:
    return {
        "outcome": call.outcome,
        "detail": call.detail,
        "flow": call.flow,
        "ivr_path": [dict(step) for step in call.ivr_path],
        "ended_at": call.ended_at.isoformat(),
        "duration": round((call.ended_at - call.started_at).total_seconds(), 3),
    }


class CallHistory:
    def __init__(
        self,
        call_log: CallLog,
        tickets: TicketStore,
        published: Callable[[str, Mapping[str, Any]], None] | None = None,
    ) -> None:
        self._calls = call_log
        self._tickets = tickets
        # call.ended goes out (webhooks) once the call is on its ticket.
        self._published = published or (lambda _kind, _data: None)

    async def call_ended(self, call_id: str) -> None:
        token = call_id_var.set(call_id)
        try:
            record = await self._calls.get(call_id)
            if record is None or record.ended_at is None:
                log.warning("no ended call %s in the call log; nothing to archive", call_id)
                return
            await self._archive(record)
        finally:
            call_id_var.reset(token)

    async def _archive(self, record: CallRecord) -> None:
        summary = call_summary(record)
        # call.ended, once: written with the call's interaction the first time it lands.
        ended: Announcer[Interaction] = Announcer(
            lambda made: [Event("call.ended", _ended(summary, made))]
        )
        try:
            interaction = await self._tickets.record_call(summary, ended)
            # A call back from a queue (overflow to a flow node) ends twice: the second end
            # brings the final outcome and the longer path to the same interaction.
            if interaction.data.get("outcome") != summary.outcome or len(
                interaction.data.get("ivr_path") or ()
            ) != len(summary.ivr_path):
                await self._tickets.update_call(record.call_id, _final(summary))
        except Exception:
            log.exception("could not write the call to the ticket store (backfill retries)")
            return
        log.info("call on ticket %d as interaction %d", interaction.ticket_number, interaction.id)
        ended.tell(self._published)

    async def backfill(self, calls: EndedCalls, limit: int = 500) -> None:
        for record in reversed(await calls.recent_ended(limit)):
            token = call_id_var.set(record.call_id)
            try:
                await self._archive(record)
            finally:
                call_id_var.reset(token)


def _ended(summary: CallSummary, interaction: Interaction) -> dict[str, Any]:
    return {
        "call_id": summary.call_id,
        "caller": summary.caller,
        "outcome": summary.outcome,
        "queue": summary.queue,
        "started_at": summary.started_at,
        "ended_at": summary.ended_at,
        "ticket_number": interaction.ticket_number,
        "interaction_id": interaction.id,
        "ivr_path": list(summary.ivr_path),
    }
