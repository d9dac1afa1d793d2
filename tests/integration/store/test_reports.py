"""The event log and its legs on SQLite and PostgreSQL: appended once, legs moved in the
same transaction, added up in SQL exactly as the domain's tally adds them in Python."""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, func, select

from callcenter.domain.event_log import LoggedEvent
from callcenter.domain.reports import GroupBy, Tally, Targets, tally
from callcenter.domain.webhooks import Event
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.event_log import SqlEventLog
from callcenter.store.models import CallRow, EventLogRow, QueueLegRow
from callcenter.store.outbox import write_events
from callcenter.store.reports import SqlReports

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
T0 = datetime(2026, 12, 1, 6, 50, tzinfo=UTC)  # 09:50 in Moscow: the 39th quarter-hour
TARGETS = {"support": Targets(threshold=20, short_abandon=5)}
DEFAULT = Targets(threshold=10, short_abandon=3)


def _call(n: int, queue: str, outcome: str, wait: float, talk: float = 0.0) -> list[LoggedEvent]:
    at, cid = T0 + timedelta(minutes=n), f"17000000{n:02d}.1"
    out = [
        LoggedEvent("call.queued", at, cid, queue, data={"position": 1, "caller": f"+7916{n:07d}"})
    ]
    end = at + timedelta(seconds=wait)
    if outcome == "answered":
        out.append(LoggedEvent("call.answered", end, cid, queue, "1001", {"wait": wait}))
        done = {"wait": wait, "talk": talk, "ended_by": "caller"}
        out.append(
            LoggedEvent("call.completed", end + timedelta(seconds=talk), cid, queue, "1001", done)
        )
    elif outcome == "abandoned":
        out.append(
            LoggedEvent("call.abandoned", end, cid, queue, data={"wait": wait, "position": 1})
        )
    else:
        out.append(
            LoggedEvent("call.overflowed", end, cid, queue, data={"wait": wait, "status": outcome})
        )
    return out


CALLS = [
    ("support", "answered", 4.0, 60.0),
    ("support", "answered", 25.0, 30.0),
    ("support", "abandoned", 2.0, 0.0),  # short in support (5 s)
    ("support", "abandoned", 40.0, 0.0),
    ("sales", "abandoned", 4.0, 0.0),  # not short in sales (the default: 3 s)
    ("sales", "timeout", 90.0, 0.0),
    ("sales", "answered", 8.0, 10.0),
]


@pytest.fixture
def log(db_engine: Engine) -> SqlEventLog:
    return SqlEventLog(make_sessions(db_engine), zone=MOSCOW)


async def test_events_are_appended_once_and_legs_add_up_as_the_domain_says(
    db_engine: Engine, log: SqlEventLog
) -> None:
    events = [e for n, (q, o, w, t) in enumerate(CALLS) for e in _call(n, q, o, w, t)]
    assert await log.append(events) == len(events)
    assert await log.append(events) == 0  # told twice: still one row each
    reports = SqlReports(make_sessions(db_engine))
    rows = await reports.tallies(
        (date(2026, 12, 1), date(2026, 12, 1)), GroupBy.QUEUE, TARGETS, DEFAULT, (), ()
    )
    by_queue: dict[str, Tally] = {}
    for day, slot, queue, t in rows:
        assert day == "2026-12-01"
        assert 39 <= slot <= 40  # Moscow's local quarter-hours
        by_queue[queue] = by_queue.get(queue, Tally()) + t
    for queue in ("support", "sales"):
        legs = [
            (o, w, t if o == "answered" else 0.0, 0.0, "") for q, o, w, t in CALLS if q == queue
        ]
        assert by_queue[queue] == tally(legs, TARGETS.get(queue, DEFAULT)), queue


async def test_the_calls_behind_a_figure_and_the_boards_today(
    db_engine: Engine, log: SqlEventLog
) -> None:
    await log.append([e for n, (q, o, w, t) in enumerate(CALLS) for e in _call(n, q, o, w, t)])
    reports = SqlReports(make_sessions(db_engine))
    day = (date(2026, 12, 1), date(2026, 12, 1))
    abandoned = await reports.legs(day, ("support",), (), ("abandoned",), 50, None)
    assert [(r["wait"], r["caller"]) for r in abandoned] == [
        (2.0, "+79160000002"),
        (40.0, "+79160000003"),
    ]
    page = await reports.legs(day, (), (), (), 3, None)
    rest = await reports.legs(day, (), (), (), 50, page[-1]["id"])
    assert len(page) + len(rest) == len(CALLS)
    today = await reports.finished_since(T0 - timedelta(hours=1))
    assert sorted(q for q, *_ in today) == sorted(q for q, *_ in CALLS)


