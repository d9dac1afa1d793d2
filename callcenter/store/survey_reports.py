"""What CSAT is cut by, read in one query per report: each survey with its call's flow and
number (the call log), its agent's team, its waits and queue legs (the reports' legs), and
whether the caller had called in the week before (a repeat call)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.surveys import Outcome
from callcenter.store.db import as_utc
from callcenter.store.db_threads import DbThreads
from callcenter.store.models import (
    AgentRow,
    CallRow,
    InteractionRow,
    PromiseRow,
    QueueLegRow,
    SurveyRow,
)

REPEAT_WINDOW = timedelta(days=7)
LOAD_WINDOW = timedelta(minutes=10)


@dataclasses.dataclass(frozen=True)
class SurveyFacts:
    """One survey asked, with what the centre did on its call."""

    score: int | None  # the first question's; None: asked, no answer
    at: datetime
    queue: str
    agent: str
    team: str
    flow: str
    number: str  # the number the caller dialled
    wait: float  # seconds waited in queues, all legs
    legs: int  # queue legs (more than one: transferred or overflowed)
    repeat: bool  # the caller had called in the 7 days before
    promise: str = "none"  # the ticket's latest promise of the week before: its state
    load: int = 1  # tickets the agent worked on within 10 minutes of the call, this one too


class SqlSurveyReports:
    def __init__(self, sessions: sessionmaker[Session], threads: DbThreads | None = None) -> None:
        self._sessions = sessions
        self._threads = threads or DbThreads(1)

    async def facts(self, since: datetime, until: datetime) -> list[SurveyFacts]:
        return await self._threads.run("surveys.facts", self.facts_sync, since, until)

    def facts_sync(self, since: datetime, until: datetime) -> list[SurveyFacts]:
        legs = (
            select(
                QueueLegRow.call_id,
                func.sum(QueueLegRow.wait).label("wait"),
                func.count(QueueLegRow.id).label("legs"),
            )
            .group_by(QueueLegRow.call_id)
            .subquery()
        )
        query = (
            select(SurveyRow, CallRow.flow, CallRow.dialed, CallRow.caller, CallRow.started_at,
                   AgentRow.team, legs.c.wait, legs.c.legs)
            .outerjoin(CallRow, CallRow.call_id == SurveyRow.call_id)
            .outerjoin(AgentRow, AgentRow.extension == SurveyRow.agent)
            .outerjoin(legs, legs.c.call_id == SurveyRow.call_id)
            .where(SurveyRow.created_at >= since, SurveyRow.created_at < until,
                   SurveyRow.outcome != Outcome.PENDING.value)
            .order_by(SurveyRow.created_at)
        )  # fmt: skip
        with self._sessions() as s:
            rows = list(s.execute(query))
            names = {
                ext: name for ext, name in s.execute(select(AgentRow.extension, AgentRow.name))
            }
            out = []
            for row, flow, dialed, caller, started, team, wait, n_legs in rows:
                repeat = (
                    bool(caller)
                    and started is not None
                    and self._called_before(s, caller, as_utc(started))
                )
                at = as_utc(started) if started is not None else as_utc(row.created_at)
                ticket = row.ticket_number or s.scalar(
                    select(InteractionRow.ticket_id).where(InteractionRow.source_id == row.call_id)
                )
                out.append(
                    SurveyFacts(
                        score=row.scores[0] if row.scores else None,
                        at=as_utc(row.created_at),
                        queue=row.queue,
                        agent=row.agent,
                        team=team or "",
                        flow=flow or "",
                        number=dialed or "",
                        wait=float(wait or 0.0),
                        legs=int(n_legs or 0),
                        repeat=repeat,
                        promise=self._promise(s, ticket, as_utc(row.created_at)),
                        load=self._load(
                            s, (row.agent, names.get(row.agent, "")), row.call_id, ticket, at
                        ),
                    )
                )
            return out

    @staticmethod
    def _promise(s: Session, ticket: int | None, at: datetime) -> str:
        """The state of the ticket's latest promise made in the week before ``at``."""
        if ticket is None:
            return "none"
        row = s.scalars(
            select(PromiseRow)
            .where(PromiseRow.ticket_id == ticket, PromiseRow.made_at <= at,
                   PromiseRow.made_at >= at - REPEAT_WINDOW)
            .order_by(PromiseRow.made_at.desc())
        ).first()  # fmt: skip
        if row is None or row.state == "cancelled":
            return "none"
        if row.state in ("at_risk", "broken"):
            return row.state
        return "repromised" if row.repromised_at is not None else row.state

    @staticmethod
    def _load(
        s: Session, agent: tuple[str, str], call_id: str, ticket: int | None, at: datetime
    ) -> int:
        """What else the agent had on within 10 minutes of the call: other calls they
        took, other tickets they wrote on (notes, chat messages), plus this call."""
        ext, name = agent
        if not ext:
            return 1
        authors = [a for a in (ext, name) if a]
        calls = s.scalar(
            select(func.count(func.distinct(QueueLegRow.call_id))).where(
                QueueLegRow.agent == ext,
                QueueLegRow.call_id != call_id,
                QueueLegRow.entered_at >= at - LOAD_WINDOW,
                QueueLegRow.entered_at <= at + LOAD_WINDOW,
            )
        )
        others = s.scalar(
            select(func.count(func.distinct(InteractionRow.ticket_id))).where(
                InteractionRow.author.in_(authors),
                InteractionRow.occurred_at >= at - LOAD_WINDOW,
                InteractionRow.occurred_at <= at + LOAD_WINDOW,
                InteractionRow.ticket_id != (ticket or -1),
            )
        )
        return 1 + int(calls or 0) + int(others or 0)

    @staticmethod
    def _called_before(s: Session, caller: str, started: datetime) -> bool:
        earlier = s.scalar(
            select(func.count(CallRow.id)).where(
                CallRow.caller == caller,
                CallRow.started_at < started,
                CallRow.started_at >= started - REPEAT_WINDOW,
            )
        )
        return bool(earlier)
