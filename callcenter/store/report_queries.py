"""Reports read from the event log and its queue legs. The legs are added up in SQL, one
row per local quarter-hour and group (a month is at most 2,976 quarter-hours a group);
the report merges them into its intervals with :class:`callcenter.domain.reports.Tally`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from callcenter.domain.agent_report import StateChange
from callcenter.domain.reports import LEFT, GroupBy, Interval, Tally, Targets
from callcenter.store.db import as_utc
from callcenter.store.models import CallRow, EventLogRow, QueueLegRow

L = QueueLegRow
# A callback's placeholder waits in the queue for an agent (its id cb<id>-<attempt>): it is
# a promise being kept, counted with callbacks, never as a call offered to the queue.
INBOUND = ~QueueLegRow.call_id.like("cb%")
COUNTED_KINDS = (
    "callback.requested",
    "callback.completed",
    "promise.kept",
    "promise.broken",
    "voicemail.received",
)


def _per_queue(targets: Mapping[str, Targets], default: Targets, field: str) -> Any:
    whens = {q: getattr(t, field) for q, t in targets.items()}
    if not whens:
        return literal(getattr(default, field))
    return case(whens, value=L.queue, else_=getattr(default, field))


def _flag(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _group_column(group: GroupBy) -> Any:
    if group is GroupBy.QUEUE:
        return L.queue
    if group in (GroupBy.AGENT, GroupBy.TEAM):
        return L.agent
    if group is GroupBy.DIALLED:
        return func.coalesce(CallRow.dialed, "")
    if group is GroupBy.FLOW:
        return func.coalesce(CallRow.flow, "")
    return literal("")


def tallies(
    s: Session,
    days: tuple[date, date],
    group: GroupBy,
    targets: Mapping[str, Targets],
    default: Targets,
    queues: Sequence[str] = (),
    agents: Sequence[str] = (),
    per: Interval = Interval.QUARTER,
) -> list[tuple[str, int, str, Tally]]:
    """(local day, quarter-hour, group value, tally) for the legs that ended in ``days``
    (inclusive), of ``queues`` and ``agents`` if given; ``per`` an hour or more, the rows are
    added up per hour (its first quarter-hour) or per day (quarter-hour 0) already."""
    short = _per_queue(targets, default, "short_abandon")
    threshold = _per_queue(targets, default, "threshold")
    answered = L.outcome == "answered"
    group_col = _group_column(group).label("grp")
    per_slot = (
        L.slot
        if per is Interval.QUARTER
        else (L.slot - L.slot % 4 if per is Interval.HOUR else literal(0))
    ).label("at")
    q = select(
        L.day,
        per_slot,
        group_col,
        func.count(),
        _flag(answered),
        _flag(and_(L.outcome == "abandoned", L.wait >= short)),
        _flag(and_(L.outcome == "abandoned", L.wait < short)),
        _flag(L.outcome.in_(sorted(LEFT))),
        _flag(and_(answered, L.wait <= threshold)),
        func.sum(case((answered, L.wait), else_=0.0)),
        func.max(L.wait),
        func.sum(case((answered, L.talk), else_=0.0)),
        func.sum(case((answered, L.wrap_up), else_=0.0)),
        _flag(L.ended_by == "transfer"),
    ).where(
        L.day >= days[0].isoformat(), L.day <= days[1].isoformat(), L.outcome != "waiting", INBOUND
    )
    if group in (GroupBy.DIALLED, GroupBy.FLOW):
        q = q.outerjoin(CallRow, CallRow.call_id == L.call_id)
    if queues:
        q = q.where(L.queue.in_(queues))
    if agents:
        q = q.where(L.agent.in_(agents))
    q = q.group_by(L.day, per_slot, group_col)
    out = []
    for day, slot, grp, *sums in s.execute(q):
        n = [int(x or 0) for x in sums[:6]] + [int(sums[10] or 0)]
        f = [float(x or 0) for x in sums[6:10]]
        t = Tally(n[0], n[1], n[2], n[3], n[4], n[5], f[0], f[1], f[2], f[3], n[6])
        out.append((str(day), int(slot), str(grp or ""), t))
    return out


def legs(
    s: Session,
    days: tuple[date, date],
    queues: Sequence[str],
    agents: Sequence[str],
    outcomes: Sequence[str],
    limit: int,
    after_id: int | None,
) -> list[dict[str, Any]]:
    """The calls behind a figure, oldest first, with the number dialled."""
    q = (
        select(L, CallRow.dialed)
        .outerjoin(CallRow, CallRow.call_id == L.call_id)
        .where(
            L.day >= days[0].isoformat(),
            L.day <= days[1].isoformat(),
            L.outcome != "waiting",
            INBOUND,
        )
        .order_by(L.id)
        .limit(limit)
    )
    if queues:
        q = q.where(L.queue.in_(queues))
    if agents:
        q = q.where(L.agent.in_(agents))
    if outcomes:
        q = q.where(L.outcome.in_(outcomes))
    if after_id is not None:
        q = q.where(L.id > after_id)
    return [
        {
            "id": r.id,
            "call_id": r.call_id,
            "queue": r.queue,
            "caller": r.caller,
            "dialled": dialled or "",
            "entered_at": as_utc(r.entered_at),
            "outcome": r.outcome,
            "wait": r.wait,
            "talk": r.talk,
            "wrap_up": r.wrap_up,
            "agent": r.agent,
            "position": r.position,
            "ended_by": r.ended_by,
            "source": r.source,
        }
        for r, dialled in s.execute(q)
    ]


def state_changes(
    s: Session, start: datetime, end: datetime, agents: Sequence[str] = ()
) -> tuple[list[StateChange], dict[str, StateChange]]:
    """Agents' state changes within [start, end), and each agent's last one before."""

    def change(r: EventLogRow) -> StateChange:
        return StateChange(
            r.agent, as_utc(r.at), str(r.data.get("to", "")), str(r.data.get("reason", ""))
        )

    where = [EventLogRow.kind == "agent.state"]
    if agents:
        where.append(EventLogRow.agent.in_(agents))
    inside = s.scalars(
        select(EventLogRow).where(*where, EventLogRow.at >= start, EventLogRow.at < end)
    )
    latest = (
        select(EventLogRow.agent, func.max(EventLogRow.id).label("last"))
        .where(*where, EventLogRow.at < start)
        .group_by(EventLogRow.agent)
        .subquery()
    )
    before = s.scalars(select(EventLogRow).join(latest, EventLogRow.id == latest.c.last))
    return [change(r) for r in inside], {r.agent: change(r) for r in before}


def counted_events(s: Session, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
    """(kind, when) of callbacks, kept and broken promises and voicemails in the range."""
    rows = s.execute(
        select(EventLogRow.kind, EventLogRow.at).where(
            EventLogRow.kind.in_(COUNTED_KINDS), EventLogRow.at >= start, EventLogRow.at < end
        )
    )
    return [(k, as_utc(at)) for k, at in rows]


def calls(s: Session, start: datetime, end: datetime) -> list[tuple[str, datetime, str, str]]:
    """(caller, started, outcome, dialled) of calls that reached the daemon from 72 h
    before ``start`` (for repeat callers) to ``end``."""
    rows = s.execute(
        select(CallRow.caller, CallRow.started_at, CallRow.outcome, CallRow.dialed).where(
            CallRow.started_at >= start - timedelta(hours=72), CallRow.started_at < end
        )
    )
    return [(c, as_utc(at), o or "", d) for c, at, o, d in rows]


def finished_since(s: Session, since: datetime) -> list[tuple[str, str, float, float, float, str]]:
    """(queue, outcome, wait, talk, wrap_up, ended_by) of legs that entered since ``since``."""
    rows = s.execute(
        select(L.queue, L.outcome, L.wait, L.talk, L.wrap_up, L.ended_by).where(
            L.entered_at >= since, L.outcome != "waiting", INBOUND
        )
    )
    return [(q, o, float(w), float(t), float(u), e) for q, o, w, t, u, e in rows]