async def test_an_agents_wrap_up_lands_on_their_last_answered_call(
    db_engine: Engine, log: SqlEventLog
) -> None:
    await log.append(_call(0, "support", "answered", 4.0, 60.0))
    end = T0 + timedelta(seconds=70)
    change = LoggedEvent(
        "agent.state",
        end,
        agent="1001",
        data={"from": "wrap_up", "to": "available", "seconds": 5.5},
    )
    await log.append([change])
    reports = SqlReports(make_sessions(db_engine))
    legs = await reports.legs((date(2026, 12, 1), date(2026, 12, 1)), (), ("1001",), (), 5, None)
    assert legs[0]["wrap_up"] == 5.5
    changes, before = await reports.state_changes(T0, T0 + timedelta(hours=1), ())
    assert [c.to for c in changes] == ["available"]
    assert before == {}


def test_announced_changes_are_logged_in_their_own_transaction(db_engine: Engine) -> None:
    sessions = make_sessions(db_engine)

    def failing_change() -> None:
        with sessions.begin() as s:
            write_events(s, [Event("callback.requested", {"callback": {"id": 1}})])
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(EventLogRow)) == 0
    with sessions.begin() as s:
        write_events(s, [Event("promise.kept", {"promise": {"id": 1}})], datetime.now(UTC))
    with sessions() as s:
        assert s.scalars(select(EventLogRow.kind)).all() == ["promise.kept"]


async def test_legs_are_grouped_by_the_number_dialled_and_the_flow(
    db_engine: Engine, log: SqlEventLog
) -> None:
    sessions = make_sessions(db_engine)
    with sessions.begin() as s:
        for n, dialled in ((0, "7000"), (1, "7001"), (2, "7001")):
            s.add(
                CallRow(
                    call_id=f"17000000{n:02d}.1",
                    linked_id="x",
                    caller="+7916",
                    dialed=dialled,
                    state="ended",
                    started_at=T0,
                    flow=f"f{dialled}@v1",
                )
            )
    await log.append([e for n, (q, o, w, t) in enumerate(CALLS[:3]) for e in _call(n, q, o, w, t)])
    reports = SqlReports(sessions)
    day = (date(2026, 12, 1), date(2026, 12, 1))
    for group, values in (
        (GroupBy.DIALLED, {"7000": 1, "7001": 2}),
        (GroupBy.FLOW, {"f7000@v1": 1, "f7001@v1": 2}),
    ):
        rows = await reports.tallies(day, group, TARGETS, DEFAULT, (), ())
        found: dict[str, int] = {}
        for _d, _s, grp, t in rows:
            found[grp] = found.get(grp, 0) + t.offered
        assert found == values, group


async def test_a_leg_another_writer_committed_meanwhile_is_found_on_the_second_try(
    db_url: str, db_engine: Engine
) -> None:
    """The race the soak met after an Asterisk restart: the rebuild and the live writer
    each found no leg for a call and both inserted it; the loser's whole batch was refused
    (``uq_queue_legs_call_id``). Here the other writer commits its leg at the very moment
    this one inserts (an engine hook, no timing)."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite lets one write at a time)")
    queued, answered, _done = _call(1, "support", "answered", 4.0, 60.0)
    # The same caller's queueing as the rebuild reads it from the queue_log (a key of its own)
    rebuilt = dataclasses.replace(queued, source="queue_log", key=f"queue_log|{queued.call_id}|1")
    other = make_engine(db_url)
    fired: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO queue_legs") and not fired:
            fired.append(statement)
            SqlEventLog(make_sessions(other), zone=MOSCOW).append_sync([rebuilt])

    event.listen(db_engine, "before_cursor_execute", before)
    try:
        log = SqlEventLog(make_sessions(db_engine), zone=MOSCOW)
        assert await log.append([queued, answered]) == 2
    finally:
        event.remove(db_engine, "before_cursor_execute", before)
        other.dispose()
    assert fired
    with db_engine.connect() as conn:
        legs = conn.execute(select(QueueLegRow.outcome)).scalars().all()
        events = conn.execute(select(func.count()).select_from(EventLogRow)).scalar_one()
    assert legs == ["answered"]
    assert events == 3
