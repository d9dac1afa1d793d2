"""Reading what the daemon recorded about a call (through the store's own repository)."""

from __future__ import annotations

import asyncio
import itertools

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
