"""Reading what the daemon recorded about a call (through the store's own repository)."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from callcenter.app import ticket_store
from callcenter.domain.calls import CallRecord
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_engine, make_sessions
from tests.support.instance import Instance
from tests.support.until import until

_numbers = itertools.count(14155550100)


def new_caller(prefix: str = "") -> str:
    number = str(next(_numbers))
    return prefix + number[len(prefix) :]


def call_record(instance: Instance, caller: str) -> CallRecord | None:
    engine = make_engine(instance.config.database_url)
    try:
        records = asyncio.run(SqlCallLog(make_sessions(engine)).recent(500))
    finally:
        engine.dispose()
    return next((r for r in records if r.caller == caller), None)


def ended_call(instance: Instance, caller: str, timeout: float = 15) -> CallRecord:
    def ended() -> CallRecord | None:
        record = call_record(instance, caller)
        return record if record is not None and record.outcome is not None else None

    return until(ended, timeout, what=f"the call from {caller} to end in the call log")


def path_nodes(record: CallRecord) -> list[str]:
    return [f"{step['flow']}.{step['node']}" for step in record.ivr_path]


def call_on_ticket(instance: Instance, call_id: str) -> dict[str, Any]:
    """The call's interaction data on its ticket ({} while it is on none)."""
    engine = make_engine(instance.config.database_url)
    store = ticket_store(instance.config, make_sessions(engine))
    try:
        number = asyncio.run(store.call_ticket(call_id))
        if number is None:
            return {}
        timeline = asyncio.run(store.get_ticket(number)).timeline
        return next((dict(i.data) for i in timeline if i.source_id == call_id), {})
    finally:
        engine.dispose()


def queue_call_on_ticket(instance: Instance, caller: str, outcome: str) -> dict[str, Any]:
    """The caller's queue call as it stands on its ticket, once it has ``outcome``."""
    record = ended_call(instance, caller)

    def on_ticket() -> dict[str, Any] | None:
        data = call_on_ticket(instance, record.call_id)
        return data if data.get("queue_outcome") == outcome else None

    return until(on_ticket, 15, what=f"the {outcome} call on its ticket")
