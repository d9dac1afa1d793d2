from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callcenter.asterisk.fallback_spool import CAPACITY, FallbackSpool
from callcenter.domain.calls import CallOutcome, CallRecord, FallbackCall
from callcenter.services.fallback_calls import FallbackCalls
from tests.support.fakes import MemoryCallLog

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_each_file_is_a_call_malformed_ones_are_skipped_and_all_deleted(
    tmp_path: Path,
) -> None:
    (tmp_path / "callcenter-fallback-1796.1.call").write_text(
        "1796.1|1796.1|1796124000|+79161234567"
    )
    (tmp_path / "callcenter-fallback-1796.2.call").write_text("1796.2|1796.1|1796124005|")
    (tmp_path / "callcenter-fallback-x.call").write_text("garbage| DROP TABLE calls")
    (tmp_path / "other.txt").write_text("not ours")
    spool = FallbackSpool(tmp_path)
    calls = spool.take()
    assert [c.call_id for c in calls] == ["1796.1", "1796.2"]
    assert calls[0].caller == "+79161234567"
    assert calls[0].at == datetime.fromtimestamp(1796124000, UTC)
    (tmp_path / "callcenter-fallback-1796.3.call").write_text("1796.3|1796.3|1796124009|100")
    spool.done()  # deletes what take() saw, not the file that came after
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "callcenter-fallback-1796.3.call",
        "other.txt",
    ]


class ListSpool:
    def __init__(self, calls: Sequence[FallbackCall]) -> None:
        self.calls, self.done_count = list(calls), 0

    def take(self) -> Sequence[FallbackCall]:
        return self.calls

    def done(self) -> None:
        self.done_count += 1


async def test_unknown_calls_are_recorded_once_known_ones_left_alone() -> None:
    log = MemoryCallLog()
    await log.call_started(CallRecord("1.1", "1.1", "+7916", "7000", T0))  # the daemon's own
    archived: list[str] = []

    async def archive(call_id: str) -> None:
        archived.append(call_id)

    spool = ListSpool([FallbackCall("1.1", "1.1", T0, "+7916"), FallbackCall("2.1", "2.1", T0, "")])
    importer = FallbackCalls(spool, log, archive, "7000")
    assert await importer.import_once() == 1
    assert await importer.import_once() == 0  # a re-read batch adds nothing
    record = await log.get("2.1")
    assert record is not None
    assert record.outcome is CallOutcome.FALLBACK
    assert record.dialed == "7000"
    assert archived == ["2.1"]
    assert spool.done_count == 2


def test_the_capacity_spool_carries_the_queue(tmp_path: Path) -> None:
    (tmp_path / "callcenter-capacity-1796.4.call").write_text(
        "1796.4|1796.4|1796124000|79161234567|support"
    )
    (tmp_path / "callcenter-capacity-1796.5.call").write_text(
        "1796.5|1796.5|1796124000|79161234567|sup;port"
    )
    (tmp_path / "callcenter-fallback-1796.6.call").write_text("1796.6|1796.6|1796124000|100")
    spool = FallbackSpool(tmp_path, CAPACITY)
    [call] = spool.take()
    assert (call.call_id, call.caller, call.queue) == ("1796.4", "79161234567", "support")
    spool.done()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["callcenter-fallback-1796.6.call"]


async def test_then_decides_the_outcome_of_each_new_call() -> None:
    log = MemoryCallLog()
    seen: list[str] = []

    async def archive(_call_id: str) -> None:
        return None

    async def then(call: FallbackCall) -> CallOutcome:
        seen.append(call.queue)
        return CallOutcome.CALLBACK

    spool = ListSpool([FallbackCall("3.1", "3.1", T0, "+7916", "support")])
    assert await FallbackCalls(spool, log, archive, "7000", then=then).import_once() == 1
    record = await log.get("3.1")
    assert record is not None
    assert record.outcome is CallOutcome.CALLBACK
    assert seen == ["support"]


async def test_a_daemon_killed_between_the_request_and_the_record_requests_again() -> None:
    """``then`` runs before the call is written: killed in between, the next start finds
    no call and asks again (the callback store merges a second request for the number)."""
    log = MemoryCallLog()
    asked: list[str] = []

    async def archive(_call_id: str) -> None:
        return None

    async def then(call: FallbackCall) -> CallOutcome:
        asked.append(call.call_id)
        return CallOutcome.CALLBACK

    class Killed(Exception):
        pass

    async def dies(_record: CallRecord) -> None:
        raise Killed

    spool = ListSpool([FallbackCall("4.1", "4.1", T0, "+7916", "support")])
    started = log.call_started
    log.call_started = dies  # type: ignore[method-assign]
    with pytest.raises(Killed):
        await FallbackCalls(spool, log, archive, "7000", then=then).import_once()
    log.call_started = started  # type: ignore[method-assign]
    assert await FallbackCalls(spool, log, archive, "7000", then=then).import_once() == 1
    assert asked == ["4.1", "4.1"]
    assert await FallbackCalls(spool, log, archive, "7000", then=then).import_once() == 0
    assert asked == ["4.1", "4.1"]  # written down: never asked a third time
